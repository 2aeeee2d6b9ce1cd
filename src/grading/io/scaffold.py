"""A new guideline folder: the template to fill in, or a copy of the guideline bundled with the package."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import Problem, raise_if_errors
from .files import PACKAGED
from .manifest import MANIFEST, load_manifest, style_file_of

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATE = PACKAGE / "data" / "new-guideline"
TEMPLATE_CERTAINTY = PACKAGE / "data" / "new-guideline-grade"  # `grading new FOLDER --scheme grade`
# The bundled guideline as a wheel carries it (io.files.PACKAGED, read-only): setup.py copies it there from the
# repository's root, its one copy in git. Run from a clone (an editable install), the repository's root is the
# source instead.
REPOSITORY = PACKAGE.parents[1]


def bundled_source() -> Path | None:
    """The folder holding the bundled guideline: the package's copy, else the repository's root; None if neither."""
    for folder in (PACKAGED, REPOSITORY):
        if (folder / MANIFEST).is_file() and (folder / "references.bib").is_file() and (folder / "evidence").is_dir():
            return folder
    return None


def guideline_files(folder: Path) -> list[Path]:
    """A guideline folder's own files, relative to it: the manifest, the .bib and the evidence tree, without saved
    revisions or hidden files (what a copy of the guideline carries; setup.py packages the same)."""
    files = [Path(name) for name in (MANIFEST, "references.bib") if (folder / name).is_file()]
    for path in sorted((folder / "evidence").rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[1:2] != ("revisions",) and not any(p.startswith(".") for p in rel.parts):
            files.append(rel)
    return files


def named_files(folder: Path) -> list[Path]:
    """The files inside a guideline folder its manifest names, relative to it: its own scheme file with the
    appraisal rules beside it (`<stem>.appraisal.toml`) and its house style (.csl)."""
    manifest, _ = load_manifest(folder)
    named: list[Path] = []
    if manifest.scheme and manifest.scheme.endswith(".toml"):
        scheme = folder / manifest.scheme
        named += [scheme, scheme.with_name(f"{scheme.stem}.appraisal.toml")]
    style = style_file_of(manifest, folder)
    named += [style] if style is not None else []
    inside = folder.resolve()
    return [p.resolve().relative_to(inside) for p in named if p.is_file() and p.resolve().is_relative_to(inside)]


def new_guideline(folder: Path | str, example: bool = False, source: Path | None = None,
                  model: str = "levels") -> tuple[Path, list[Path]]:
    """Write a guideline folder — the template (of the scheme model `model`: 'levels', or 'certainty' for GRADE),
    with `example` a copy of the bundled guideline, or with `source` a copy of that guideline folder (its own files,
    as guideline_files lists them) — into a new or empty folder, all at once (nothing is left half-written); return
    it and the files written."""
    folder = Path(folder)
    target = folder.resolve()
    if target == PACKAGE or PACKAGE in target.parents:  # the template would then copy itself into every new folder
        raise_if_errors([Problem(str(folder), "lies inside the installed grading package", found=str(PACKAGE),
                                 allowed="a new or empty folder outside the package, e.g. my-guideline")])
    if folder.exists() and not folder.is_dir():
        raise_if_errors([Problem(str(folder), "is a file, not a folder", allowed="a new folder, or an empty one")])
    if folder.is_dir() and any(folder.iterdir()):
        shown = ", ".join(sorted(p.name for p in folder.iterdir())[:5])
        raise_if_errors([Problem(str(folder), "is not empty: `grading new` writes only into a new or empty folder, "
                                 "never over files", found=shown, allowed="a new folder, or an empty one")])
    copied = source is not None or example  # a guideline's own files, not the template whole
    source = source if source is not None else bundled_source() if example else \
        TEMPLATE_CERTAINTY if model == "certainty" else TEMPLATE
    if source is None:
        raise_if_errors([Problem("grading new --example", "the bundled guideline is not installed with this package",
                                 allowed="a package built with `pip install .` from the repository, or a clone of it")])
    assert source is not None
    # The template is copied whole (its README too); the bundled guideline without the repository around it.
    files = (guideline_files(source) + named_files(source) if copied else
             sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts))
    parent = folder.resolve().parent
    if not parent.is_dir():
        raise_if_errors([Problem(str(folder), f"the folder {parent} does not exist", allowed="a folder to write in")])
    try:
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}-"))
    except OSError as e:  # a read-only folder: nothing was written
        raise_if_errors([Problem(str(folder), f"cannot be written: {e.strerror or e}; nothing was written",
                                 allowed="a folder you may write in")])
    umask = os.umask(0)
    os.umask(umask)
    try:
        staging.chmod(0o777 & ~umask)  # a folder like any other the user makes, not mkdtemp's private one
        for rel in files:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, staging / rel)
        if folder.is_dir():
            folder.rmdir()  # empty, as checked above
        os.replace(staging, folder)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise_if_errors([Problem(str(folder), f"cannot be written: {e.strerror or e}; nothing was written")])
    return folder, files
