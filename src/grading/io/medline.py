"""MEDLINE records (PubMed's .nbib / .medline / .txt export), read by nbib, as BibTeX @article entries."""

from __future__ import annotations

import re

from ..errors import Problem
from ..progress import progress
from .entries import Record, generated_key, literal, pages, person, person_from_text, set_date

_LINE = re.compile(r"^([ A-Z]{4})(-| ) (.*)$")  # nbib's own rule for a line: a four-character tag, '-', a space
_AU = re.compile(r"^(.*\S)\s+([A-Z]{1,4})$")  # 'Abenhaim L', MEDLINE's short form of a name
ALLOWED_LINE = "'TAG - value' (a tag padded to four characters, e.g. 'PMID- 7701392', 'TI  - ...') or a " \
               "continuation line indented by six spaces; records separated by a blank line"


def records(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """Every MEDLINE record of the text (records separated by blank lines); each bad one a located problem."""
    out = []
    blocks = _blocks(text)
    for start, block in progress(blocks, len(blocks), "reading MEDLINE records"):
        record = _record(start, block, name, problems)
        if record is not None:
            out.append(record)
    return out


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line, lines) of each record."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            current = None
        elif current is None:
            current = [line]
            blocks.append((number, current))
        else:
            current.append(line)
    return blocks


def _record(start: int, block: list[str], name: str, problems: list[Problem]) -> Record | None:
    """One record read by nbib: None, with a located problem, when nbib cannot read it."""
    import nbib
    from nbib.exceptions import MalformedLine, UnknownTagFormat

    for offset, line in enumerate(block):
        if not _LINE.match(line):
            problems.append(Problem(name, "not a MEDLINE line, so the record is left out", line=start + offset,
                                    found=line[:60], allowed=ALLOWED_LINE))
            return None
    try:
        found = nbib.read("\n".join(block) + "\n\n")  # one record: the block holds no blank line
    except (MalformedLine, UnknownTagFormat, ValueError, OverflowError) as e:
        at, tag = _where(block, str(e))
        problems.append(Problem(name, "a value MEDLINE does not allow, so the record is left out",
                                line=start + at, column=tag, found=str(e).removeprefix("For line: ")[:80],
                                allowed="PubMed's MEDLINE format (e.g. 'AID - 10.1000/x [doi]', "
                                        "'PMID- 7701392', 'IS  - 0362-2436 (Print)')"))
        return None
    raw = found[0] if found else {}
    record = Record("", "article", start)
    title = str(raw.get("title", ""))
    record.set("title", title[:-1] if title.endswith(".") and not title.endswith("..") else title)
    record.set("journal", raw.get("journal") or raw.get("journal_abbreviated", ""))
    record.set("volume", raw.get("journal_volume", ""))
    record.set("number", raw.get("journal_issue", ""))
    record.set("pages", pages(str(raw.get("pages", ""))))
    record.set("doi", raw.get("doi", ""))
    set_date(record, str(raw.get("publication_date", "")), "DP", name, problems)
    authors = raw.get("authors", [])
    for author in authors:  # FAU 'Last, First' read as BibTeX reads it, so 'van der Berg, Jan' keeps its particle
        record.add_person("author", person_from_text(str(author.get("author", ""))))
    if not authors:  # records before 2002 have no FAU, and nbib reads an AU only after an FAU
        for line in block:
            if line.startswith("AU  - "):
                m = _AU.match(line[6:].strip())
                record.add_person("author", person(m.group(1), m.group(2)) if m else literal(line[6:]))
    if raw.get("corporate_author"):
        record.add_person("author", literal(str(raw["corporate_author"])))
    pmid = str(raw.get("pubmed_id", ""))
    record.set("pmid", pmid)
    record.key = pmid or generated_key(record)
    return record


def _where(block: list[str], message: str) -> tuple[int, str | None]:
    """The offset and tag of the line an nbib message quotes (the record's first line when none is found)."""
    m = re.search(r'"(.*)"', message)
    quoted = m.group(1) if m else ""
    for offset, line in enumerate(block):
        if quoted and quoted in line:
            return offset, line[:4].strip() or None
    if "invalid literal for int()" in message:
        return next(((i, "PMID") for i, line in enumerate(block) if line.startswith("PMID")), (0, None))
    return 0, None
