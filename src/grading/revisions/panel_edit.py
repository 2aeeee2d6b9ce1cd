"""The working group's panel (evidence/panel.csv) changed by a member in the app, saved as votes are: checked as
loading checks it; under a lock, refused when panel.csv changed since the member read it (nothing is overwritten
unseen); the panel it replaces kept as a new file under evidence/panel-history/ (never overwritten, named like a
vote: `<UTC time>--<member>--<8 hex>.csv`); and the new panel.csv written through the one atomic writer."""

from __future__ import annotations

import csv
import io
import secrets
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import RevisionError, raise_if_errors
from ..io.files import exclusive_lock, refuse_packaged, write_atomic
from ..io.panel import PANEL_FILE, Folder, Panel, load_panel, panel_problems
from ..io.tables import PANEL_SPEC, read_table
from .record import slug, utc_now, write_record_bytes

PANEL_HISTORY = Path("evidence") / "panel-history"
PANEL_LOCK = Path("evidence") / ".panel.lock"
COLUMNS = ("member", "role", "interests", "recused")


def panel_rows(panel: Panel | None) -> list[dict[str, str]]:
    """A panel as rows in panel.csv's columns ([] for none)."""
    return [{"member": m.name, "role": m.role, "interests": m.interests, "recused": ";".join(m.recused)}
            for m in (panel.members if panel else ())]


def panel_csv(rows: Iterable[Mapping[str, str]]) -> str:
    """panel.csv's text for these rows, each cell kept as written (spaces around it trimmed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([str(row.get(c, "") or "").strip() for c in COLUMNS] for row in rows)
    return out.getvalue()


def panel_text(guideline: Folder) -> str:
    """The panel.csv the guideline has now, as text ('' when it has none): what a member's change is based on."""
    path = guideline.root / PANEL_FILE
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def check_panel(guideline: Folder, text: str) -> None:
    """Raise ValidationError naming every problem loading would find in this panel.csv text."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "panel.csv"
        path.write_text(text, encoding="utf-8")
        frame, problems = read_table(path, f"{PANEL_FILE} (unsaved)", PANEL_SPEC)
    raise_if_errors(problems + panel_problems(frame, guideline.recommendations))


def save_panel(guideline: Folder, rows: Iterable[Mapping[str, str]], member: str, based_on: str) -> Path:
    """Replace the guideline's panel.csv with these rows on behalf of `member`, keeping the one it replaces under
    evidence/panel-history/; `based_on` is the panel.csv text the member changed (panel_text when they read it).
    Raise ValidationError for a panel loading would refuse, RevisionError when nothing can be saved."""
    if not member.strip():
        raise RevisionError("the panel was not saved: say who changes it (your name)")
    text = panel_csv(rows)
    check_panel(guideline, text)
    root = guideline.root
    refuse_packaged(root / "evidence")
    (root / "evidence").mkdir(exist_ok=True)
    with exclusive_lock(root / PANEL_LOCK):
        now = panel_text(guideline)
        if now != based_on:
            raise RevisionError("the panel was not saved: another member changed it since you opened it; reload the "
                                "panel, which shows their change, and make yours again")
        if now == text:
            raise RevisionError("the panel was not saved: nothing is changed")
        if now:
            stamp = utc_now().replace(":", "").replace("-", "")
            write_record_bytes(root, root / PANEL_HISTORY, now.encode("utf-8"),
                               lambda: f"{stamp}--{slug(member)}--{secrets.token_hex(4)}.csv",
                               "panel's earlier version")
        write_atomic(root / PANEL_FILE, text)
    load_panel(guideline)  # read back as every command reads it
    return root / PANEL_FILE
