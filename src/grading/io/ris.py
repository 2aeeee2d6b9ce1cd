"""RIS (.ris) records, read by rispy, as BibTeX entries."""

from __future__ import annotations

import re

from ..errors import Problem
from ..progress import progress
from .entries import Record, generated_key, guideline_fields, pages, person_from_text, set_date

# RIS type -> BibTeX type. The first RIS type given for a BibTeX type is the one a writer would use.
RIS_TYPES = {
    "JOUR": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article", "INPR": "article",
    "JFULL": "periodical", "BOOK": "book", "EBOOK": "book", "EDBOOK": "collection", "SER": "book",
    "CHAP": "incollection", "ECHAP": "incollection", "CPAPER": "inproceedings", "CONF": "proceedings",
    "RPRT": "techreport", "GOVDOC": "techreport", "THES": "thesis", "GEN": "misc", "ELEC": "online",
    "WEB": "online", "UNPB": "unpublished", "MANSCPT": "unpublished", "PAMP": "booklet", "PAT": "patent",
    "DATA": "dataset", "COMP": "software", "STAND": "standard", "ENCYC": "inreference", "DICT": "inreference",
}
_CONTAINER = {"article": "journal", "periodical": "journal"}  # T2 is the journal for these, else the book
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
ALLOWED_TYPES = ", ".join(RIS_TYPES)


def records(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """Every RIS record (TY to ER) of the text; each bad one a located problem, the rest read."""
    import rispy

    out = []
    blocks = _blocks(text, name, problems)
    for line, block in progress(blocks, len(blocks), "reading RIS records"):
        found = rispy.loads("\n".join(block))  # one record: the block runs from its TY to its ER
        out.append(_record(found[0] if found else {}, line, name, problems))
    return out


def _blocks(text: str, name: str, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    """(first line, lines) of each record: TY starts one and ER ends it; a record left open is a problem."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = _TAG_LINE.match(line.lstrip("\ufeff"))
        tag = m.group(1) if m else None
        if tag == "TY":
            if current is not None:
                problems.append(Problem(name, "a record is not closed by ER before the next TY", line=blocks[-1][0],
                                        column="ER", allowed="every record from TY  - to ER  -"))
                current.append("ER  - ")
            current = [line.lstrip("\ufeff")]
            blocks.append((number, current))
        elif current is not None:
            current.append(line)
            if tag == "ER":
                current = None
        # a line outside any record (rispy's writer numbers its records so) is passed over, as rispy does
    if current is not None:
        problems.append(Problem(name, "the last record is not closed by ER", line=blocks[-1][0], column="ER",
                                allowed="every record from TY  - to ER  -"))
        current.append("ER  - ")
    return blocks


def _first(raw: dict, *names: str) -> str:
    """The first non-empty value among rispy's names for a tag (the first item of a list), or ''."""
    for name in names:
        value = raw.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            return str(value)
    return ""


def _record(raw: dict, line: int, name: str, problems: list[Problem]) -> Record:
    """One rispy record as a BibTeX entry: its type and fields, the key its ID gives or one generated."""
    ris_type = str(raw.get("type_of_reference", "")).strip()
    kind = RIS_TYPES.get(ris_type.upper())
    if kind is None:
        problems.append(Problem(name, "unknown RIS reference type", line=line, column="TY", found=ris_type,
                                allowed=ALLOWED_TYPES))
        kind = "misc"
    record = Record("", kind, line)
    unknown = raw.get("unknown_tag") or {}
    for text in raw.get("authors", []) + raw.get("first_authors", []):
        record.add_person("author", person_from_text(text))
    for text in raw.get("secondary_authors", []) + list(unknown.get("ED", [])):
        record.add_person("editor", person_from_text(text))
    for text in raw.get("subsidiary_authors", []):
        record.add_person("translator", person_from_text(text))
    record.set("title", _first(raw, "title", "primary_title"))
    container = _first(raw, "journal_name", "alternate_title3", "secondary_title", "alternate_title2",
                       "alternate_title1")
    if kind not in _CONTAINER:
        container = _first(raw, "secondary_title") or container
    record.set(_CONTAINER.get(kind, "booktitle"), container)
    set_date(record, _first(raw, "year", "publication_year"), "PY", name, problems)
    set_date(record, _first(raw, "date"), "DA", name, problems)  # its month, where PY gives the year alone
    for tag, field_name in (("volume", "volume"), ("number", "number"), ("edition", "edition"),
                            ("place_published", "address"), ("tertiary_title", "series"),
                            ("language", "language"), ("type_of_work", "type")):
        record.set(field_name, _first(raw, tag))
    guideline_fields(record, _first(raw, "label"), _first(raw, "custom1"))
    publisher = _first(raw, "publisher")
    record.set({"techreport": "institution", "thesis": "school"}.get(kind, "publisher"), publisher)
    start, end = _first(raw, "start_page"), _first(raw, "end_page")
    record.set("pages", pages(f"{start}-{end}" if start and end else start or end))
    serial = _first(raw, "issn")
    record.set("isbn" if kind in ("book", "collection", "incollection", "proceedings", "inproceedings")
               else "issn", serial)
    record.set("doi", _first(raw, "doi"))
    record.set("url", _first(raw, "urls"))
    accession = _first(raw, "accession_number")
    if accession.strip().isdigit():
        record.set("pmid", accession.strip())
    record.set("note", "; ".join(raw.get("notes", [])))
    record.key = _first(raw, "id").strip() or generated_key(record)
    return record
