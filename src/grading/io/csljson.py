"""CSL-JSON (.json, .csljson) items — what Zotero, Mendeley and pandoc export — as BibTeX entries."""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import Problem
from ..progress import progress
from .entries import Record, literal, month_name, person, set_date

# CSL type -> BibTeX type: every type of CSL 1.0.2, those without a BibTeX counterpart read as @misc.
CSL_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "article": "misc", "book": "book", "chapter": "incollection", "paper-conference": "inproceedings",
    "report": "techreport", "thesis": "thesis", "manuscript": "unpublished", "webpage": "online",
    "post-weblog": "online", "post": "online", "patent": "patent", "dataset": "dataset", "periodical": "periodical",
    "pamphlet": "booklet", "entry-encyclopedia": "inreference", "entry-dictionary": "inreference",
    "entry": "inreference", "software": "software", "standard": "standard", "collection": "collection",
    **{t: "misc" for t in ("bill", "broadcast", "classic", "document", "event", "figure", "graphic", "hearing",
                           "interview", "legal_case", "legislation", "map", "motion_picture", "musical_score",
                           "performance", "personal_communication", "regulation", "review", "review-book", "song",
                           "speech", "treaty")},
}
_JOURNALS = ("article-journal", "article-magazine", "article-newspaper", "periodical")
# CSL variable -> BibTeX field, for the variables that are text.
_SIMPLE = {"title": "title", "volume": "volume", "edition": "edition", "collection-title": "series",
           "ISBN": "isbn", "ISSN": "issn", "language": "language", "genre": "type", "chapter-number": "chapter",
           "version": "version", "issue": "number", "number": "number", "publisher": "publisher",
           "publisher-place": "address", "DOI": "doi", "URL": "url", "PMID": "pmid", "note": "note",
           "title-short": "shorttitle", "abstract": "abstract"}
_ROLES = {"author": "author", "editor": "editor", "translator": "translator"}


def records(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """Every item of a CSL-JSON array (or one item); each bad one a located problem, the rest read."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        problems.append(Problem(name, f"not JSON: {e.msg}", line=e.lineno, found=_near(text, e.pos),
                                allowed="a CSL-JSON array of items [{\"id\": ..., \"type\": ..., ...}]"))
        return []
    items = data if isinstance(data, list) else [data]
    lines = _item_lines(text)
    out = []
    for number, item in progress(enumerate(items, start=1), len(items), "reading CSL-JSON items"):
        line = lines[number - 1] if number - 1 < len(lines) else 1
        if not isinstance(item, dict):
            problems.append(Problem(name, f"item {number} is not a JSON object", line=line,
                                    found=type(item).__name__, allowed="{\"id\": ..., \"type\": ..., ...}"))
            continue
        out.append(_record(item, number, line, name, problems))
    return out


def _near(text: str, pos: int) -> str:
    """The text around a position, on one line, to show where JSON breaks."""
    return text[max(0, pos - 20):pos + 20].replace("\n", " ")


def _item_lines(text: str) -> list[int]:
    """The line of each top-level item's opening brace, in order."""
    lines: list[int] = []
    depth, line, in_string, escaped = 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        elif in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            if ch == "{" and depth <= 1 and (depth == 1 or not lines):
                lines.append(line)
            depth += 1
        elif ch in "]}":
            depth -= 1
    return lines


def _text(value: Any) -> str:
    """A CSL value as text: a string or number as written, anything else ''."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _record(item: dict, number: int, line: int, name: str, problems: list[Problem]) -> Record:
    """One CSL-JSON item as a BibTeX entry."""
    kind = CSL_TYPES.get(str(item.get("type", "")))
    if kind is None:
        problems.append(Problem(name, f"item {number}: unknown CSL type", line=line, column="type",
                                found=str(item.get("type", "")), allowed=", ".join(CSL_TYPES)))
        kind = "misc"
    key = _text(item.get("id")).strip()
    if not key:
        problems.append(Problem(name, f"item {number} has no id", line=line, column="id",
                                allowed="an id naming the item, unique in the file"))
        key = f"item{number}"
    record = Record(key, kind, line)
    for variable, role in _ROLES.items():
        names = item.get(variable, [])
        if not isinstance(names, list):
            problems.append(Problem(name, f"item {number} ({key}): names are not a list", line=line, column=variable,
                                    found=type(names).__name__, allowed='[{"family": ..., "given": ...}, ...]'))
            continue
        for n in names:
            if not isinstance(n, dict):
                problems.append(Problem(name, f"item {number} ({key}): a name is not an object", line=line,
                                        column=variable, found=str(n)[:60],
                                        allowed='{"family": ..., "given": ...} or {"literal": ...}'))
            elif n.get("literal"):
                record.add_person(role, literal(_text(n["literal"])))
            else:
                particle = " ".join(_text(n.get(p)) for p in ("dropping-particle", "non-dropping-particle")).strip()
                record.add_person(role, person(_text(n.get("family")), _text(n.get("given")), particle,
                                               _text(n.get("suffix"))))
    for variable, field_name in _SIMPLE.items():
        record.set(field_name, _text(item.get(variable)))
    container = _text(item.get("container-title"))
    record.set("journal" if item.get("type") in _JOURNALS else "booktitle", container)
    record.set("pages", re.sub(r"\s*[-–]\s*", "-", _text(item.get("page"))))
    _issued(record, item.get("issued"), number, name, problems)
    citation = _text(item.get("citation-number")).strip()
    if citation:
        record.set("refnumber", citation)
    custom = item.get("custom")
    if isinstance(custom, dict):
        record.set("identification", _text(custom.get("identification")))
    return record


def _issued(record: Record, issued: Any, number: int, name: str, problems: list[Problem]) -> None:
    """Year, month and day from CSL's date-parts (or a literal or raw date)."""
    if issued is None:
        return
    bad = Problem(name, f"item {number} ({record.key}): a date CSL cannot read", line=record.line,
                  column="issued", found=json.dumps(issued)[:60],
                  allowed='{"date-parts": [[2007, 4, 12]]}, {"literal": "..."} or {"raw": "2007-04-12"}')
    if not isinstance(issued, dict):
        problems.append(bad)
        return
    parts = issued.get("date-parts")
    if parts:
        first = parts[0] if isinstance(parts, list) and isinstance(parts[0], list) else None
        if not first or not all(isinstance(p, int) or (isinstance(p, str) and p.isdigit()) for p in first):
            problems.append(bad)
            return
        numbers = [int(p) for p in first]
        record.set("year", f"{numbers[0]:04d}")
        if len(numbers) >= 2 and month_name(str(numbers[1])):
            record.set("month", month_name(str(numbers[1])))
        if len(numbers) >= 3:
            record.set("date", f"{numbers[0]:04d}-{numbers[1]:02d}-{numbers[2]:02d}")
    elif issued.get("raw"):
        set_date(record, _text(issued["raw"]), "issued", name, problems)
    elif issued.get("literal"):
        record.set("year", _text(issued["literal"]))
    else:
        problems.append(bad)
