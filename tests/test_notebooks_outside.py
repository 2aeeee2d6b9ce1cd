"""The notebooks work outside the repository (issue 25): a copy of notebooks/ in a temporary folder executes every
notebook there, with no error and writing nothing into the guideline or the repository, against the bundled
guideline (the notebooks' own way of choosing one) and against a copy of docs/examples/neck-pain (GRADING_ROOT)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


def output_texts(nb) -> str:
    """Every text output of an executed notebook, joined."""
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", ""))
            parts += [v if isinstance(v, str) else "".join(v) for k, v in o.get("data", {}).items()
                      if k.startswith("text/")]
    return "\n".join(parts)


def run_notebooks(folder: Path, grading_root: Path | None) -> dict[str, str]:
    """Copy notebooks/ to `folder` and execute each notebook there (a cell's error fails the run), with GRADING_ROOT
    set to `grading_root`, or unset; name -> the text of its outputs."""
    import nbformat
    from nbclient import NotebookClient

    shutil.copytree(REPO / "notebooks", folder)
    old = os.environ.pop("GRADING_ROOT", None)
    if grading_root is not None:
        os.environ["GRADING_ROOT"] = str(grading_root)
    texts = {}
    try:
        for name in NOTEBOOKS:
            nb = nbformat.read(folder / name, as_version=4)
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(folder)}}).execute()
            texts[name] = output_texts(nb)
    finally:
        os.environ.pop("GRADING_ROOT", None)
        if old is not None:
            os.environ["GRADING_ROOT"] = old
    return texts


def written_folder(text: str) -> Path:
    """The folder the Publish notebook says it wrote to."""
    found = re.search(r"The files go to (\S+)", text)
    assert found, "the Publish notebook names no folder"
    return Path(found.group(1))


def test_every_notebook_runs_outside_the_repository_on_the_bundled_guideline(tmp_path):
    reports_before = set((REPO / "reports").glob("*")) if (REPO / "reports").is_dir() else set()
    texts = run_notebooks(tmp_path / "notebooks", None)
    assert not REPO.resolve().is_relative_to(tmp_path.resolve())
    for name, text in texts.items():
        assert "Traceback" not in text, name
    assert "Korsryggsmerter" in texts["1-explore.ipynb"]
    folder = written_folder(texts["5-publish.ipynb"])
    assert (folder / "guideline-published.html").is_file() and not folder.is_relative_to(REPO)
    shutil.rmtree(folder)
    assert (set((REPO / "reports").glob("*")) if (REPO / "reports").is_dir() else set()) == reports_before


@pytest.mark.parametrize("missing", ["evidence/glossary.csv", "evidence/flags.csv"])
def test_a_guideline_without_its_optional_tables_still_runs_the_explore_notebook(tmp_path, missing):
    import nbformat
    from nbclient import NotebookClient

    root = tmp_path / "neck-pain"
    shutil.copytree(EXAMPLE, root)
    (root / missing).unlink(missing_ok=True)
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    nb = nbformat.read(tmp_path / "notebooks" / "1-explore.ipynb", as_version=4)
    old = os.environ.get("GRADING_ROOT")
    os.environ["GRADING_ROOT"] = str(root)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path / "notebooks")}}).execute()
    finally:
        os.environ.pop("GRADING_ROOT") if old is None else os.environ.__setitem__("GRADING_ROOT", old)
    assert "Traceback" not in output_texts(nb)


def test_every_notebook_runs_on_the_grade_example_acp_2017(tmp_path):
    root = tmp_path / "acp-2017"
    shutil.copytree(REPO / "docs" / "examples" / "acp-2017", root)
    texts = run_notebooks(tmp_path / "notebooks", root)
    for name, text in texts.items():
        assert "Traceback" not in text and "Error" not in text, name
    assert "Noninvasive Treatments" in texts["1-explore.ipynb"]
    assert "Summary of findings: 1-01" in texts["2-reproduce.ipynb"]  # GRADE's tables, one per recommendation
    assert "discordant" in texts["4-audit.ipynb"]
    shutil.rmtree(written_folder(texts["5-publish.ipynb"]))
