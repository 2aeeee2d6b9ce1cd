"""The guideline as one FHIR R5 Bundle after HL7's Evidence Based Medicine on FHIR guide, version 1.0.0-ballot (FHIR
R5, December 2023), each resource claiming the guide's profile it follows; built and validated with fhir.resources.

The guideline is a Composition (Guideline profile); per recommendation a Composition (Recommendation), derived from
an ArtifactAssessment holding the grading the guideline printed (RecommendationJustification), and an
ArtifactAssessment holding the grading the toolkit derives (Rating, tagged `derived`); under a certainty model
(GRADE) each outcome's certainty, as printed and as derived (CertaintyOfEvidence); per reference a Citation (of the
guide's profile for its kind of work, where the entry names one). docs/export.md says which parts follow the guide
and which are our reading of it.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..grade import Grading
from ..grade.certainty import RatedOutcome
from ..io.guideline import Guideline
from ..progress import progress
from ..records import EvidenceRow, OutcomeRow, Recommendation
from ..results import GradedGuideline, graded
from ..revisions.etd import EtdRecord
from ..scheme import Scheme
from ..vocab import DESIGNS, FINDINGS, QUALITIES, VERDICTS
from . import fhir_profiles as P
from .csl import plain
from .markdown import md_escape
from .references import FormattedReference, guideline_references
from .version import toolkit_version

# The toolkit's own systems: local, unregistered URNs (no public code system holds these codes).
LOCAL = "urn:grading"
PROVENANCE = f"{LOCAL}:provenance"
IDENTIFICATION = f"{LOCAL}:identification-status"
IDENTIFICATION_TEXT = {"verified": "identity confirmed by a source", "likely": "likely identification, a hypothesis",
                       "unresolved": "identity not established by the source"}
DOI = "https://doi.org"


def fhir_id(prefix: str, value: str) -> str:
    """A FHIR id ([A-Za-z0-9.-], at most 64) from a prefix and any value; a hash keeps altered values apart."""
    plain = re.sub(r"[^A-Za-z0-9.-]", "-", value)
    out = f"{prefix}-{plain}"
    if plain != value or len(out) > 64:
        out = f"{out[:51]}-{hashlib.sha1(value.encode('utf-8')).hexdigest()[:12]}"
    return out


def code(system: str, value: str, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": value}
    return {"coding": [{**coding, "display": display}] if display else [coding], **({"text": display} if display
                                                                                       else {})}


# What XML 1.0 forbids: a narrative holding one is no well-formed XHTML, and a FHIR validator rejects the Bundle.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text kept to XML 1.0's characters: a vertical tab or form feed (Word's manual breaks) becomes a space, any
    other forbidden character U+FFFD, so nothing is silently lost."""
    return _NOT_XML.sub(lambda m: " " if m.group() in "\v\f" else "\ufffd", text)


def narrative(*paragraphs: str, lang: str = "") -> dict[str, str]:
    """A generated Narrative: each paragraph kept to XML's characters and escaped into XHTML; `lang` names the
    language of the guideline's own words it shows (none for the toolkit's English)."""
    body = "".join(f"<p>{html.escape(xml_text(p))}</p>" for p in paragraphs if p) or "<p>(empty)</p>"
    said = f' lang="{html.escape(lang, quote=True)}" xml:lang="{html.escape(lang, quote=True)}"' if lang else ""
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml"{said}>{body}</div>'}


def scheme_system(scheme: Scheme, what: str) -> str:
    return f"{LOCAL}:scheme:{quote(scheme.name, safe='-._~')}:{what}"


def _grade_concepts(scheme: Scheme, codes: tuple[str, ...], what: str) -> list[dict[str, Any]]:
    grades = {g.code: g for g in (scheme.strengths if what == "strength" else scheme.levels)}
    out = []
    for c in codes:
        g = grades.get(c)
        shown = (f"{g.norwegian} ({g.english})" if g.norwegian and g.norwegian != g.english else g.english) if g \
            else c
        out.append(code(scheme_system(scheme, what), c, shown))
    return out


class _Refs:
    """Full URLs (urn:uuid, stable for a guideline) of the bundle's resources."""

    def __init__(self, seed: str):
        self.seed = seed

    def url(self, kind: str, rid: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.seed}/{kind}/{rid}')}"

    def ref(self, kind: str, rid: str, display: str = "") -> dict[str, str]:
        return {"reference": self.url(kind, rid), **({"display": display} if display else {})}


def _kind(guideline: Guideline, r: FormattedReference) -> tuple[str, str, str, str] | None:
    """The guide's Citation profile for a reference whose kind of work its entry names, or None: an entry whose
    identity is unresolved (or missing) is claimed as no kind of work."""
    if not r.key or r.status not in ("", "verified", "likely"):
        return None
    return P.KINDS.get(guideline.bibliography.entry_type(r.key).lower())


def citation(guideline: Guideline, r: FormattedReference) -> dict[str, Any]:
    """A Citation for one reference: identifiers, the formatted text, title, where published, identification; of
    the guide's profile for its kind of work where its entry names one (journal article, book, part of a book)."""
    bib = guideline.bibliography
    field = lambda name: plain(bib.field_of(r.key, name)).strip() if r.key else ""  # noqa: E731
    cited: dict[str, Any] = {}
    if field("title"):
        cited["title"] = [{"text": field("title")}]
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", field("doi"), flags=re.I)
    if doi:
        cited["identifier"] = [{"system": DOI, "value": doi}]
    if r.links:
        cited["webLocation"] = [{"url": u} for u in r.links]
    form: dict[str, Any] = {k: v for k, v in (("volume", field("volume")), ("issue", field("number")),
                                              ("pageString", field("pages")),
                                              ("publicationDateText", field("year") or field("date"))) if v}
    venue = field("journal") or field("journaltitle") or field("booktitle") or field("publisher")
    if venue:
        form["publishedIn"] = {"title": venue}
    if form:
        cited["publicationForm"] = [form]
    authors = [plain(p) for p in bib.people(r.key).get("author", [])] if r.key else []
    if authors:
        cited["contributorship"] = {"entry": [{"contributor": {"display": a}, "rankingOrder": i + 1}
                                              for i, a in enumerate(authors)]}
    kind = _kind(guideline, r)
    classification = []
    if kind:
        classification.append({"type": P.coded(P.CLASSIFICATION_TYPE, "knowledge-artifact-type",
                                               "Knowledge Artifact Type"),
                               "classifier": [P.coded(kind[1], kind[2], kind[3])]})
    if r.key and "identification" in bib.fields(r.key) and r.status in IDENTIFICATION_TEXT:
        classification.append({"type": code(f"{LOCAL}:classification", "identification-status",
                                            "identification status"),
                               "classifier": [code(IDENTIFICATION, r.status, IDENTIFICATION_TEXT[r.status])]})
    if classification:
        cited["classification"] = classification
    if r.note:
        cited["note"] = [{"text": md_escape(r.note)}]
    identifiers = [{"system": f"{LOCAL}:refnumber", "value": str(r.number)}]
    if r.key:
        identifiers.append({"system": f"{LOCAL}:bibtex-key", "value": r.key})
    out: dict[str, Any] = {"resourceType": "Citation", "id": fhir_id("ref", str(r.number)),
                           **({"meta": {"profile": [kind[0]]}} if kind else {}), "status": "active",
                           "title": field("title") or f"Reference {r.number}", "identifier": identifiers,
                           "citedArtifact": cited}
    if r.text:
        style = Path(str(guideline.manifest.citation_style)).stem
        out["summary"] = [{"style": {"text": f"as the toolkit formats it (citeproc-py, CSL style {style})"},
                           "text": md_escape(r.text)}]
    return out


def _strength_concepts(scheme: Scheme, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    """Strengths in the scheme's own codes, and a GRADE strength also in the guide's (RJCS)."""
    out = _grade_concepts(scheme, codes, "strength")
    return [_also(c, P.RJCS, P.GRADE_STRENGTH.get(v)) if scheme.model == "certainty" else c
            for c, v in zip(out, codes)]


def _level_concepts(scheme: Scheme, codes: tuple[str, ...], guide: dict[str, tuple[str, str]],
                    system: str) -> list[dict[str, Any]]:
    """Levels in the scheme's own codes, and a GRADE certainty also in the guide's codes (`system`)."""
    out = _grade_concepts(scheme, codes, "level")
    return [_also(c, system, guide.get(v)) if scheme.model == "certainty" else c for c, v in zip(out, codes)]


def _also(concept: dict[str, Any], system: str, guide: tuple[str, str] | None) -> dict[str, Any]:
    """The concept with the guide's coding first, where the guide has one for it."""
    if guide is None:
        return concept
    return {**concept, "coding": [{"system": system, "code": guide[0], "display": guide[1]}, *concept["coding"]]}


def _rating_system(scheme: Scheme) -> dict[str, Any]:
    return {"informationType": "classifier", "type": P.ebm("rating-system", "Rating System"),
            "classifier": [code(f"{LOCAL}:scheme", scheme.name, scheme.title or scheme.name)],
            "summary": md_escape(f"Graded by scheme {scheme.describe()}.")}


_DIRECTION_TEXT = {"for": "for", "against": "against", "none": "no recommendation either way"}


def _direction(direction: str) -> dict[str, Any]:
    """The direction of a recommendation, in the guide's classifiers (our reading for 'against' and 'none')."""
    guide = P.DIRECTION.get(direction)
    concept = P.coded(P.RJCS, guide[0], guide[1], _DIRECTION_TEXT.get(direction, direction)) if guide else \
        {"text": direction}
    return {"informationType": "classifier",
            "type": P.ebm("direction-of-recommendation", "Direction of Recommendation"), "classifier": [concept]}


def _population(rec: Recommendation) -> str:
    return ", ".join(x for x in (rec.diagnostic_group, rec.phase) if x)


def _printed_level(g: Grading, scheme: Scheme) -> dict[str, Any]:
    """The level (or certainty) the guideline prints, as the justification's other rating."""
    what = "Certainty of evidence" if scheme.model == "certainty" else "Level of documentation"
    out: dict[str, Any] = {"informationType": "rating", "type": P.ebm("ratings", "Ratings")}
    levels = tuple(v for v in g.published_levels if v)
    if levels:
        out["classifier"] = _level_concepts(scheme, levels, P.RJCS_CERTAINTY, P.RJCS)
        out["summary"] = f"{what} as printed" + (", one per documentation point." if len(levels) > 1 else ".")
    else:
        out["summary"] = f"{what}: the guideline prints none for this recommendation."
    return out


def justification(g: Grading, scheme: Scheme, refs: _Refs, cites: list[dict[str, Any]],
                  docs: list[str], certainties: list[dict[str, Any]], etd: EtdRecord | None = None) -> dict[str, Any]:
    """The grading the guideline printed, as a RecommendationJustification: what it recommends, by which system,
    how strongly and which way, the level it prints, its justification, and the evidence it cites."""
    rec = g.recommendation
    strengths = scheme.parse_strength(rec.published_strength)
    strength: dict[str, Any] = {"informationType": "rating",
                                "type": P.ebm("strength-of-recommendation", "Strength of Recommendation")}
    if strengths:
        strength["classifier"] = _strength_concepts(scheme, strengths)
        if rec.published_strength_text:
            strength["summary"] = md_escape(f"Printed: “{rec.published_strength_text}”"
                                            + (" (a range of two grades)" if len(strengths) > 1 else ""))
    else:
        strength["summary"] = "The guideline prints no strength for this statement."
    spec = [{"informationType": "comment", "type": P.ebm("recommendation-statement", "Recommendation Statement"),
             "summary": md_escape(rec.text)},
            _rating_system(scheme), strength, _direction(rec.direction), _printed_level(g, scheme)]
    if rec.justification:
        spec.append({"informationType": "comment", "type": P.ebm("discussion", "Discussion"),
                     "summary": md_escape(rec.justification)})
    if _population(rec):
        spec.append({"informationType": "container", "type": P.ebm("population", "Population"),
                     "summary": md_escape(_population(rec))})
    evidence: dict[str, Any] = {"informationType": "container", "type": P.ebm("evidence", "Evidence"),
                                "summary": md_escape("\n\n".join(docs)) if docs else
                                "The guideline prints no documentation for this recommendation."}
    if cites:
        evidence["relatedArtifact"] = cites
    if certainties:
        evidence["component"] = [{"informationType": "container",
                                  "type": P.ebm("summary-of-findings", "Summary of Findings"),
                                  "summary": "The certainty of the evidence on each outcome, as the guideline's "
                                             "evidence profile prints it.", "relatedArtifact": certainties}]
    return {"resourceType": "ArtifactAssessment", "id": fhir_id("published", g.id),
            "meta": {"profile": [P.JUSTIFICATION], "tag": [_tag("published")]},
            "title": f"Published grading of recommendation {g.id}",
            "artifactReference": refs.ref("Composition", g.id, g.id),
            "content": _with_etd([{"informationType": "container",
                                   "type": P.ebm("recommendation-specification", "Recommendation Specification"),
                                   "component": spec}, evidence], etd, scheme)}


_TAGS = {"published": "as printed in the guideline",
         "derived": "derived by the grading toolkit, not the guideline's own",
         "panel": "the working group's Evidence-to-Decision record, saved after the guideline was published"}


def etd_contents(record: EtdRecord, scheme: Scheme) -> dict[str, dict[str, Any]]:
    """A recommendation's Evidence-to-Decision framework as RecommendationJustification content, by slice
    (evidence, netEffect, judgments, considerations): each criterion where the profile names it (ETD_SLOTS), the
    others in the evidence's discussion, and the conclusion's justification and considerations."""
    etd = scheme.etd
    named = {c.key: c.name for c in etd.criteria} if etd else {}
    parts: dict[str, dict[str, list[str]]] = {}  # slice -> component code -> lines
    verdicts: dict[str, list[str]] = {}  # slice -> the judgements that are the slice's own classifier
    for key, judged in record.criteria.items():
        line = f"{named.get(key, key)}: {judged.judgement}" + (f". Evidence: {judged.evidence}" if judged.evidence
                                                              else "") + (
            f". Considerations: {judged.considerations}" if judged.considerations else "")
        where, code_, _ = P.ETD_SLOTS.get(key, P.ETD_UNSLOTTED)
        if not code_:
            verdicts.setdefault(where, []).append(judged.judgement)
        parts.setdefault(where, {}).setdefault(code_, []).append(line)
    for field_, (where, code_, _) in P.ETD_CONCLUSION.items():
        if record.conclusion.get(field_):
            parts.setdefault(where, {}).setdefault(code_, []).append(record.conclusion[field_])
    displays = {c: d for _, c, d in (*P.ETD_SLOTS.values(), P.ETD_UNSLOTTED, *P.ETD_CONCLUSION.values()) if c}
    out = {}
    for where, by_code in parts.items():
        content: dict[str, Any] = {"informationType": "container", "type": P.ebm(*P.ETD_CONTENT[where])}
        if "" in by_code:
            content["summary"] = md_escape("\n\n".join(by_code.pop("")))
            content["classifier"] = [{"text": j} for j in verdicts.get(where, [])]
        if by_code:
            content["component"] = [{"informationType": "comment" if code_ in ("discussion", "justification") or
                                     where == "considerations" else "classifier",
                                     "type": P.ebm(code_, displays[code_]), "summary": md_escape("\n\n".join(lines))}
                                    for code_, lines in by_code.items()]
        out[where] = content
    return out


def _says(record: EtdRecord) -> bool:
    """Whether an EtD the text records says anything: a judgement other than unrecorded."""
    return any(j.judgement not in ("", "unrecorded") for j in record.criteria.values())


def _with_etd(contents: list[dict[str, Any]], record: EtdRecord | None, scheme: Scheme) -> list[dict[str, Any]]:
    """A justification's content with the EtD's slices added (its evidence components merged into the evidence)."""
    if record is None:
        return contents
    etd = etd_contents(record, scheme)
    out = []
    for c in contents:
        if c["type"]["coding"][0]["code"] == "evidence" and "evidence" in etd:
            c = {**c, "component": [*c.get("component", []), *etd.pop("evidence").get("component", [])]}
        out.append(c)
    return out + list(etd.values())


def panel_etd(g: Grading, record: EtdRecord, scheme: Scheme, refs: _Refs) -> dict[str, Any]:
    """A saved Evidence-to-Decision record as a RecommendationJustification of its own, tagged as the working
    group's (never as the printed guideline's), with the conclusion's strength and direction."""
    conclusion = record.conclusion
    spec: list[dict[str, Any]] = [{"informationType": "comment",
                                   "type": P.ebm("recommendation-statement", "Recommendation Statement"),
                                   "summary": md_escape(g.recommendation.text)}, _rating_system(scheme)]
    strengths = scheme.parse_strength(conclusion.get("strength") or None)
    if strengths:
        spec.append({"informationType": "rating",
                     "type": P.ebm("strength-of-recommendation", "Strength of Recommendation"),
                     "classifier": _strength_concepts(scheme, strengths)})
    if conclusion.get("direction"):
        spec.append(_direction(conclusion["direction"]))
    contents = _with_etd([{"informationType": "container",
                           "type": P.ebm("recommendation-specification", "Recommendation Specification"),
                           "component": spec}], record, scheme)
    return {"resourceType": "ArtifactAssessment", "id": fhir_id("etd", g.id),
            "meta": {"profile": [P.JUSTIFICATION], "tag": [_tag("panel")]},
            "title": f"Evidence to decision for recommendation {g.id}: {record.label()}",
            "date": record.created, "artifactReference": refs.ref("Composition", g.id, g.id), "content": contents}


def _tag(which: str) -> dict[str, str]:
    return code(PROVENANCE, which, _TAGS[which])["coding"][0]


def _row_component(row: EvidenceRow, refs: _Refs) -> dict[str, Any]:
    classifiers = [code(f"{LOCAL}:design", row.design, DESIGNS.get(row.design, row.design)),
                   code(f"{LOCAL}:quality", row.quality, QUALITIES.get(row.quality, row.quality)),
                   code(f"{LOCAL}:finding", row.finding, FINDINGS.get(row.finding, row.finding))]
    said = "; ".join(x for x in (f"quality as the text states it: “{row.quality_text}”" if row.quality_text
                                 else "", row.documentation) if x)
    out: dict[str, Any] = {"informationType": "rating", "type": {"text": "evidence row (the toolkit's reading of "
                                                                          "the documentation)"},
                           "classifier": classifiers}
    if said:
        out["summary"] = md_escape(said)
    if row.number is not None:
        out["relatedArtifact"] = [{"type": "cites", "resourceReference": refs.ref("Citation", str(row.number))}]
    return out


def _toolkit() -> dict[str, str]:
    return {"display": f"grading toolkit {toolkit_version()}"}


def derived_rating(g: Grading, scheme: Scheme, refs: _Refs, cites: list[dict[str, Any]],
                   rows: tuple[EvidenceRow, ...], derived: list[dict[str, Any]]) -> dict[str, Any]:
    """The grading the toolkit derives, as a Rating (the guide's profile for a rating made apart from the rated
    resource's authors) tagged `derived`: strength, direction, level or certainty, and the verdict."""
    author = _toolkit()
    used = g.level_used_text
    certainty = {"informationType": "rating", "type": P.ebm("certainty-of-evidence", "Certainty of Evidence"),
                 "classifier": _level_concepts(scheme, (g.derived_level,), P.CERTAINTY_RATINGS, P.CERTAINTY_RATING),
                 "author": author, "summary": md_escape(f"{g.level.explain()} {used[:1].upper()}{used[1:]}."),
                 **({"relatedArtifact": cites + derived} if cites or derived else {})}
    graded = [r for r in rows if not r.scope]
    if graded:
        certainty["component"] = [_row_component(r, refs) for r in graded]
    content = [_rating_system(scheme),
               {"informationType": "rating", "type": P.ebm("strength-of-recommendation", "Strength of Recommendation"),
                "classifier": _strength_concepts(scheme, (g.derived_strength,)) if g.derived_strength else
                [{"text": "none"}], "author": author, "summary": md_escape(g.strength.explain())},
               {**_direction(g.derived_direction), "author": author}, certainty,
               {"informationType": "comment", "type": {"text": "the published strength against the derived one"},
                "classifier": [code(f"{LOCAL}:verdict", g.comparison.verdict,
                                    VERDICTS.get(g.comparison.verdict, g.comparison.verdict))],
                "author": author,
                "summary": md_escape(f"{g.comparison.because} (rule {g.comparison.rule}"
                                     + ("; justified" if g.deviates and g.comparison.justified else "") + ")")}]
    for name in ("certainty", "level_range", "strength_range", "verdict_range", "to_appraise"):
        value = getattr(g, name, None)  # fields later versions of Grading may carry
        if value is not None and value != ():
            shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple, set, frozenset)) else str(value)
            content.append({"informationType": "comment", "type": {"text": name.replace("_", " ")},
                            "summary": md_escape(shown), "author": author})
    return {"resourceType": "ArtifactAssessment", "id": fhir_id("derived", g.id),
            "meta": {"profile": [P.RATING], "tag": [_tag("derived")]},
            "title": f"Grading derived by the grading toolkit from the evidence of {g.id} — not the "
                     "guideline's own grading",
            "artifactReference": refs.ref("Composition", g.id, g.id), "content": content}


def _judgement(domain: str, judged: str) -> dict[str, Any]:
    """One GRADE domain's judgement as the source states it, in FHIR's certainty codes."""
    rating = P.JUDGEMENTS.get(judged)
    shown = judged.replace("_", " ")
    return {"informationType": "rating", "type": P.certainty_type(*P.DOMAINS[domain]),
            "classifier": [P.coded(P.CERTAINTY_RATING, rating[0], rating[1], shown) if rating else
                           {"text": f"{shown}: not judged by the source" if judged == "unclear" else shown}]}


def _outcome_text(row: OutcomeRow) -> str:
    """What the evidence profile prints of one outcome, in words."""
    parts = [f"Outcome: {row.outcome} ({row.importance.replace('_', ' ')})",
             f"comparison: {row.comparison}" if row.comparison else "",
             f"{row.n_studies} studies" if row.n_studies else "",
             f"{row.participants} participants" if row.participants else "",
             f"design: {row.design}" if row.design else "",
             f"effect: {row.effect_direction.replace('_', ' ')}",
             f"relative effect: {row.relative_effect}" if row.relative_effect else "",
             f"absolute effect: {row.absolute_effect}" if row.absolute_effect else "",
             row.narrative, f"footnotes: {row.footnotes}" if row.footnotes else "",
             f"source: {row.source}" if row.source else ""]
    return "; ".join(p for p in parts if p) + "."


def published_certainty(g: Grading, i: int, rated: RatedOutcome, scheme: Scheme, refs: _Refs,
                        studies: list[dict[str, Any]]) -> dict[str, Any]:
    """One outcome's certainty as the guideline's evidence profile prints it: its domain judgements and, where
    printed, its certainty, as a CertaintyOfEvidence."""
    row = rated.row
    overall: dict[str, Any] = {"informationType": "rating", "type": P.certainty_type(*P.OVERALL),
                               "summary": md_escape(_outcome_text(row))}
    if row.published_certainty:
        overall["classifier"] = _level_concepts(scheme, (row.published_certainty,), P.CERTAINTY_RATINGS,
                                                P.CERTAINTY_RATING)
    else:
        overall["informationType"] = "comment"
    if studies:
        overall["relatedArtifact"] = studies
    domains = (*scheme.certainty.domains_down, *scheme.certainty.domains_up) if scheme.certainty else ()
    overall["component"] = [_judgement(d, row.domains.get(d, "unclear")) for d in domains if d in P.DOMAINS]
    return {"resourceType": "ArtifactAssessment", "id": fhir_id("certainty", f"{g.id}-{i}"),
            "meta": {"profile": [P.CERTAINTY], "tag": [_tag("published")]},
            "title": f"Certainty of the evidence on {row.outcome} for recommendation {g.id}, as the guideline's "
                     "evidence profile prints it",
            "artifactReference": refs.ref("Composition", g.id, f"{g.id}: the evidence on {row.outcome}"),
            "content": [overall]}


def derived_certainty(g: Grading, i: int, rated: RatedOutcome, scheme: Scheme, refs: _Refs) -> dict[str, Any]:
    """One outcome's certainty as the toolkit derives it from the domain judgements, as a CertaintyOfEvidence
    tagged `derived`."""
    published = refs.ref("ArtifactAssessment", f"certainty/published/{g.id}/{i}", f"outcome {rated.row.outcome}")
    return {"resourceType": "ArtifactAssessment", "id": fhir_id("certainty-derived", f"{g.id}-{i}"),
            "meta": {"profile": [P.CERTAINTY], "tag": [_tag("derived")]},
            "title": f"Certainty of the evidence on {rated.row.outcome} for recommendation {g.id}, derived by the "
                     "grading toolkit from the domain judgements — not the guideline's own",
            "artifactReference": refs.ref("Composition", g.id, f"{g.id}: the evidence on {rated.row.outcome}"),
            "content": [{"informationType": "rating", "type": P.certainty_type(*P.OVERALL),
                         "classifier": _level_concepts(scheme, (rated.certainty.value,), P.CERTAINTY_RATINGS,
                                                       P.CERTAINTY_RATING),
                         "author": _toolkit(), "summary": md_escape(rated.certainty.explain()),
                         "relatedArtifact": [{"type": "derived-from", "resourceReference": published}]}]}


@dataclass(frozen=True)
class _Made:
    """What every resource of one bundle shares: the guideline's date, authors, publisher and language."""

    when: str  # the guideline's own date (its year), not the export's
    authors: tuple[dict[str, str], ...]
    publisher: str
    lang: str


def _made(guideline: Guideline, now: str) -> _Made:
    m = guideline.manifest
    authors = tuple({"display": a} for a in m.authors) or \
        ({"display": m.publisher or "the working group that published the guideline"},)
    return _Made(str(m.year) if m.year else now, authors, m.publisher, m.language)


def _composed(made: _Made) -> dict[str, Any]:
    """The fields every Composition of the bundle shares: date, authors, custodian (the publisher), language."""
    return {"language": made.lang, "date": made.when, "author": list(made.authors),
            **({"custodian": {"display": made.publisher}} if made.publisher else {})}


def _section(title: str, code_: str, *paragraphs: str, lang: str = "", entry: list[dict[str, str]] | None = None
             ) -> dict[str, Any]:
    return {"title": title, "code": P.ebm(code_, title), "text": narrative(*paragraphs, lang=lang),
            **({"entry": entry} if entry else {})}


def recommendation(g: Grading, guideline: Guideline, refs: _Refs, cited: tuple[int, ...], docs: list[str],
                   made: _Made, amended: bool, certainties: list[dict[str, str]]) -> dict[str, Any]:
    """The recommendation as a Composition of the Recommendation profile, derived from its justification."""
    rec, scheme, lang = g.recommendation, guideline.scheme, made.lang
    published = [refs.ref("ArtifactAssessment", f"published/{g.id}", f"published grading of {g.id}")]
    citations = [refs.ref("Citation", str(n), f"reference {n}") for n in cited]
    levels = ", ".join(v for v in g.published_levels if v) or "none printed"
    spec = [_section("Recommendation Statement", "recommendation-statement", rec.text, lang=lang),
            _section("Rating System", "rating-system", f"{scheme.title or scheme.name} — scheme {scheme.describe()}"),
            _section("Strength of Recommendation", "strength-of-recommendation",
                     f"Published: {rec.published_strength or 'none printed'}"
                     + (f" (“{rec.published_strength_text}”)" if rec.published_strength_text else ""),
                     entry=published),
            _section("Direction of Recommendation", "direction-of-recommendation",
                     _DIRECTION_TEXT.get(rec.direction, rec.direction), entry=published),
            {**_section("Ratings", "ratings", ("Certainty of evidence" if scheme.model == "certainty" else
                                                "Level of documentation") + f" as printed: {levels}",
                        entry=published), "title": "Other Ratings"}]
    if _population(rec):
        spec.append(_section("Population", "population", _population(rec), lang=lang))
    if rec.justification:
        spec.append(_section("Discussion", "discussion", rec.justification, lang=lang))
    evidence = _section("Evidence", "evidence", *(docs or ["No documentation is printed."]),
                        lang=lang if docs else "", entry=citations + certainties)
    return {"resourceType": "Composition", "id": fhir_id("rec", g.id), "meta": {"profile": [P.RECOMMENDATION]},
            "identifier": [{"system": f"{LOCAL}:recommendation-id", "value": g.id}],
            "status": "amended" if amended else "final", "type": P.ebm("EvidenceReport", "EvidenceReport"),
            "category": [P.ebm("Recommendation", "Recommendation")], **_composed(made),
            "title": f"{g.id} {rec.topic}" + (f" ({rec.topic_en})" if rec.topic_en else ""),
            "relatesTo": [{"type": "derived-from", "resourceReference": published[0]},
                          *({"type": "cites", "resourceReference": c} for c in citations)],
            "section": [{"title": "Recommendation Specification", "section": spec,
                         "code": P.ebm("recommendation-specification", "Recommendation Specification")}, evidence]}


def _guideline(guideline: Guideline, made: _Made, amended: bool, by_section: dict[str, list[dict[str, str]]]
               ) -> dict[str, Any]:
    """The guideline as a Composition of the Guideline profile: its recommendations, section by section."""
    section_title = guideline.manifest.section_title
    return {"resourceType": "Composition", "id": "guideline", "meta": {"profile": [P.GUIDELINE]},
            "status": "amended" if amended else "final", "type": P.ebm("EvidenceReport", "EvidenceReport"),
            "category": [P.ebm("Guideline", "Guideline")], **_composed(made), "title": guideline.manifest.heading,
            "section": [{"title": "Recommendations", "code": P.ebm("recommendations", "Recommendations"),
                         "section": [{"title": f"{s} {section_title(s)}".strip(),
                                      "text": narrative(f"{s} {section_title(s)}".strip(), lang=made.lang),
                                      "entry": recs} for s, recs in by_section.items()]}]}


def _cited(result: GradedGuideline, g: Grading) -> tuple[int, ...]:
    """The references a recommendation's evidence cites: its evidence rows', and its outcomes' studies."""
    numbers = set(result.cited(g.id))
    for o in g.profile.outcomes if g.profile else ():
        numbers.update(n for n in map(result.guideline.number_of, o.row.studies) if n is not None)
    return tuple(sorted(numbers))


def _entries(result: GradedGuideline, g: Grading, refs: _Refs, made: _Made, amended: bool
             ) -> list[tuple[str, str, dict[str, Any]]]:
    """One recommendation's resources: its Composition, the published and the derived grading, and under a
    certainty model each outcome's certainty as printed and as derived."""
    guideline, scheme = result.guideline, result.guideline.scheme
    rows = result.rows(g.id)
    cited = _cited(result, g)
    cites = [{"type": "justification", "resourceReference": refs.ref("Citation", str(n), f"reference {n}")}
             for n in cited]
    docs = list(dict.fromkeys(r.documentation for r in rows if r.documentation))
    outcomes = g.profile.outcomes if g.profile else ()
    printed = [refs.ref("ArtifactAssessment", f"certainty/published/{g.id}/{i}", f"outcome {o.row.outcome}")
               for i, o in enumerate(outcomes, 1)]
    derived = [refs.ref("ArtifactAssessment", f"certainty/derived/{g.id}/{i}", f"outcome {o.row.outcome}")
               for i, o in enumerate(outcomes, 1)]
    history = result.etds.get(g.id)
    etd = history.current if history is not None else None
    out = [("Composition", g.id, recommendation(g, guideline, refs, cited, docs, made, amended, printed)),
           ("ArtifactAssessment", f"published/{g.id}",
            justification(g, scheme, refs, cites, docs, [{"type": "justification", "resourceReference": r}
                                                          for r in printed],
                          etd if etd is not None and etd.from_text and _says(etd) else None)),
           ("ArtifactAssessment", f"derived/{g.id}",
            derived_rating(g, scheme, refs, cites, rows, [{"type": "derived-from", "resourceReference": r}
                                                          for r in derived]))]
    if etd is not None and not etd.from_text:  # the panel's own record, saved after publication
        out.append(("ArtifactAssessment", f"etd/{g.id}", panel_etd(g, etd, scheme, refs)))
    for i, o in enumerate(outcomes, 1):
        studies = [{"type": "cites", "resourceReference": refs.ref("Citation", str(n), f"reference {n}")}
                   for n in dict.fromkeys(map(guideline.number_of, o.row.studies)) if n is not None]
        out += [("ArtifactAssessment", f"certainty/published/{g.id}/{i}",
                 published_certainty(g, i, o, scheme, refs, studies)),
                ("ArtifactAssessment", f"certainty/derived/{g.id}/{i}", derived_certainty(g, i, o, scheme, refs))]
    return out


def bundle_data(published: Guideline | GradedGuideline, revised_wanted: bool = False, now: datetime | None = None
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The bundle as plain data: its envelope (without entries) and its entries (fullUrl and resource)."""
    result = published if isinstance(published, GradedGuideline) else graded(published, revised_wanted)
    guideline = result.guideline
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds").replace("+00:00", "Z")
    title = guideline.manifest.heading
    made = _made(guideline, stamp)
    refs = _Refs(f"grading:{title}:{guideline.root.name}")
    amended = {r.recommendation_id for r in result.revised.applied} if result.revised else set()
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for r in guideline_references(guideline):
        entries.append(("Citation", str(r.number), citation(guideline, r)))
    by_section: dict[str, list[dict[str, str]]] = {}
    for g in result.gradings:
        entries += _entries(result, g, refs, made, g.id in amended)
        by_section.setdefault(g.section, []).append(refs.ref("Composition", g.id, g.id))
    entries.append(("Composition", "guideline", _guideline(guideline, made, bool(amended), by_section)))
    envelope = {
        "resourceType": "Bundle", "type": "collection", "timestamp": stamp,
        "identifier": {"system": f"{LOCAL}:export", "value": refs.url("Bundle", stamp)},
        "meta": {"tag": [code(PROVENANCE, "export", f"exported by grading {toolkit_version()} after HL7 EBM-on-FHIR "
                                                    f"{P.EBM_VERSION} (FHIR R5), scheme "
                                                    f"{guideline.scheme.describe()}")["coding"][0]]}}
    return envelope, [{"fullUrl": refs.url(kind, rid), "resource": _narrated(resource)}
                      for kind, rid, resource in entries]


def _narrated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource with a narrative of its title: FHIR asks every resource for one (dom-6)."""
    return {**resource, "text": narrative(resource["title"])}


def fhir_bundle(published: Guideline | GradedGuideline, revised_wanted: bool = False, now: datetime | None = None):
    """The whole guideline as one validated fhir.resources R5 Bundle (type collection)."""
    from fhir.resources.bundle import Bundle
    envelope, entries = bundle_data(published, revised_wanted, now)
    return Bundle.model_validate({**envelope, "entry": entries})


def fhir_json(published: Guideline | GradedGuideline, revised_wanted: bool = False, now: datetime | None = None
              ) -> tuple[str, dict[str, int]]:
    """The Bundle as JSON text and its counts, each resource validated by fhir.resources on its own.

    The same bundle as `fhir_bundle`, without ever holding every resource as a model at once: a
    guideline of 1,000 recommendations and 5,000 references would otherwise take gigabytes."""
    from fhir.resources import get_fhir_model_class
    from fhir.resources.bundle import Bundle
    envelope, entries = bundle_data(published, revised_wanted, now)
    head = Bundle.model_validate({**envelope, "entry": [{"fullUrl": e["fullUrl"]} for e in entries]})
    parts = []
    for e in progress(entries, len(entries), "validating FHIR resources"):
        raw = e["resource"]
        model = get_fhir_model_class(raw["resourceType"]).model_validate(raw)
        parts.append(f'{{"fullUrl": {json.dumps(e["fullUrl"])}, "resource": {model.model_dump_json()}}}')
    shell = json.loads(head.model_dump_json())
    shell.pop("entry", None)
    text = json.dumps(shell, ensure_ascii=False)[:-1] + ', "entry": [\n' + ",\n".join(parts) + "\n]}\n"
    return text, counts([e["resource"] for e in entries])


def counts(resources: list[dict[str, Any]]) -> dict[str, int]:
    """How many resources of each type, and of the assessments how many are derived."""
    kinds = Counter(r["resourceType"] for r in resources)
    derived = sum(1 for r in resources if r["resourceType"] == "ArtifactAssessment"
                  and any(t.get("code") == "derived" for t in r.get("meta", {}).get("tag", [])))
    return {**dict(sorted(kinds.items())), "derived assessments": derived}
