"""Build hook: the wheel carries the bundled guideline (for `grading new FOLDER --example`) and the Revise
notebook's example new study, copied at build time from the repository, where their one copy in git lives and where
the tests and notebooks read them."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
PACKAGED = Path("grading") / "data" / "bundled-guideline"
NEW_STUDY = Path("docs") / "examples" / "new-study"  # the Revise notebook's example study, packaged beside it
PACKAGED_STUDY = Path("grading") / "data" / "new-study"


def guideline_files(folder: Path) -> list[Path]:
    """The manifest, the .bib and the evidence tree, without saved revisions or hidden files (the same rule as
    grading.io.scaffold.guideline_files, which this build cannot import)."""
    files = [Path(name) for name in ("guideline.toml", "references.bib") if (folder / name).is_file()]
    for path in sorted((folder / "evidence").rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and rel.parts[1:2] != ("revisions",) and not any(p.startswith(".") for p in rel.parts):
            files.append(rel)
    return files


class BuildWithGuideline(build_py):
    """build_py, then the bundled guideline copied into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the repository's root itself
        target = Path(self.build_lib) / PACKAGED
        for rel in guideline_files(ROOT):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / rel, target / rel)
        study = Path(self.build_lib) / PACKAGED_STUDY
        study.mkdir(parents=True, exist_ok=True)
        for path in sorted((ROOT / NEW_STUDY).glob("*")):
            if path.is_file():
                shutil.copyfile(path, study / path.name)


if __name__ == "__main__":  # as the build runs it; tests import this file for guideline_files
    setup(cmdclass={"build_py": BuildWithGuideline})
