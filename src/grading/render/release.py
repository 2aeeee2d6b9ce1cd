"""Making a release: releases/NAME/ holds the guideline as it stands now (revisions and votes applied), the
Evidence-to-Decision records saved so far (evidence/etd/, as saved), its change log as changes.json and CHANGES.md,
every file read-only. What a release is and what changed since one are
`revisions/release.py`'s; this writes one, rendering its change log, so it sits above both."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import RevisionError
from ..io.files import fsync_dir, refuse_packaged
from ..io.guideline import Guideline, load_guideline
from ..io.tables import EVIDENCE_COLUMNS, EVIDENCE_SPEC
from ..revisions.release import CHECKSUMS, PUBLISHED, RELEASES_DIR, base_state, change_log, now_state
from .changes import changes_markdown

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")  # \Z: no name ending in a newline
# Names Windows reserves for devices, with any extension: a folder so named cannot be checked out there.
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?\Z", re.I)
# Copied into a release as they are, when the folder has them; the tables are written from the revised state.
COPIED = ("references.bib", "guideline.toml", "evidence/glossary.csv", "evidence/flags.csv", "evidence/panel.csv")


def check_name(name: str, root: Path | None = None) -> None:
    """Refuse a release name that is not a plain folder name on every system git checks out on, is the reserved
    'published', or differs only in case from a release of `root` (one folder on Windows and macOS)."""
    why = ""
    if not _NAME.match(name) or name == PUBLISHED:
        why = (f"allowed: letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. 2026-1), and not "
               f"{PUBLISHED!r}")
    elif name.endswith("."):
        why = "a folder name ending in '.' cannot be checked out on Windows"
    elif _RESERVED.match(name):
        why = f"Windows reserves {name.split('.')[0].upper()} for a device: such a folder cannot be checked out there"
    elif root is not None and (root / RELEASES_DIR).is_dir():
        same = [p.name for p in (root / RELEASES_DIR).iterdir() if p.name.lower() == name.lower() and p.name != name]
        if same:
            why = f"release {same[0]} differs only in case: Windows and macOS keep the two in one folder"
    if why:
        raise RevisionError(f"{name!r} cannot name a release; {why}")


def make_release(guideline: Guideline, name: str, note: str = "") -> Path:
    """Write releases/NAME/: the guideline as it stands now, its change log and the checksum of every file, read-only;
    refuse a name in use."""
    check_name(name, guideline.root)
    root = guideline.root
    folder = root / RELEASES_DIR
    final = folder / name
    if final.exists():
        raise RevisionError(f"release {name} exists already ({final}); a release is never changed: choose a new name")
    now = now_state(guideline)
    if now.conflicts:
        raise RevisionError(f"release {name} was not made: {len(now.conflicts)} revision changes are in conflict; "
                            "settle them first (grading validate lists them):\n" + "\n".join(now.conflicts))
    log = change_log(base_state(guideline, None), now, name, note)
    refuse_packaged(folder)
    try:
        folder.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder, prefix=f".{name}.", suffix=".tmp"))
    except OSError as e:  # a read-only guideline folder, or releases/ a file: nothing was written
        raise RevisionError(f"release {name} was not made ({e.strerror or e} in {folder}); nothing was written") \
            from None
    try:
        _write_folder(tmp, root, now.state.guideline, log, tuple(sorted(now.state.etd)))
        load_guideline(tmp, guideline.scheme)  # a release validates like any guideline folder, or is not made
        _freeze(tmp)
        os.rename(tmp, final)  # atomic; fails when another release took the name meanwhile
        os.chmod(final, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        fsync_dir(folder)
    except OSError as e:
        raise RevisionError(f"release {name} was not made ({e.strerror or e}); nothing was written") from e
    finally:
        if tmp.exists():
            _thaw(tmp)
            shutil.rmtree(tmp)
    return final


def _write_folder(dest: Path, root: Path, g: Guideline, log: dict, etd: tuple[str, ...] = ()) -> None:
    (dest / "evidence").mkdir()
    for rel in dict.fromkeys((g.manifest.references_file, *COPIED)):  # the reference list, whatever its format
        if (root / rel).is_file():
            shutil.copyfile(root / rel, dest / rel)
    for rel in etd:  # the Evidence-to-Decision records it includes, as saved: the next release compares with them
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, dest / rel)
    _write_csv(dest / "evidence" / "recommendations.csv", g.recommendations)
    # An optional column the tables leave empty throughout (scope, in most guidelines) is not written.
    optional = {c.name for c in EVIDENCE_SPEC if c.optional}
    columns = [c for c in EVIDENCE_COLUMNS if c not in optional or (g.evidence[c].astype(str) != "").any()]
    _write_csv(dest / "evidence" / "evidence.csv", g.evidence[columns])
    (dest / "changes.json").write_text(json.dumps(log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (dest / "CHANGES.md").write_text(changes_markdown(log), encoding="utf-8")
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(dest).as_posix()}\n"
                   for p in sorted(dest.rglob("*")) if p.is_file())
    (dest / CHECKSUMS).write_text(sums, encoding="utf-8")
    for p in dest.rglob("*"):
        if p.is_file():
            with open(p, "rb+") as f:
                os.fsync(f.fileno())


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    columns = [c for c in frame.columns if not str(c).startswith("_")]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    w.writerows(frame[columns].fillna("").astype(str).itertuples(index=False, name=None))
    path.write_text(out.getvalue(), encoding="utf-8")


def _freeze(folder: Path) -> None:
    """Make a release's files and folders read-only (its top folder after it is renamed into place)."""
    for p in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        p.chmod(0o444 if p.is_file() else 0o555)


def _thaw(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        if p.is_dir():
            p.chmod(0o755)
