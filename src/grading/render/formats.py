"""One registry of output formats: for each command, its formats in the order `--format` lists them (the first is
the default) and the writer of each. The command line takes its `--format` choices from here and writes through
here, so a format is added in one place. A writer imports what it needs when it runs: `grading reproduce` loads no
writer of another command, nor the other format of its own.

Every writer of one command takes the same arguments (what the command computed) and returns the whole output,
ending with its last line break, or for a command that writes a file, what it wrote."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import UnknownValueError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from ..analyses.audit import Finding
    from ..analyses.fragility import Fragility
    from ..analyses.impact import Batch, BatchImpact, Impact, NewStudy
    from ..grade import Grading
    from ..io.guideline import Guideline
    from ..revisions import Revised
    from ..scheme import Scheme
    from .references import FormattedReference


# --- grading reproduce: (guideline, gradings) ------------------------------------------------------------------

def reproduce_table(guideline: Guideline, gradings: list[Grading]) -> str:
    from .text import gradings_table
    return gradings_table(gradings) + "\n"


def reproduce_json(guideline: Guideline, gradings: list[Grading]) -> str:
    from ..analyses.agreement import agreements
    from ..revisions.etd import etd_histories
    from .text import gradings_json
    etds = {rid: h.current for rid, h in etd_histories(guideline).items() if h.current is not None}
    # `agreement` where the group has voted, `etd` where an EtD is recorded (saved, or stated by the text)
    return gradings_json(gradings, agreements(guideline), etds) + "\n"


# --- grading audit: (guideline, findings); with --fragility, (guideline, fragility) ----------------------------

def audit_text(guideline: Guideline, findings: list[Finding]) -> str:
    from .text import findings_text
    return findings_text(findings, guideline.scheme) + "\n"


def audit_json(guideline: Guideline, findings: list[Finding]) -> str:
    from .text import findings_json
    return findings_json(findings, guideline.scheme) + "\n"


def fragility_text(guideline: Guideline, found: list[Fragility]) -> str:
    from .text import fragility_text as text
    return text(found, guideline.scheme) + "\n"


def fragility_json(guideline: Guideline, found: list[Fragility]) -> str:
    from .text import fragility_json as as_json
    return as_json(found) + "\n"


# --- grading impact: (guideline, study, moved) -----------------------------------------------------------------

def impact_text(guideline: Guideline, study: NewStudy, moved: list[Impact]) -> str:
    from ..analyses.impact import matched
    from .text import impact_text as text
    return text(study, matched(guideline, study), moved, guideline.scheme) + "\n"


def impact_json(guideline: Guideline, study: NewStudy, moved: list[Impact]) -> str:
    from .text import impact_json as as_json
    return as_json(moved) + "\n"


# --- grading impact FILE --appraisal CSV: (guideline, batch, moved) -------------------------------------------

def batch_impact_text(guideline: Guideline, batch: Batch, moved: list[BatchImpact]) -> str:
    from .text import batch_impact_text as text
    return text(batch, moved, guideline.scheme) + "\n"


def batch_impact_json(guideline: Guideline, batch: Batch, moved: list[BatchImpact]) -> str:
    from .text import batch_impact_json as as_json
    return as_json(batch, moved) + "\n"


# --- grading crosswalk: (frame, the scheme mapped into) --------------------------------------------------------

def crosswalk_table(frame: pd.DataFrame, scheme: str) -> str:
    from ..analyses.crosswalk import NOTE
    cols = ["id", "published_strength", "published_level", "level", "level_rule", "strength"]
    return frame[cols].fillna("-").to_string(index=False) + f"\n\nEvery {scheme} grade above is a {NOTE}.\n"


def crosswalk_json(frame: pd.DataFrame, scheme: str) -> str:
    return frame.to_json(orient="records", force_ascii=False, indent=2) + "\n"


# --- grading references: (references, title, language) ---------------------------------------------------------

def references_text(refs: list[FormattedReference], title: str, lang: str | None) -> str:
    from .references import render_references
    return render_references(refs, "text")


def references_html(refs: list[FormattedReference], title: str, lang: str | None) -> str:
    from .references import references_page
    return references_page(refs, title, lang)


def references_md(refs: list[FormattedReference], title: str, lang: str | None) -> str:
    from .references import render_references
    return render_references(refs, "md")


# --- grading changes: (change log) ------------------------------------------------------------------------------

def changes_text(log: dict) -> str:
    from .changes import changes_text as text
    return text(log)


def changes_md(log: dict) -> str:
    from .changes import changes_markdown
    return changes_markdown(log)


def changes_json(log: dict) -> str:
    import json
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# --- grading scheme: (scheme, the guideline folder it grades or None) ------------------------------------------

def scheme_text(scheme: Scheme, root: Path | None) -> str:
    from .text import scheme_text as text
    return text(scheme, root) + "\n"


def scheme_toml(scheme: Scheme, root: Path | None) -> str:
    """The scheme file itself, as it is: a copy to edit (`grading scheme --copy FILE` writes it)."""
    from ..errors import raise_if_errors
    from ..io.files import read_text
    assert scheme.path is not None  # every scheme the command line shows is read from a file
    problems: list = []
    text, _ = read_text(scheme.path, str(scheme.path), problems)
    raise_if_errors(problems)
    return text or ""


# --- files: grading report (guideline, path, revised, release, protect), grading export (guideline, out, revised,
# appraised) ---------------------------------------------------------------------------------------------------------

def report_writer(fmt: str) -> Callable[..., Path]:
    def write(guideline: Guideline, path: Path, revised: Revised | None, release: dict | None,
              protect: tuple[Path, ...]) -> Path:
        from .report import publish
        return publish(guideline, path, fmt, revised, release, protect)
    write.__name__ = f"report_{fmt}"
    return write


def export_writer(fmt: str) -> Callable[..., tuple[Path, dict[str, int]]]:
    def write(guideline: Guideline, out: Path, revised: bool, appraised: bool = False) -> tuple[Path, dict[str, int]]:
        from .export import export
        return export(guideline, out, fmt, revised=revised, appraised=appraised)
    write.__name__ = f"export_{fmt}"
    return write


# --- grading appraisals: (guideline, loop, instruments) -------------------------------------------------------

def appraisals_text(guideline: Guideline, loop: Any, instruments: Any) -> str:
    from .appraisals import loop_text
    return loop_text(guideline, loop, instruments) + f"\nGraded by scheme {guideline.scheme.describe()}.\n"


def appraisals_json(guideline: Guideline, loop: Any, instruments: Any) -> str:
    import json

    from .appraisals import loop_json
    return json.dumps({**loop_json(guideline, loop, instruments), "scheme": guideline.scheme.describe()}, indent=2,
                      ensure_ascii=False) + "\n"


# --- grading etd: (guideline, histories, tallies) -----------------------------------------------------------------

def etd_text(guideline: Guideline, histories: Any, tallies: Any) -> str:
    from .text import etd_text as text
    return text(guideline, histories, tallies) + "\n"


def etd_json(guideline: Guideline, histories: Any, tallies: Any) -> str:
    from .text import etd_json as as_json
    return as_json(histories, tallies) + "\n"


FORMATS: Mapping[str, Mapping[str, Callable[..., Any]]] = {
    "reproduce": {"table": reproduce_table, "json": reproduce_json},
    "audit": {"text": audit_text, "json": audit_json},
    "etd": {"text": etd_text, "json": etd_json},  # grading etd
    "fragility": {"text": fragility_text, "json": fragility_json},  # grading audit --fragility
    "impact": {"text": impact_text, "json": impact_json},
    "impact-batch": {"text": batch_impact_text, "json": batch_impact_json},  # grading impact FILE --appraisal CSV
    "crosswalk": {"table": crosswalk_table, "json": crosswalk_json},
    "references": {"text": references_text, "html": references_html, "md": references_md},
    "changes": {"text": changes_text, "md": changes_md, "json": changes_json},
    "scheme": {"text": scheme_text, "toml": scheme_toml},
    "report": {"html": report_writer("html"), "md": report_writer("md")},
    "export": {"fhir": export_writer("fhir"), "json": export_writer("json")},
    "appraisals": {"text": appraisals_text, "json": appraisals_json},
}


def formats(command: str) -> tuple[str, ...]:
    """A command's formats, the default first: the `--format` choices of the command line."""
    return tuple(FORMATS[command])


def writer(command: str, fmt: str) -> Callable[..., Any]:
    """The writer of one format of one command."""
    found = FORMATS[command]
    if fmt not in found:
        raise UnknownValueError(f"format of `grading {command}`", fmt, found)
    return found[fmt]
