"""EndNote XML (.xml) records as BibTeX entries, read with the standard library's XML parser through defusedxml.

No well-kept reader of EndNote's XML exists on PyPI, so the records are read from the element tree here; defusedxml
refuses what could make a parser expand entities without end or reach outside the file.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import Problem
from ..progress import progress
from .entries import Record, generated_key, guideline_fields, pages, person_from_text, set_date

# EndNote's reference type (its name attribute) -> BibTeX type.
ENDNOTE_TYPES = {
    "Journal Article": "article", "Electronic Article": "article", "Magazine Article": "article",
    "Newspaper Article": "article", "Book": "book", "Electronic Book": "book", "Edited Book": "collection",
    "Book Section": "incollection", "Electronic Book Section": "incollection", "Conference Paper": "inproceedings",
    "Conference Proceedings": "inproceedings", "Report": "techreport", "Government Document": "techreport",
    "Thesis": "thesis", "Generic": "misc", "Web Page": "online", "Online Database": "online",
    "Unpublished Work": "unpublished", "Manuscript": "unpublished", "Pamphlet": "booklet", "Patent": "patent",
    "Dataset": "dataset", "Computer Program": "software", "Standard": "standard", "Encyclopedia": "inreference",
    "Dictionary": "inreference", "Journal": "periodical",
}
# EndNote's type numbers, for a record whose <ref-type> carries no name.
ENDNOTE_NUMBERS = {"17": "Journal Article", "43": "Electronic Article", "19": "Magazine Article",
                   "23": "Newspaper Article", "6": "Book", "44": "Electronic Book", "28": "Edited Book",
                   "5": "Book Section", "60": "Electronic Book Section", "47": "Conference Paper",
                   "10": "Conference Proceedings", "27": "Report", "46": "Government Document", "32": "Thesis",
                   "13": "Generic", "12": "Web Page", "45": "Online Database", "34": "Unpublished Work",
                   "36": "Manuscript", "24": "Pamphlet", "25": "Patent", "59": "Dataset", "9": "Computer Program",
                   "58": "Standard", "53": "Encyclopedia", "52": "Dictionary"}
_JOURNALS = ("article", "periodical")
_RECORD_START = re.compile(r"<record[\s>]")
XML_ALLOWED = "EndNote XML: <xml><records><record>...</record></records></xml> (File > Export > XML in EndNote)"


def _parse(text: str) -> Any:
    """The XML's root element, parsed by defusedxml (the standard parser where it is absent)."""
    try:
        from defusedxml.ElementTree import fromstring
    except ImportError:  # defusedxml is a dependency; the standard parser refuses external entities itself
        from xml.etree.ElementTree import fromstring
    return fromstring(text.encode("utf-8"))


def records(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """Every <record> of an EndNote XML file; each bad one a located problem, the rest read."""
    from xml.etree.ElementTree import ParseError

    try:
        from defusedxml import DefusedXmlException
    except ImportError:
        DefusedXmlException = ParseError  # noqa: N806
    try:
        root = _parse(text)
    except ParseError as e:
        line = e.position[0] if getattr(e, "position", None) else None
        problems.append(Problem(name, f"not well-formed XML: {str(e).split(':')[0]}", line=line,
                                allowed=XML_ALLOWED))
        return []
    except DefusedXmlException as e:
        at = text.find("<!")
        problems.append(Problem(name, f"refused: {type(e).__name__} (an XML entity or DTD EndNote never writes)",
                                line=text.count("\n", 0, max(at, 0)) + 1, found=text[at:at + 20] if at >= 0 else None,
                                allowed=XML_ALLOWED))
        return []
    found = root.findall(".//record") if root.tag != "record" else [root]
    lines = _record_lines(text)
    out = []
    for number, element in progress(enumerate(found, start=1), len(found), "reading EndNote records"):
        line = lines[number - 1] if number - 1 < len(lines) else 1
        out.append(_record(element, number, line, name, problems))
    return out


def _record_lines(text: str) -> list[int]:
    """The line of each <record> start tag, in order."""
    out, counted, line = [], 0, 1
    for m in _RECORD_START.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        out.append(line)
    return out


def _text(element: Any, path: str) -> str:
    """The text of the first element at `path` (EndNote wraps it in <style> elements), or ''."""
    found = element.find(path)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def _all(element: Any, path: str) -> list[str]:
    """The text of every element at `path`, in order."""
    return [" ".join("".join(e.itertext()).split()) for e in element.findall(path)]


def _record(element: Any, number: int, line: int, name: str, problems: list[Problem]) -> Record:
    """One <record> as a BibTeX entry, keyed by its rec-number."""
    ref_type = element.find("ref-type")
    type_name = ""
    if ref_type is not None:
        type_name = ref_type.get("name") or ENDNOTE_NUMBERS.get((ref_type.text or "").strip(), "")
    kind = ENDNOTE_TYPES.get(type_name)
    if kind is None:
        problems.append(Problem(name, f"record {number}: unknown EndNote reference type", line=line,
                                column="ref-type", found=type_name or (ref_type.text if ref_type is not None else ""),
                                allowed=", ".join(ENDNOTE_TYPES)))
        kind = "misc"
    if kind == "thesis" and "master" in _text(element, "work-type").lower():
        kind = "mastersthesis"
    record = Record(_text(element, "rec-number"), kind, line)
    for role, path in (("author", "contributors/authors/author"), ("editor", "contributors/secondary-authors/author"),
                       ("translator", "contributors/subsidiary-authors/author")):
        for text in _all(element, path):
            record.add_person(role, person_from_text(text))
    record.set("title", _text(element, "titles/title"))
    container = _text(element, "periodical/full-title") or _text(element, "titles/secondary-title") \
        if kind in _JOURNALS else _text(element, "titles/secondary-title")
    record.set("journal" if kind in _JOURNALS else "booktitle", container)
    record.set("series", _text(element, "titles/tertiary-title"))
    set_date(record, _text(element, "dates/year"), "dates/year", name, problems)
    published = _text(element, "dates/pub-dates/date").split()  # 'Mar 15', 'March', '2007-03-15'
    if published and "year" in record.fields:
        set_date(record, f"{record.fields['year']} {published[0]}", "dates/pub-dates/date", name, problems)
    for path, field_name in (("volume", "volume"), ("number", "number"), ("edition", "edition"),
                             ("pub-location", "address"), ("language", "language"), ("work-type", "type"),
                             ("electronic-resource-num", "doi"), ("urls/related-urls/url", "url"),
                             ("notes", "note")):
        record.set(field_name, _text(element, path))
    record.set({"techreport": "institution", "thesis": "school", "mastersthesis": "school"}.get(kind, "publisher"),
               _text(element, "publisher"))
    record.set("pages", pages(_text(element, "pages")))
    serial = _text(element, "isbn")
    record.set("isbn" if kind in ("book", "collection", "incollection", "inproceedings") else "issn", serial)
    accession = _text(element, "accession-num")
    if accession.isdigit():
        record.set("pmid", accession)
    guideline_fields(record, _text(element, "label"), _text(element, "custom1"))
    if not record.key:
        problems.append(Problem(name, f"record {number} has no rec-number", line=line, column="rec-number",
                                allowed="the record number EndNote writes in <rec-number>"))
        record.key = generated_key(record)
    return record
