"""What each page of the site shows, gathered from one guideline as plain records for the templates."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...analyses.agreement import Agreement
from ...analyses.audit import KINDS, Finding
from ...analyses.etd import CriterionTally
from ...analyses.fragility import Fragility
from ...errors import UnknownValueError
from ...grade import Grading
from ...io.guideline import Guideline
from ...records import EvidenceRow
from ...revisions import Revised, Revision
from ...revisions.apply import RecommendationDiff, describe_change
from ...revisions.appraisals import Applied
from ...revisions.etd import CONCLUSION_WORDS, EtdHistory, EtdRecord
from ...vocab import DESIGNS, FINDINGS, JUDGEMENT_LABELS, JUDGEMENTS, OUTCOMES_OF_VOTES, QUALITIES, VERDICTS
from ..references import FormattedReference, guideline_references
from ..sof import sof_fragment

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
    words: Mapping[str, str] = field(default_factory=dict)  # strength, carried, level range, standing: in words
    reader: tuple[tuple[str, str, str], ...] = ()  # (anchor, heading, text) of the reader content written
    key_information: tuple[tuple[str, str], ...] = ()  # (heading, text) of the key information written
    sof: str = ""  # the Summary of Findings table (certainty model), great_tables' HTML without its stylesheet
    etd: EtdView | None = None  # the Evidence-to-Decision framework, where it records a judgement

    @property
    def standing(self) -> str:
        """Where the verdict stands over every reading: a key of STANDING_WORDS."""
        return self.words.get("standing", "")


# --- the Evidence-to-Decision framework (docs/etd.md) ------------------------------------------------------------

# The criteria a reader needs first are the scheme's to say ([[etd.criteria]] key_information: GRADE's effects,
# certainty, values and resources); a framework that marks none (norway-2007's three questions) shows them all.
NOT_JUDGED = "not judged"  # a criterion of the framework the record leaves out
SILENT = ("", "unrecorded")  # a judgement that says nothing


@dataclass(frozen=True)
class EtdRow:
    """One criterion of the framework as a page shows it: its name and question, the judgement and what it rests
    on, and the votes on it where the panel voted."""

    key: str
    name: str
    question: str
    judgement: str
    evidence: str = ""
    considerations: str = ""
    votes: str = ""  # the counted votes in words, '' where none was cast
    outcome: str = ""  # what they decide and by which rule, '' where none was cast


@dataclass(frozen=True)
class EtdView:
    """A recommendation's Evidence-to-Decision framework in words, in layers: the key criteria and the justification
    first, then every criterion, the conclusion, where it comes from and the votes."""

    rows: tuple[EtdRow, ...]  # every criterion of the scheme's framework, in its order
    key: tuple[EtdRow, ...]  # the key information
    conclusion: tuple[tuple[str, str], ...]  # (field in words, value) of each conclusion field recorded
    justification: str
    source: str  # where it comes from, in words
    rule: str  # ETD-FROM-TEXT or ETD-LATEST
    from_text: bool  # its texts are the guideline's own words (in the guideline's language)
    conclusion_votes: str = ""  # the votes on the strength, in words, '' where none proposed one

    @property
    def voted(self) -> tuple[EtdRow, ...]:
        return tuple(r for r in self.rows if r.votes)


def etd_recorded(record: EtdRecord | None) -> bool:
    """True where a record judges at least one criterion (a judgement other than unrecorded or empty): the
    site and the report show such a framework and nothing for one that says nothing."""
    return record is not None and any(j.judgement not in SILENT for j in record.criteria.values())


def etd_source(history: EtdHistory) -> str:
    """'as the guideline's text records it, seed lines 1586-1591', or 'saved by Kari Nordmann on 2026-12-05 10:30
    UTC; 2 earlier records'."""
    r = history.current
    assert r is not None
    if r.from_text:
        return "as the guideline's text records it" + (f", seed lines {r.seed_lines}" if r.seed_lines else "")
    earlier = len(history.saved) - 1
    return (f"saved by {r.author} on {r.when():%Y-%m-%d %H:%M} UTC; "
            + (f"{earlier} earlier record{'s' if earlier != 1 else ''}" if earlier > 0 else "no earlier record"))


def _votes_words(t: CriterionTally, words: Callable[[str], str] = str) -> tuple[str, str]:
    """(the counted votes, what they decide) of a tally, in words."""
    counts = ", ".join(f"{words(k) if k != 'abstain' else k} {n}" for k, n in t.counts.items()) or "none counted"
    if t.recused:
        counts += f"; {t.recused} recused, not counted"
    outcome = OUTCOMES_OF_VOTES.get(t.outcome, t.outcome)
    decided = f": {words(t.decided)}" if t.decided else ""
    return counts, f"{outcome}{decided} ({t.because.strip()} Rule {t.rule}.)"


def etd_view(guideline: Guideline, history: EtdHistory | None,
             tallies: Mapping[str, CriterionTally] | None = None) -> EtdView | None:
    """A recommendation's EtD as its page shows it, or None where none is recorded or it judges nothing."""
    etd = guideline.scheme.etd
    record = history.current if history is not None else None
    if etd is None or history is None or record is None or not etd_recorded(record):
        return None
    tallies = tallies or {}
    rows = []
    for c in etd.criteria:
        j = record.criteria.get(c.key)
        counts, outcome = _votes_words(tallies[c.key]) if c.key in tallies else ("", "")
        rows.append(EtdRow(c.key, c.name, c.question, j.judgement if j else NOT_JUDGED, j.evidence if j else "",
                           j.considerations if j else "", counts, outcome))
    first = {c.key for c in etd.criteria if c.key_information}
    key = tuple(r for r in rows if r.key in first) or tuple(rows)

    def value(k: str, v: str) -> str:
        if k == "strength":
            return strength_words(guideline, v) or v
        return DIRECTION_WORDS.get(v, v) if k == "direction" else v

    conclusion = tuple((CONCLUSION_WORDS.get(k, k), value(k, v)) for k, v in record.conclusion.items() if v.strip())
    said = ""
    if "conclusion" in tallies:
        counts, outcome = _votes_words(tallies["conclusion"], lambda s: strength_words(guideline, s) or s)
        said = f"{counts}; {outcome}"
    return EtdView(tuple(rows), key, conclusion, record.conclusion.get("justification", "").strip(),
                   etd_source(history), record.rule, record.from_text, said)


def strength_words(guideline: Guideline, value: str | None) -> str:
    """A strength in the scheme's English words: 'Strong', a printed range 'Strong to moderate', or ''."""
    scheme = guideline.scheme
    try:
        parts = scheme.parse_strength(value)
    except UnknownValueError:  # a strength this scheme cannot read is shown as written
        return str(value or "")
    names = [scheme.strength(p).english or p for p in parts]
    return " to ".join([names[0], *(n.lower() for n in names[1:])]) if names else ""


def _rank(guideline: Guideline, code: str) -> int:
    codes = guideline.scheme.strength_codes
    return codes.index(code) if code in codes else -1


def strength_badges(guideline: Guideline, published: str | None) -> list[Badge]:
    """The published strength as one badge in words ('Strong to moderate' for a printed range), coloured by its
    first grade; 'no strength printed' where none is."""
    scheme = guideline.scheme
    try:
        parts = scheme.parse_strength(published)
    except UnknownValueError:  # a strength this scheme cannot read is shown as written
        return [Badge(str(published), "strength")]
    if not parts:
        return [Badge("no strength printed", "none")]
    norwegian = " / ".join(scheme.strength(p).norwegian for p in parts if scheme.strength(p).norwegian)
    return [Badge(strength_words(guideline, published), "strength", _rank(guideline, parts[0]),
                  f"published strength: {norwegian}" if norwegian else "published strength")]


def level_badge(guideline: Guideline, g: Grading) -> Badge | None:
    """The level as published: printed, or named in words in the text (LEVEL-IN-WORDS); None where the guideline
    publishes none (a level derived from the evidence is never shown as the published one)."""
    codes = guideline.scheme.level_codes
    rank = codes.index(g.level_used) if g.level_used in codes else -1
    if g.level_source == "printed":
        return Badge(f"level {g.level_used}", "level", rank, "level of documentation printed in the guideline")
    if g.level_source == "in_words":
        words = g.recommendation.published_level_words
        return Badge(f"level {g.level_used} (in words)", "level", rank,
                     f"level named in words in the guideline's text: “{words}”; no level is printed")
    return None


DIRECTION_WORDS = {"for": "for", "against": "against", "none": "no recommendation either way"}


def direction_badge(direction: str) -> Badge:
    """The direction of a recommendation, in words."""
    return Badge(DIRECTION_WORDS.get(direction, direction), "direction", title="direction of the recommendation")


def badges(guideline: Guideline, g: Grading) -> tuple[Badge, ...]:
    """The published strength, the level as published (where it is) and the direction, as badges."""
    level = level_badge(guideline, g)
    return (*strength_badges(guideline, g.published_strength), *([level] if level else []),
            direction_badge(g.direction))


def carried_words(guideline: Guideline, g: Grading) -> str:
    """What the evidence carries over every reading, in words: 'Weak to strong', or one strength."""
    span = g.strength_range
    if span is None or span[0] == span[1]:
        return strength_words(guideline, g.derived_strength)
    return f"{strength_words(guideline, span[0])} to {strength_words(guideline, span[1]).lower()}"


def level_range_words(g: Grading) -> str:
    """The level the rows derive over every reading: '**', or '* to ***'."""
    span = g.level_range
    return g.derived_level if span is None or span[0] == span[1] else f"{span[0]} to {span[1]}"


def derived_badges(guideline: Guideline, g: Grading) -> tuple[Badge, ...]:
    """What the evidence carries over every reading, as one badge labelled as derived from the evidence."""
    low = (g.strength_range or (g.derived_strength,))[0]
    return (Badge(f"{carried_words(guideline, g)} (derived from the evidence)", "strength",
                  _rank(guideline, low), "the strength the evidence rows carry by the scheme's rules, over every "
                  "reading of the appraisal the text leaves unstated; not the guideline's own grading"),)


# Where a verdict stands over every reading of the unstated appraisal (the audit's framing), in words.
STANDING_WORDS = {"certain_agree": "agrees with its evidence under every reading",
                  "certain_justified": "differs from its evidence under every reading; the guideline records why",
                  "certain_unjustified": "differs from its evidence under every reading; no reason is recorded",
                  "depends_on_appraisal": "depends on appraisal the text does not state",
                  "depends_on_choice": "depends on a contested choice of the scheme",
                  "not_comparable": "cannot be compared with its evidence"}
CERTAINTY_WORDS = {"certain": "certain: the same under every reading",
                   "depends_on_appraisal": "depends on appraisal the text does not state",
                   "depends_on_choice": "depends on a contested choice of the scheme"}


def standing_of(g: Grading) -> str:
    """Where a grading stands over every reading: a key of STANDING_WORDS."""
    from ..plots import standing  # the one split of the verdicts, shared with the agreement plot
    return standing(g)


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


def optional_fields(g: Grading, guideline: Guideline | None = None) -> tuple[tuple[str, str], ...]:
    """The optional fields a Grading carries (None where absent), as (label, words): a certainty and a verdict in
    words, a range as 'strong to moderate' (strengths in the scheme's words where `guideline` is given)."""
    out = []
    for name, label in OPTIONAL_GRADING_FIELDS:
        value = getattr(g, name, None)
        if value is None or value == () or value == "":
            continue
        if name == "certainty":
            value = CERTAINTY_WORDS.get(str(value), str(value))
        elif name == "verdict_range":
            value = ", ".join(VERDICTS.get(str(v), str(v)) for v in value)
        elif name in ("level_range", "strength_range") and isinstance(value, tuple):
            shown = [strength_words(guideline, str(v)) if guideline and name == "strength_range" else str(v)
                     for v in value]
            value = shown[0] if len(set(shown)) == 1 else f"{shown[0]} to {shown[-1].lower()}"
        elif isinstance(value, (list, tuple, set, frozenset)):
            value = ", ".join(str(v) for v in value)
        out.append((label, str(value)))
    return tuple(out)


# The reader content of a recommendation (records.READER_FIELDS) as its page heads it, MAGICapp's sections.
READER_HEADINGS = {"plain_summary": "In plain language", "practical_info": "Practical information",
                   "rationale": "Rationale"}
KEY_INFORMATION = {"benefits_harms": "Benefits and harms", "certainty_of_evidence": "Certainty of the evidence",
                   "values_preferences": "Values and preferences", "resources": "Resources and other considerations"}


def reader_content(g: Grading) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, str], ...]]:
    """What the group wrote for readers beside the recommendation: (anchor, heading, text) and the key information
    as (heading, text), each only where its cell holds something."""
    r = g.recommendation
    reader = tuple((name.replace("_", "-"), heading, getattr(r, name).strip())
                   for name, heading in READER_HEADINGS.items() if getattr(r, name).strip())
    key = tuple((heading, getattr(r, name).strip()) for name, heading in KEY_INFORMATION.items()
                if getattr(r, name).strip())
    return reader, key


def grading_words(guideline: Guideline, g: Grading) -> dict[str, str]:
    """A grading in words for the pages: the published strength, what the evidence carries, the level range, the
    standing over every reading and the default reading's verdict."""
    verdict = VERDICTS.get(g.comparison.verdict, g.comparison.verdict)
    if g.deviates:
        verdict += ", reason recorded" if g.comparison.justified else ", no justification recorded"
    standing = standing_of(g)
    return {"strength": strength_words(guideline, g.published_strength) or "no strength printed",
            "carried": carried_words(guideline, g), "levels": level_range_words(g), "standing": standing,
            "standing_words": STANDING_WORDS.get(standing, standing), "verdict": verdict,
            "direction": DIRECTION_WORDS.get(g.direction, g.direction),
            "derived": strength_words(guideline, g.derived_strength)}


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
              appraised_by: Callable[[EvidenceRow], Applied | None] | None = None,
              etds: Mapping[str, EtdHistory] | None = None,
              etd_votes: Mapping[str, Mapping[str, CriterionTally]] | None = None) -> list[RecPage]:
    """The page of every recommendation, in table order (`formatted`: the references formatted already;
    `agreements`: the votes per recommendation; `voted`: the gradings they give; `appraised_by`: the appraisal
    that set a row's quality; all from grading.results; `etds`: each recommendation's Evidence-to-Decision
    history, `etd_votes` the votes on its criteria, from revisions.etd and analyses.etd)."""
    formatted, agreements, voted = formatted or {}, agreements or {}, voted or {}
    etds, etd_votes = etds or {}, etd_votes or {}
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
                             optional_fields(g, guideline), tuple(by_subject.get(g.id, ())), judged,
                             badges(guideline, g), derived_badges(guideline, g), agreements.get(g.id),
                             voted.get(g.id), grading_words(guideline, g), *reader_content(g),
                             sof_fragment(g, guideline.scheme),
                             etd_view(guideline, etds.get(g.id), etd_votes.get(g.id))))
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


@dataclass(frozen=True)
class About:
    """What the front page says of the guideline before its recommendations, all from the manifest and results."""

    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value) of what the manifest and the build say
    citation: str  # how to cite the guideline, in its manifest's citation style
    language: str


def _person(name: str) -> dict[str, str]:
    """A manifest author ('Even Lærum') as a CSL name: the last word the family name."""
    given, _, family = name.strip().rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": family}


def how_to_cite(guideline: Guideline) -> str:
    """The guideline itself as its manifest's citation style formats it (a plain fallback where the style fails)."""
    from ..csl import fallback_text, format_item
    m = guideline.manifest
    item: dict[str, Any] = {"id": "guideline", "type": "report", "title": m.title}
    if m.authors:
        item["author"] = [_person(a) for a in m.authors]
    if m.publisher:
        item["publisher"] = m.publisher
    if m.year:
        item["issued"] = {"date-parts": [[int(m.year)]]}
    try:
        from ...io.manifest import citation_style_file
        text = format_item(item, citation_style_file(m.citation_style, guideline.root))
    except Exception:  # noqa: BLE001 — a style that cannot format the guideline still leaves a plain citation
        text = ""
    return text.removeprefix("1. ").removeprefix("1 ") or fallback_text(item)


def about(guideline: Guideline, edition: str, version: str) -> About:
    """The guideline's title, publisher, edition, year, version, licence and citation, from the manifest and the
    build; a field the manifest leaves empty says so."""
    m = guideline.manifest
    facts = (("Publisher", m.publisher or "not stated"), ("Year", str(m.year) if m.year else "not stated"),
             ("Edition", edition), ("Version", version),
             ("Authors", ", ".join(m.authors) if m.authors else "not stated"),
             ("Licence", m.licence or "not stated in the guideline"))
    return About(m.title, facts, how_to_cite(guideline), m.language)


@dataclass(frozen=True)
class MapRow:
    """One row of the evidence map: a diagnostic group's heading (`cells` empty) or a topic with its cells, one
    tuple of recommendation pages per phase column."""

    title: str
    group: bool
    cells: tuple[tuple[RecPage, ...], ...] = ()


def evidence_grid(guideline: Guideline, pages: list[RecPage], columns: list[str]) -> list[MapRow]:
    """The evidence map as rows of linked cells (topics against phases), in the picture's order."""
    from ..plots import group_label, map_cells
    by_id = {p.id: p for p in pages}
    cells = map_cells(guideline, [p.grading for p in pages])
    out: list[MapRow] = []
    last_group = None
    for (_row, group, topic), frame in cells.groupby(["row", "group", "topic_en"], sort=True):
        if group != last_group:
            out.append(MapRow(group_label(guideline, str(group)) or "no diagnostic group named", True))
            last_group = group
        shown = tuple(tuple(by_id[i] for i in frame[frame["column"] == c]["id"] if i in by_id)
                      for c in range(len(columns)))
        out.append(MapRow(str(topic) or "no topic named", False, shown))
    return out


# The audit page's groups, in the every-reading framing: (anchor, heading, what it means, the standings it holds).
STANDING_GROUPS = (
    ("certain-agree", "Certain: agrees with its evidence",
     "Under every reading of the unstated appraisal, the evidence carries the published strength.",
     ("certain_agree",)),
    ("certain-deviate", "Certain: differs from its evidence",
     "Under every reading, the published strength is stronger or weaker than its evidence carries; where the "
     "guideline records a reason, it is on the recommendation's page.", ("certain_justified", "certain_unjustified")),
    ("depends-on-appraisal", "Depends on appraisal",
     "Some readings of the appraisal the text leaves unstated carry the published strength and some do not: "
     "appraising the references named settles it.", ("depends_on_appraisal",)),
    ("depends-on-choice", "Depends on a contested choice",
     "The same under every reading of the appraisal, but a contested choice of the scheme, turned the other way, "
     "changes it.", ("depends_on_choice",)),
    ("not-comparable", "Cannot be compared",
     "The published strength and what the evidence carries cannot be set against each other (no strength printed, "
     "or no direction).", ("not_comparable",)),
)


def standings(pages: Iterable[RecPage]) -> list[tuple[str, str, str, list[RecPage]]]:
    """The recommendations grouped as the audit page shows them, in the every-reading framing."""
    pages = list(pages)
    return [(anchor, heading, what, [p for p in pages if p.standing in keys])
            for anchor, heading, what, keys in STANDING_GROUPS]


def code_words(guideline: Guideline) -> dict[str, str]:
    """Every code a reader could meet in the toolkit's explanations, with its words: the scheme's strengths
    ('no_basis' -> 'no basis to recommend'), the verdicts, the certainties and the outcomes."""
    scheme = guideline.scheme
    out = {code: (scheme.strength(code).english or code).lower() for code in scheme.strength_codes}
    out.update(VERDICTS)
    out.update({"depends_on_appraisal": "depends on appraisal", "depends_on_choice": "depends on a contested choice"})
    for outcome in guideline.manifest.values("outcomes") or ():
        out.setdefault(outcome, guideline.manifest.label("outcomes", outcome) or outcome.replace("_", " "))
    return {code: words for code, words in out.items() if "_" in code}  # a one-word code is a word already


def worded(text: object, codes: Mapping[str, str]) -> str:
    """A text of the toolkit's with every code in `codes` (from code_words) put in words."""
    if not codes:
        return str(text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(codes, key=len, reverse=True)) + r")\b")
    return pattern.sub(lambda m: codes[m.group(1)], str(text))


def reference_note(ref: FormattedReference) -> str:
    """What the site says beside an entry, calmly: for an unresolved one what the text says it is cited for; the
    note of a likely one without the words its small label already says."""
    from ..references import LIKELY_NOTE, UNRESOLVED_NOTE
    note = ref.note
    if note.startswith(UNRESOLVED_NOTE):
        what = note[len(UNRESOLVED_NOTE):].removeprefix("; cited for: ")
        return f"Not yet identified. The guideline cites it for: {what}" if what else "Not yet identified."
    parts = [p for p in note.split("; ") if p and p != LIKELY_NOTE]
    return "; ".join(parts)
