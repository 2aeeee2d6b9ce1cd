"""What each page of the site shows, gathered from one guideline as plain records for the templates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ...analyses.agreement import Agreement
from ...analyses.audit import KINDS, Finding
from ...analyses.fragility import Fragility
from ...errors import UnknownValueError
from ...grade import Grading
from ...io.guideline import Guideline
from ...records import EvidenceRow
from ...revisions import Revised, Revision
from ...revisions.apply import RecommendationDiff, describe_change
from ...revisions.appraisals import Applied
from ...vocab import DESIGNS, FINDINGS, JUDGEMENT_LABELS, JUDGEMENTS, QUALITIES, VERDICTS
from ..references import FormattedReference, guideline_references

EVIDENCE_FIELDS = ("reference", "design", "quality", "quality_text", "finding", "effect_size", "outcomes",
                   "documentation", "seed_lines")
# Fields that later work may add to a Grading (verdict ranges, certainty, what to appraise): shown when present.
OPTIONAL_GRADING_FIELDS = (("certainty", "Certainty of the verdict"), ("level_range", "Range of the level"),
                           ("strength_range", "Range of the strength"), ("verdict_range", "Range of the verdict"),
                           ("to_appraise", "To appraise"))


def manifest_of(guideline: Guideline) -> Any:
    """The guideline's manifest (guideline.toml, or the neutral defaults)."""
    return guideline.manifest


def guideline_title(guideline: Guideline) -> str:
    """The title as the guideline's manifest gives it, with its year."""
    return str(guideline.manifest.heading)


def section_title(guideline: Guideline, section: str) -> str:
    """A section's heading from the manifest's [sections]."""
    return str(guideline.manifest.sections.get(section, ""))


def reconstructed(guideline: Guideline) -> bool:
    """True where the reference list is a reconstruction: its entries say how each was identified."""
    return guideline.bibliography.reconstructed


def page_name(rec_id: str, taken: set[str]) -> str:
    """A safe, unique file name for a recommendation's page: its id where the id is plain, else a slug and hash."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", rec_id)[:80].lstrip(".") or "rec"
    if slug != rec_id or slug.lower() in taken:
        slug += "-" + hashlib.sha1(rec_id.encode("utf-8")).hexdigest()[:8]
    taken.add(slug.lower())
    return f"{slug}.html"


@dataclass(frozen=True)
class Badge:
    """A strength, level or direction shown as a small label; `kind` and `rank` choose its colour."""

    text: str
    kind: str  # strength | level | direction | derived | none
    rank: int = -1
    title: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    """One saved revision of a recommendation and what became of it in this edition."""

    revision: Revision
    state: str  # applied | conflict | saved
    changes: tuple[str, ...]


@dataclass(frozen=True)
class RecPage:
    """Everything one recommendation's page shows."""

    id: str
    file: str
    grading: Grading
    record: Mapping[str, Any]
    section_title: str
    evidence: tuple[Mapping[str, str], ...]
    documentation: tuple[str, ...]
    references: tuple[FormattedReference, ...]
    fragility: Fragility | None
    history: tuple[HistoryEntry, ...] = ()
    diff: RecommendationDiff | None = None
    optional: tuple[tuple[str, str], ...] = ()  # (label, value) of optional Grading fields present
    findings: tuple[Finding, ...] = ()
    judgements: tuple[tuple[str, str], ...] = ()
    badges: tuple[Badge, ...] = ()
    derived_badges: tuple[Badge, ...] = ()
    agreement: Agreement | None = None  # the working group's votes, where there are any
    voted: Grading | None = None  # the grading with the agreement the votes give (VOTES-REPLACE-TEXT)


def strength_badges(guideline: Guideline, published: str | None) -> list[Badge]:
    """One badge per grade of a published strength ('strong/moderate' gives two), or 'no strength'."""
    scheme = guideline.scheme
    try:
        parts = scheme.parse_strength(published)
    except UnknownValueError:  # a strength this scheme cannot read is shown as written
        return [Badge(str(published), "strength")]
    if not parts:
        return [Badge("no strength printed", "none")]
    codes = scheme.strength_codes
    return [Badge(scheme.strength(p).english or p, "strength", codes.index(p), scheme.strength(p).norwegian)
            for p in parts]


def level_badge(guideline: Guideline, g: Grading) -> Badge:
    """The level a grading uses: printed, named in words in the text (LEVEL-IN-WORDS), or '(derived)'."""
    codes = guideline.scheme.level_codes
    rank = codes.index(g.level_used) if g.level_used in codes else -1
    if g.level_source == "printed":
        return Badge(g.level_used, "level", rank, "level printed in the guideline")
    if g.level_source == "in_words":
        words = g.recommendation.published_level_words
        return Badge(f"{g.level_used} (in words)", "level", rank,
                     f"level named in words in the guideline's text: “{words}”; no level is printed")
    return Badge(f"({g.level_used})", "derived", rank, "level derived from the evidence rows; none is printed")


def direction_badge(direction: str) -> Badge:
    label = {"for": "for", "against": "against", "none": "no recommendation"}.get(direction, direction)
    return Badge(label, "direction", title="direction of the recommendation")


def badges(guideline: Guideline, g: Grading) -> tuple[Badge, ...]:
    """The published strength, the level used and the direction, as badges."""
    return (*strength_badges(guideline, g.published_strength), level_badge(guideline, g),
            direction_badge(g.direction))


def derived_badges(guideline: Guideline, g: Grading) -> tuple[Badge, ...]:
    codes = guideline.scheme.strength_codes
    s = g.derived_strength
    label = guideline.scheme.strength(s).english if s in codes else s
    return (Badge(f"derived: {label}", "strength", codes.index(s) if s in codes else -1,
                  "strength the evidence carries, by the scheme's rules"),)


def evidence_rows(guideline: Guideline, appraised_by: Callable[[EvidenceRow], Applied | None] | None = None
                  ) -> dict[str, list[dict[str, str]]]:
    """Every recommendation's evidence rows as shown (codes with their English labels, the reference as the list
    numbers it), read from the guideline's typed rows; a row whose quality an appraisal set (`appraised_by`, from
    grading.results) says so ('appraised'), with the text's own words on its quality apart ('text_words')."""
    out: dict[str, list[dict[str, str]]] = {}
    for row in guideline.evidence_rows:
        applied = appraised_by(row) if appraised_by is not None else None
        shown = {"reference": row.reference, "number": "" if row.number is None else str(row.number),
                 "design": row.design, "quality": row.quality, "quality_text": row.quality_text,
                 "finding": row.finding, "effect_size": row.effect_size, "outcomes": ";".join(row.outcomes),
                 "documentation": row.documentation, "seed_lines": row.seed_lines,
                 "design_label": DESIGNS.get(row.design, row.design),
                 "quality_label": QUALITIES.get(row.quality, row.quality),
                 "finding_label": FINDINGS.get(row.finding, row.finding) if not row.scope else
                 "not graded: the text speaks of the whole section's basis",
                 "scope": row.scope,
                 "appraised": applied.label if applied else "",
                 "text_words": row.quality_text[len(applied.label):].removeprefix("; the text: ") if applied
                 else row.quality_text}
        out.setdefault(row.recommendation_id, []).append(shown)
    return out


def optional_fields(g: Grading) -> tuple[tuple[str, str], ...]:
    """The optional fields a Grading carries (None where absent), as (label, text)."""
    out = []
    for name, label in OPTIONAL_GRADING_FIELDS:
        value = getattr(g, name, None)
        if value is None or value == () or value == "":
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ", ".join(str(v) for v in value)
        out.append((label, str(value)))
    return tuple(out)


def history(revisions: Iterable[Revision], revised: Revised | None) -> dict[str, list[HistoryEntry]]:
    """Every saved revision per recommendation, oldest first, with what became of it in this edition."""
    applied = {id(r) for r in revised.applied} if revised else set()
    conflicting = {id(c.revision) for c in revised.conflicts} if revised else set()
    out: dict[str, list[HistoryEntry]] = {}
    for r in sorted(revisions, key=lambda r: r.when()):
        state = "applied" if id(r) in applied else "conflict" if id(r) in conflicting else "saved"
        out.setdefault(r.recommendation_id, []).append(
            HistoryEntry(r, state, tuple(describe_change(c) for c in r.changes)))
    return out


def rec_pages(guideline: Guideline, gradings: list[Grading], fragility: Mapping[str, Fragility],
              findings: list[Finding], revisions: Iterable[Revision] = (), revised: Revised | None = None,
              diffs: Iterable[RecommendationDiff] = (),
              formatted: Mapping[int, FormattedReference] | None = None,
              agreements: Mapping[str, Agreement] | None = None,
              voted: Mapping[str, Grading] | None = None,
              appraised_by: Callable[[EvidenceRow], Applied | None] | None = None) -> list[RecPage]:
    """The page of every recommendation, in table order (`formatted`: the references formatted already;
    `agreements`: the votes per recommendation; `voted`: the gradings they give; `appraised_by`: the appraisal
    that set a row's quality; all from grading.results)."""
    formatted, agreements, voted = formatted or {}, agreements or {}, voted or {}
    taken: set[str] = set()
    by_history = history(revisions, revised)
    by_diff = {d.id: d for d in diffs}
    by_subject: dict[str, list[Finding]] = {}
    for f in findings:
        by_subject.setdefault(f.subject, []).append(f)
    recs = guideline.recommendations
    columns = [c for c in recs.columns if not str(c).startswith("_")]
    records = {row[0]: dict(zip(columns, row[1:])) for row in recs[["id", *columns]].itertuples(index=False)}
    rows_of = evidence_rows(guideline, appraised_by)
    pages = []
    for g in gradings:
        record = records[g.id]
        rows = tuple(rows_of.get(g.id, ()))
        docs = tuple(dict.fromkeys(r["documentation"] for r in rows if r["documentation"]))
        numbers = sorted(guideline.cited(g.id))
        refs = tuple(formatted[n] if n in formatted else guideline_references(guideline, [n])[0] for n in numbers)
        judged = tuple((JUDGEMENT_LABELS[j], g.recommendation.judgements.get(j, "unrecorded")) for j in JUDGEMENTS)
        pages.append(RecPage(g.id, page_name(g.id, taken), g, record, section_title(guideline, g.section), rows,
                             docs, refs, fragility.get(g.id), tuple(by_history.get(g.id, ())), by_diff.get(g.id),
                             optional_fields(g), tuple(by_subject.get(g.id, ())), judged, badges(guideline, g),
                             derived_badges(guideline, g), agreements.get(g.id),
                             voted.get(g.id)))
    return pages


@dataclass(frozen=True)
class SectionGroup:
    """Recommendations under one heading: a section, a topic, a diagnostic group or a phase."""

    key: str
    title: str
    pages: tuple[RecPage, ...]
    topics: tuple[tuple[str, str, tuple[RecPage, ...]], ...] = ()  # (topic, topic_en, pages) within it


def _topics(pages: Iterable[RecPage]) -> tuple[tuple[str, str, tuple[RecPage, ...]], ...]:
    groups: dict[tuple[str, str], list[RecPage]] = {}
    for p in pages:
        groups.setdefault((p.grading.topic, str(p.record.get("topic_en", ""))), []).append(p)
    return tuple((t, en, tuple(ps)) for (t, en), ps in groups.items())


def by_section(guideline: Guideline, pages: list[RecPage]) -> list[SectionGroup]:
    """Recommendations by section, then by topic, in the guideline's order."""
    sections: dict[str, list[RecPage]] = {}
    for p in pages:
        sections.setdefault(p.grading.section, []).append(p)
    return [SectionGroup(s, section_title(guideline, s), tuple(ps), _topics(ps)) for s, ps in sections.items()]


def by_group_and_phase(pages: list[RecPage], group_order: Iterable[str], phase_order: Iterable[str],
                       labels: Mapping[str, str] | None = None) -> list[SectionGroup]:
    """Recommendations by diagnostic group, then by phase (a multi-phase one under each of its phases)."""
    groups: dict[str, list[RecPage]] = {g: [] for g in group_order}
    for p in pages:
        groups.setdefault(str(p.record.get("diagnostic_group", "")), []).append(p)
    english = dict(labels or {})

    def label(value: str, empty: str) -> str:
        en = english.get(value, "")
        return (f"{value} ({en})" if en and en != value else value) if value else empty

    out = []
    for group, ps in groups.items():
        if not ps:
            continue
        phases: dict[str, list[RecPage]] = {ph: [] for ph in phase_order}
        for p in ps:
            for ph in p.grading.recommendation.phases or ("",):
                phases.setdefault(ph, []).append(p)
        out.append(SectionGroup(group, label(group, "no diagnostic group named"), tuple(ps),
                                tuple((ph, label(ph, "no phase named"), tuple(v)) for ph, v in phases.items() if v)))
    return out


def findings_by_kind(findings: list[Finding]) -> list[tuple[str, str, list[Finding]]]:
    """(kind, what it means, findings) for every kind the audit knows, then any other kind found."""
    kinds = dict(KINDS)
    kinds.update({f.kind: f.kind.replace("_", " ") for f in findings if f.kind not in kinds})
    return [(k, what, [f for f in findings if f.kind == k]) for k, what in kinds.items()]


def change_groups(log: Mapping[str, Any]) -> list[tuple[str, list[tuple[Mapping[str, Any], list[str]]]]]:
    """A change log's recommendations by status (changed, added, removed, re-affirmed), each with its items."""
    from ..changes import STATUS, items
    return [(title, [(e, items(e)) for e in log["recommendations"] if e["status"] == status])
            for status, title in STATUS.items() if any(e["status"] == status for e in log["recommendations"])]


def verdict_label(verdict: str) -> str:
    return VERDICTS.get(verdict, verdict)
