"""Browse a guideline: filter recommendations, open one in full, look up the glossary and the flags."""

from __future__ import annotations

import html
import tempfile
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from ..errors import UnknownValueError
from ..grade import Grading, reproduce
from ..io.guideline import Guideline
from ..render.references import FormattedReference, guideline_references, render_references
from ..scheme import Scheme
from ..vocab import DESIGNS, JUDGEMENTS

# The diagnostic groups and phases are the guideline's own: its manifest's vocabularies, in their order (else the
# values its table holds, in table order); groups() and phases() give them.
NO_PHASE = ""  # the phase filter value for recommendations whose text names no phase
COLOURS = ("red", "yellow", "green")
BROWSE_COLUMNS = ["section", "topic_en", "phase", "diagnostic_group", "direction", "published_strength",
                  "published_level", "derived_level", "level_source", "derived_strength", "verdict"]
EVIDENCE_COLUMNS = ["reference", "design", "quality", "quality_text", "finding", "effect_size", "outcomes",
                    "documentation"]


def phases_of(phase: str) -> tuple[str, ...]:
    """The phases a recommendation's phase cell names ('acute/chronic' -> two), () when none."""
    return tuple(p for p in phase.split("/") if p) if phase else ()


def groups(guideline: Guideline) -> tuple[str, ...]:
    """The guideline's diagnostic groups: its manifest's vocabulary, else those its table names, in order."""
    return guideline.manifest.values("diagnostic_group") or tuple(dict.fromkeys(
        g for g in guideline.recommendations["diagnostic_group"] if g))


def phases(guideline: Guideline) -> tuple[str, ...]:
    """The guideline's phases: its manifest's vocabulary, else those its table names, in order."""
    return guideline.manifest.values("phase") or tuple(dict.fromkeys(
        p for v in guideline.recommendations["phase"] for p in phases_of(v)))


def reference_label(guideline: Guideline, reference: str) -> str:
    """How a row's reference cell is shown: 'ref 321', or 'ref 3 (hansen2021)' for one cited by its key."""
    number = guideline.number_of(reference)
    if number is None or str(number) == reference:
        return f"ref {reference}"
    return f"ref {number} ({reference})"


def _check(name: str, value: str | None, allowed) -> None:
    if value is not None and value not in allowed:
        raise UnknownValueError(name, value, (*allowed, None))


def browse(guideline: Guideline, gradings: list[Grading] | None = None, *, group: str | None = None,
           phase: str | None = None, topic: str | None = None, strength: str | None = None,
           level: str | None = None) -> pd.DataFrame:
    """Recommendations with their published and derived grading, filtered; None means any.

    `phase` matches any phase of a multi-phase recommendation ('' selects those naming no phase);
    `topic` is a case-insensitive part of the Norwegian or English topic; `strength` matches either
    end of a published range; `level` matches the printed level, else the level named in words (LEVEL-IN-WORDS),
    else the derived one (column `level_source` says which).
    """
    _check("diagnostic group", group, groups(guideline))
    _check("phase", phase, phases(guideline) + (NO_PHASE,))
    scheme = guideline.scheme
    _check("strength", strength, scheme.strength_codes)
    _check("level", level, scheme.level_codes)
    gradings = gradings if gradings is not None else reproduce(guideline)
    by_id = {g.id: g for g in gradings}
    recs = guideline.recommendations
    rows = []
    for rec in recs.to_dict("records"):
        g = by_id.get(rec["id"])
        if g is None:
            continue
        if group is not None and rec["diagnostic_group"] != group:
            continue
        if phase is not None and not (phase in phases_of(rec["phase"]) or (phase == NO_PHASE and not rec["phase"])):
            continue
        if topic is not None and topic.lower() not in f"{rec['topic']}\n{rec['topic_en']}".lower():
            continue
        if strength is not None and strength not in scheme.parse_strength(rec["published_strength"]):
            continue
        if level is not None and g.level_used != level:
            continue
        rows.append({"id": rec["id"], **{c: rec[c] for c in BROWSE_COLUMNS[:7]},
                     "derived_level": g.derived_level, "level_source": g.level_source,
                     "derived_strength": g.derived_strength, "verdict": g.comparison.verdict})
    return pd.DataFrame(rows, columns=["id", *BROWSE_COLUMNS]).set_index("id")


def filter_options(guideline: Guideline) -> dict[str, tuple[str, ...]]:
    """The values each `browse` filter takes for this guideline, in a sensible order."""
    recs = guideline.recommendations
    present = {p for v in recs["phase"] for p in phases_of(v)}
    scheme = guideline.scheme
    strengths = {s for v in recs["published_strength"] for s in scheme.parse_strength(v)}
    return {
        "group": tuple(g for g in groups(guideline) if g in set(recs["diagnostic_group"])),
        "phase": tuple(p for p in phases(guideline) if p in present)
        + ((NO_PHASE,) if (recs["phase"] == "").any() else ()),
        "topic": tuple(dict.fromkeys(recs["topic_en"])),
        "strength": tuple(s for s in scheme.strength_codes if s in strengths),
        "level": scheme.level_codes,
    }


def _indented(text: str, width: int) -> str:
    return textwrap.fill(text, width, initial_indent="  ", subsequent_indent="  ")


@dataclass(frozen=True)
class RecommendationView:
    """Everything about one recommendation: text, published and derived grading, evidence, references."""

    record: Mapping[str, str]
    grading: Grading
    evidence: pd.DataFrame
    references: tuple[FormattedReference, ...]
    reference_labels: tuple[str, ...] = ()  # each evidence row's reference as shown ('ref 3 (hansen2021)')

    @property
    def id(self) -> str:
        return self.grading.id

    def reference_counts(self) -> dict[str, int]:
        """How many of the cited references are verified, likely, unresolved, missing, or ordinary ('')."""
        out: dict[str, int] = {}
        for r in self.references:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def as_text(self, width: int = 100) -> str:
        """The whole view as readable plain text."""
        r, g = self.record, self.grading
        wrap = partial(_indented, width=width)
        judged = ", ".join(f"{j.removeprefix('agree_')}: {r.get(j, 'unrecorded')}" for j in JUDGEMENTS)
        phase = r.get("phase") or "no phase named"
        topic, english = r.get("topic", ""), r.get("topic_en", "")
        named = f"{topic} ({english})" if english and english != topic else topic
        lines = [f"{g.id}  {named} — section {g.section}, "
                 f"{r.get('diagnostic_group', '')}, {phase}", "", "Text:", wrap(g.text), "",
                 "Published grading:",
                 f"  strength {g.published_strength or 'none'}"
                 + (f" ('{r['published_strength_text']}')" if r.get("published_strength_text") else "")
                 + f", level {g.published_level or 'not printed'}, direction {g.direction}"]
        if g.justification:
            lines.append(wrap(f"justification recorded: {g.justification}"))
        lines.append(f"  working group's judgements — {judged}")
        if r.get("judgement_note"):
            lines.append(wrap(f"judgement note: {r['judgement_note']}"))
        just = "" if not g.deviates else (
            " (justified)" if g.comparison.justified else " (NO justification recorded)")
        lines += ["", f"Derived grading (scheme {g.scheme}):",
                  f"  level {g.derived_level}" + ("" if g.level_source == "derived" else
                                                    f" ({g.level_used_text})")
                  + f", strength {g.derived_strength}, verdict {g.comparison.verdict}{just}",
                  wrap(g.rule()), "", f"Evidence ({len(self.evidence)} rows):"]
        labels = self.reference_labels or tuple(f"ref {r}" for r in self.evidence["reference"])
        for e, label in zip(self.evidence.to_dict("records"), labels):
            ref = label if e["reference"] else "no reference"
            lines.append(f"  - {ref}: {DESIGNS.get(e['design'], e['design'])}, quality {e['quality']}"
                         + (f" ('{e['quality_text']}')" if e["quality_text"] else "")
                         + f", finding {e['finding']}, effect {e['effect_size']}, outcomes {e['outcomes']}")
        docs = list(dict.fromkeys(d for d in self.evidence["documentation"] if d))
        if docs:
            lines += ["", "Documentation (as printed):", *(wrap(d) for d in docs)]
        counts = ", ".join(f"{n} {s or 'cited'}" for s, n in sorted(self.reference_counts().items()))
        lines += ["", f"References ({counts or 'none cited'}):"]
        if self.references:
            lines.append(render_references(self.references, "text").rstrip("\n"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()


def view(guideline: Guideline, rec_id: str, gradings: list[Grading] | None = None) -> RecommendationView:
    """One recommendation in full; references sorted by the guideline's own numbers."""
    guideline.recommendation(rec_id)  # a located error for an unknown id
    gradings = gradings if gradings is not None else reproduce(guideline)
    grading = next((g for g in gradings if g.id == rec_id), None)
    if grading is None:
        raise UnknownValueError("recommendation among the gradings given", rec_id, [g.id for g in gradings][:5])
    record = {k: v for k, v in guideline.recommendations.loc[rec_id].to_dict().items() if not k.startswith("_")}
    rows = guideline.evidence[guideline.evidence["recommendation_id"] == rec_id][EVIDENCE_COLUMNS]
    refs = guideline_references(guideline, sorted(guideline.cited(rec_id)))
    labels = tuple(reference_label(guideline, r) for r in rows["reference"])
    return RecommendationView(record, grading, rows.reset_index(drop=True), tuple(refs), labels)


def glossary(guideline: Guideline, search: str | None = None) -> pd.DataFrame:
    """The glossary (chapter 3), optionally only terms whose Norwegian, English or definition contains `search`."""
    table = guideline.glossary
    if table.empty:
        return pd.DataFrame(columns=["term", "term_en", "definition"])
    table = table[["term", "term_en", "definition"]]
    if search:
        hay = (table["term"] + "\n" + table["term_en"] + "\n" + table["definition"]).str.lower()
        table = table[hay.str.contains(search.lower(), regex=False)]
    return table.reset_index(drop=True)


def flags(guideline: Guideline, colour: str | None = None) -> pd.DataFrame:
    """The red, yellow and green flags (chapter 6), optionally of one colour."""
    _check("flag colour", colour, COLOURS)
    table = guideline.flags
    if table.empty:
        return pd.DataFrame(columns=["colour", "flag", "flag_en", "section"])
    table = table[["colour", "flag", "flag_en", "section"]]
    if colour is not None:
        table = table[table["colour"] == colour]
    return table.reset_index(drop=True)


def deviations(gradings: list[Grading]) -> pd.DataFrame:
    """Every strength that departs from its evidence, with the justification the guideline records, or its absence."""
    rows = [{"id": g.id, "topic": g.topic, "published_strength": g.published_strength or "",
             "level": g.level_used, "level_source": g.level_source, "derived_strength": g.derived_strength,
             "verdict": g.comparison.verdict, "justified": g.comparison.justified,
             "justification": g.justification or "— none recorded —"}
            for g in gradings if g.deviates]
    return pd.DataFrame(rows, columns=["id", "topic", "published_strength", "level", "level_source",
                                       "derived_strength", "verdict", "justified", "justification"]).set_index("id")


def derived_levels(gradings: list[Grading]) -> pd.DataFrame:
    """Every level the toolkit derives where the guideline prints none, with the rule and reasons that made it."""
    rows = [{"id": g.id, "topic": g.topic, "derived_level": g.derived_level, "rule": g.level.rule,
             "because": g.level.because, "choices": ", ".join(g.level.choices)}
            for g in gradings if g.level_source != "printed"]
    return pd.DataFrame(rows, columns=["id", "topic", "derived_level", "rule", "because", "choices"]).set_index("id")


def evidence_summary(guideline: Guideline, rec_id: str) -> str:
    """A recommendation's evidence rows in one line: 'ref 321 guideline good benefit; consensus'."""
    rows = guideline.evidence[guideline.evidence["recommendation_id"] == rec_id]
    parts = []
    for e in rows.to_dict("records"):
        ref = f"{reference_label(guideline, e['reference'])} " if e["reference"] else ""
        parts.append(f"{ref}{e['design']} {e['quality']} {e['finding']}" if e["design"] != "consensus"
                     else f"{ref}consensus")
    return "; ".join(parts) or "no evidence rows"


def _known(guideline: Guideline, ref: FormattedReference) -> str:
    """The formatted entry; for an unresolved one what the text says of it; else why it could not be formatted."""
    return ref.text or guideline.bibliography.field_of(ref.key, "seed_context") or f"[{ref.note}]"


def reference_table(guideline: Guideline, statuses: tuple[str, ...] = ("unresolved", "likely")) -> pd.DataFrame:
    """The cited references of the given identification statuses: who cites them and what is known of them."""
    citing: dict[int, list[str]] = {}
    for rid, ref in zip(guideline.evidence["recommendation_id"], guideline.evidence["reference"]):
        number = guideline.number_of(ref) if ref else None
        if number is not None:
            citing.setdefault(number, []).append(rid)
    numbers = [n for n in sorted(citing) if guideline.reference_status(n) in statuses]
    rows = [{"reference": r.number, "status": r.status, "cited_by": ", ".join(dict.fromkeys(citing[r.number])),
             "what_is_known": _known(guideline, r)} for r in guideline_references(guideline, numbers)]
    return pd.DataFrame(rows, columns=["reference", "status", "cited_by", "what_is_known"]).set_index("reference")


def findings_table(guideline: Guideline, findings) -> pd.DataFrame:
    """Audit findings with the evidence behind each: a recommendation's rows, or what is known of a reference."""
    rows = []
    for f in findings:
        if f.subject.startswith("ref "):
            n = int(f.subject.removeprefix("ref "))
            behind = _known(guideline, guideline_references(guideline, [n])[0])
        else:
            behind = evidence_summary(guideline, f.subject)
        rows.append({"kind": f.kind, "subject": f.subject, "detail": f.detail, "evidence": behind})
    return pd.DataFrame(rows, columns=["kind", "subject", "detail", "evidence"])


def output_folder(where: str | Path | None = None) -> Path:
    """The folder a notebook writes its files to: the one given (made when missing), else a new temporary folder
    (grading-reports-…); never the guideline's own folder unless asked."""
    if where is None:
        return Path(tempfile.mkdtemp(prefix="grading-reports-"))
    folder = Path(where).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- showing tables whole ------------------------------------------------------------------------------------

# JupyterLab lays tables out at a fixed width and cuts long cells; a table shown by `show` wraps its text instead,
# keeps every row and column, and scrolls sideways inside its own box when it is wider than the page.
TABLE_CSS = ("<style>.grading-table { table-layout: auto !important; border-collapse: collapse; } "
             ".grading-table td, .grading-table th { white-space: normal !important; text-align: left !important; "
             "vertical-align: top !important; max-width: 38em; overflow-wrap: break-word; } "
             ".grading-table thead th { white-space: nowrap !important; }</style>")


class Table:
    """A table a notebook shows whole: every row and column, long text wrapped rather than cut off."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame

    def _repr_html_(self) -> str:
        body = self.frame.to_html(classes="grading-table", max_rows=None, max_cols=None, border=0)
        return f'{TABLE_CSS}<div style="overflow-x: auto; max-width: 100%">{body}</div>'

    def __repr__(self) -> str:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.max_colwidth", None,
                               "display.width", 1000):
            return repr(self.frame)

    def __len__(self) -> int:
        return len(self.frame)


def show(frame: pd.DataFrame) -> Table:
    """A table shown whole in a notebook (the red flags, the scheme's definitions, every recommendation)."""
    return Table(frame)


def scheme_grades(scheme: Scheme, which: str = "levels") -> pd.DataFrame:
    """The scheme's levels or strengths in its own words: code, name and definition."""
    if which not in ("levels", "strengths"):
        raise UnknownValueError("grade kind", which, ("levels", "strengths"))
    grades = scheme.levels if which == "levels" else scheme.strengths
    key = which.removesuffix("s")
    return pd.DataFrame([{key: g.code, "name": g.norwegian or g.english, "definition": g.definition}
                         for g in grades], columns=[key, "name", "definition"]).set_index(key)


class SummariesOfFindings:
    """Every Summary of Findings table of a guideline graded by certainty, shown one after another in a notebook;
    a sentence saying why there is none for a guideline graded by levels."""

    def __init__(self, gradings: list[Grading], scheme: Scheme):
        self.gradings = [g for g in gradings if g.profile is not None and g.profile.outcomes]
        self.scheme = scheme

    def _repr_html_(self) -> str:
        from ..render.sof import sof_html
        if not self.gradings:
            return f"<p>{html.escape(str(self))}</p>"
        return "\n".join(sof_html(g, self.scheme) for g in self.gradings)

    def __str__(self) -> str:
        if self.gradings:
            n = len(self.gradings)
            return f"{n} Summary of Findings table{'' if n == 1 else 's'} (shown as tables in a notebook)"
        return (f"No Summary of Findings: the guideline is graded by scheme {self.scheme.name}, by levels of "
                "documentation, with no outcomes rated for certainty." if self.scheme.certainty is None else
                "No Summary of Findings: no recommendation has outcome rows yet (evidence/outcomes.csv).")

    __repr__ = __str__

    def __len__(self) -> int:
        return len(self.gradings)


def summaries_of_findings(gradings: list[Grading], scheme: Scheme) -> SummariesOfFindings:
    """The Summary of Findings tables of every recommendation graded by certainty (GRADE's layout)."""
    return SummariesOfFindings(gradings, scheme)
