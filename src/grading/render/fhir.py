"""The guideline as one FHIR R5 Bundle, after HL7's EBM-on-FHIR implementation guide; built and validated with
fhir.resources.

Per reference a `Citation` (with its identification status where the guideline records one); per recommendation
a `Composition` (the guide's Recommendation profile) and two `ArtifactAssessment`s (its RecommendationRating
profile): the grading the guideline published, and, tagged `derived`, the grading the toolkit derives from the
evidence rows. docs/export.md says which parts follow the guide and which are our reading of it.
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
from ..io.guideline import Guideline
from ..progress import progress
from ..records import EvidenceRow
from ..results import GradedGuideline, graded
from ..scheme import Scheme
from ..vocab import DESIGNS, FINDINGS, QUALITIES, VERDICTS
from .csl import plain
from .markdown import md_escape
from .references import FormattedReference, guideline_references
from .version import toolkit_version

EBM = "https://fevir.net/resources/CodeSystem/179423"  # the EBM-on-FHIR guide's codes for sections and ratings
CPG_DIRECTION = "http://hl7.org/fhir/uv/cpg/CodeSystem/cpg-recommendation-direction-cs"
RECOMMENDATION_PROFILE = "http://hl7.org/fhir/uv/ebm/StructureDefinition/recommendation"
RATING_PROFILE = "http://hl7.org/fhir/uv/ebm/StructureDefinition/recommendation-rating"
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


def ebm(value: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": EBM, "code": value, "display": display}]}


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
        out.append(code(scheme_system(scheme, what), c, f"{g.norwegian} ({g.english})" if g else c))
    return out


class _Refs:
    """Full URLs (urn:uuid, stable for a guideline) of the bundle's resources."""

    def __init__(self, seed: str):
        self.seed = seed

    def url(self, kind: str, rid: str) -> str:
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{self.seed}/{kind}/{rid}')}"

    def ref(self, kind: str, rid: str, display: str = "") -> dict[str, str]:
        return {"reference": self.url(kind, rid), **({"display": display} if display else {})}


def citation(guideline: Guideline, r: FormattedReference) -> dict[str, Any]:
    """A Citation for one reference: identifiers, the formatted text, title, where published, identification."""
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
    if r.key and "identification" in bib.fields(r.key) and r.status in IDENTIFICATION_TEXT:
        cited["classification"] = [{"type": {"text": "identification status"},
                                    "classifier": [code(IDENTIFICATION, r.status, IDENTIFICATION_TEXT[r.status])]}]
    if r.note:
        cited["note"] = [{"text": md_escape(r.note)}]
    identifiers = [{"system": f"{LOCAL}:refnumber", "value": str(r.number)}]
    if r.key:
        identifiers.append({"system": f"{LOCAL}:bibtex-key", "value": r.key})
    out: dict[str, Any] = {"resourceType": "Citation", "id": fhir_id("ref", str(r.number)), "status": "active",
                           "title": field("title") or f"Reference {r.number}", "identifier": identifiers,
                           "citedArtifact": cited}
    if r.text:
        style = Path(str(guideline.manifest.citation_style)).stem
        out["summary"] = [{"style": {"text": f"as the toolkit formats it (citeproc-py, CSL style {style})"},
                           "text": md_escape(r.text)}]
    return out


def _rating_system(scheme: Scheme) -> dict[str, Any]:
    return {"informationType": "classifier", "type": ebm("rating-system", "Rating System"),
            "classifier": [{"text": scheme.title or scheme.name}], "summary": f"Graded by scheme {scheme.describe()}."}


def _direction(direction: str) -> dict[str, Any]:
    concept = code(CPG_DIRECTION, direction, direction.capitalize()) if direction in ("for", "against") else \
        {"text": "no recommendation either way" if direction == "none" else direction}
    return {"informationType": "rating", "type": ebm("direction-of-recommendation", "Direction of Recommendation"),
            "classifier": [concept]}


def published_rating(g: Grading, scheme: Scheme, refs: _Refs, cites: list[dict[str, Any]]) -> dict[str, Any]:
    """The grading the guideline printed, as a RecommendationRating."""
    rec = g.recommendation
    content = [_rating_system(scheme)]
    strengths = scheme.parse_strength(rec.published_strength)
    strength_type = ebm("strength-of-recommendation", "Strength of Recommendation")
    if strengths:
        content.append({"informationType": "rating", "type": strength_type,
                        "classifier": _grade_concepts(scheme, strengths, "strength"),
                        **({"summary": md_escape(f"Printed: “{rec.published_strength_text}”"
                                                 + (" (a range of two grades)" if len(strengths) > 1 else ""))}
                           if rec.published_strength_text else {})})
    else:
        content.append({"informationType": "comment", "type": strength_type,
                        "summary": "The guideline prints no strength for this statement."})
    content.append(_direction(rec.direction))
    certainty = ebm("certainty-of-evidence", "Certainty of Evidence")
    if rec.published_levels:
        content.append({"informationType": "rating", "type": certainty,
                        "classifier": _grade_concepts(scheme, rec.published_levels, "level"),
                        "summary": "Level of documentation as printed"
                                   + (", one per documentation point." if len(rec.published_levels) > 1 else "."),
                        **({"relatedArtifact": cites} if cites else {})})
    else:
        content.append({"informationType": "comment", "type": certainty,
                        "summary": "The guideline prints no level of documentation for this recommendation.",
                        **({"relatedArtifact": cites} if cites else {})})
    if rec.justification:
        content.append({"informationType": "comment", "type": {"text": "justification recorded in the guideline"},
                        "summary": md_escape(rec.justification)})
    return {"resourceType": "ArtifactAssessment", "id": fhir_id("published", g.id),
            "meta": {"profile": [RATING_PROFILE], "tag": [code(PROVENANCE, "published", "as printed in the "
                                                                                        "guideline")["coding"][0]]},
            "title": f"Published grading of recommendation {g.id}",
            "artifactReference": refs.ref("Composition", g.id, g.id), "content": content}


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


def derived_rating(g: Grading, scheme: Scheme, refs: _Refs, cites: list[dict[str, Any]],
                   rows: tuple[EvidenceRow, ...]) -> dict[str, Any]:
    """The grading the toolkit derives from the evidence rows, as a RecommendationRating tagged `derived`."""
    author = {"display": f"grading toolkit {toolkit_version()}"}
    certainty = {"informationType": "rating", "type": ebm("certainty-of-evidence", "Certainty of Evidence"),
                 "classifier": _grade_concepts(scheme, (g.derived_level,), "level"), "author": author,
                 "summary": md_escape(g.level.explain() + (f" The printed level {g.level_used} is used for the "
                                                           "strength." if g.level_source == "printed" else "")),
                 **({"relatedArtifact": cites} if cites else {})}
    if rows:
        certainty["component"] = [_row_component(r, refs) for r in rows if not r.scope]  # the rows graded
    content = [_rating_system(scheme),
               {"informationType": "rating", "type": ebm("strength-of-recommendation", "Strength of Recommendation"),
                "classifier": _grade_concepts(scheme, (g.derived_strength,), "strength"), "author": author,
                "summary": md_escape(g.strength.explain())},
               _direction(g.direction), certainty,
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
            "meta": {"profile": [RATING_PROFILE],
                     "tag": [code(PROVENANCE, "derived", "derived by the grading toolkit, not the guideline's own")
                             ["coding"][0]]},
            "title": f"Grading derived by the grading toolkit from the evidence rows of {g.id} — not the "
                     "guideline's own grading",
            "artifactReference": refs.ref("Composition", g.id, g.id), "content": content}


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


def recommendation(g: Grading, guideline: Guideline, refs: _Refs, cited: tuple[int, ...], docs: list[str],
                   made: _Made, amended: bool) -> dict[str, Any]:
    """The recommendation as a Composition of the Recommendation profile."""
    rec, scheme, lang = g.recommendation, guideline.scheme, made.lang
    published = refs.ref("ArtifactAssessment", f"published/{g.id}", f"published grading of {g.id}")
    citations = [refs.ref("Citation", str(n), f"reference {n}") for n in cited]
    spec = [{"title": "Recommendation Statement", "code": ebm("recommendation-statement", "Recommendation Statement"),
             "text": narrative(rec.text, lang=lang)},
            {"title": "Rating System", "code": ebm("rating-system", "Rating System"),
             "text": narrative(f"{scheme.title or scheme.name} — scheme {scheme.describe()}")},
            {"title": "Strength of Recommendation", "code": ebm("strength-of-recommendation",
                                                                "Strength of Recommendation"),
             "text": narrative(f"Published: {rec.published_strength or 'none printed'}"
                               + (f" (“{rec.published_strength_text}”)" if rec.published_strength_text else "")),
             "entry": [published]},
            {"title": "Direction of Recommendation", "code": ebm("direction-of-recommendation",
                                                                 "Direction of Recommendation"),
             "text": narrative(rec.direction)}]
    population = ", ".join(x for x in (rec.diagnostic_group, rec.phase) if x)
    if population:
        spec.append({"title": "Population", "code": ebm("population", "Population"),
                     "text": narrative(population, lang=lang)})
    if rec.justification:
        spec.append({"title": "Discussion", "code": ebm("discussion", "Discussion"),
                     "text": narrative(rec.justification, lang=lang)})
    sections: list[dict[str, Any]] = [{"title": "Recommendation Specification", "section": spec,
                                       "code": ebm("recommendation-specification", "Recommendation Specification")}]
    evidence: dict[str, Any] = {"title": "Evidence", "code": ebm("evidence", "Evidence"),
                                "text": narrative(*docs, lang=lang) if docs else
                                narrative("No documentation is printed.")}
    if citations:
        evidence["entry"] = citations
    sections.append(evidence)
    return {"resourceType": "Composition", "id": fhir_id("rec", g.id), "meta": {"profile": [RECOMMENDATION_PROFILE]},
            "identifier": [{"system": f"{LOCAL}:recommendation-id", "value": g.id}],
            "status": "amended" if amended else "final", "type": ebm("Recommendation", "Recommendation"),
            "category": [ebm("Recommendation", "Recommendation")], **_composed(made),
            "title": f"{g.id} {rec.topic}" + (f" ({rec.topic_en})" if rec.topic_en else ""),
            "relatesTo": [{"type": "derived-from", "resourceReference": published},
                          *({"type": "cites", "resourceReference": c} for c in citations)],
            "section": sections}


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
        rows = result.rows(g.id)
        cited = tuple(sorted(result.cited(g.id)))
        cites = [{"type": "justification", "resourceReference": refs.ref("Citation", str(n), f"reference {n}")}
                 for n in cited]
        docs = list(dict.fromkeys(r.documentation for r in rows if r.documentation))
        entries += [("Composition", g.id, recommendation(g, guideline, refs, cited, docs, made, g.id in amended)),
                    ("ArtifactAssessment", f"published/{g.id}", published_rating(g, guideline.scheme, refs, cites)),
                    ("ArtifactAssessment", f"derived/{g.id}", derived_rating(g, guideline.scheme, refs, cites, rows))]
        by_section.setdefault(g.section, []).append(refs.ref("Composition", g.id, g.id))
    section_title = guideline.manifest.section_title
    entries.append(("Composition", "guideline", {
        "resourceType": "Composition", "id": "guideline", "status": "amended" if amended else "final",
        "type": {"text": "Clinical practice guideline"}, **_composed(made),
        "title": title, "section": [{"title": f"{s} {section_title(s)}".strip(),
                                     "text": narrative(f"{s} {section_title(s)}".strip(), lang=made.lang),
                                     "entry": recs} for s, recs in by_section.items()]}))
    envelope = {
        "resourceType": "Bundle", "type": "collection", "timestamp": stamp,
        "identifier": {"system": f"{LOCAL}:export", "value": refs.url("Bundle", stamp)},
        "meta": {"tag": [code(PROVENANCE, "export", f"exported by grading {toolkit_version()}, scheme "
                                                    f"{guideline.scheme.describe()}")["coding"][0]]}}
    return envelope, [{"fullUrl": refs.url(kind, rid), "resource": resource} for kind, rid, resource in entries]


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
