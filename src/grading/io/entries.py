"""What every reader of a reference format yields: records made into the entries the BibTeX reader makes.

A reader of RIS, CSL-JSON, MEDLINE or EndNote XML turns each record into a `Record` (a BibTeX entry type, BibTeX
field names with plain-text values, pybtex persons, the line it starts on); `bibliography` makes them one
`Bibliography`, with repeated keys, unknown types and citation numbers checked as the BibTeX reader checks them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.database import BibliographyData, Entry, Person

from ..errors import Problem
from .bib import ENTRY_TYPES, STATUSES, Bibliography, numbered, start_problems

# Characters BibTeX reads as markup (render/csl.py's `plain` resolves them): a plain-text value holding one is
# escaped so that it prints as written.
_MARKUP = re.compile(r"[{}\\~$]|--")
_ESCAPES = (("\\", ""), ("{", ""), ("}", ""), ("%", "\\%"), ("$", "\\$"), ("&", "\\&"), ("#", "\\#"), ("_", "\\_"),
            ("~", "\\textasciitilde{}"))
VERBATIM = frozenset({"doi", "url", "pmid", "isbn", "issn"})  # identifiers: links are made of them as written
YEAR = re.compile(r"\s*(\d{4})")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass
class Record:
    """One reference as a reader found it: a BibTeX entry type, BibTeX fields (plain text), persons by role."""

    key: str
    type: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    persons: dict[str, list[Person]] = field(default_factory=dict)

    def set(self, name: str, value: object) -> None:
        """Set a field to a value's text, whitespace collapsed; an empty value sets nothing."""
        text = " ".join(str(value).split()) if value is not None else ""
        if text and name not in self.fields:
            self.fields[name] = text

    def add_person(self, role: str, person: Person | None) -> None:
        """Add one person to a role (author, editor, translator), in order."""
        if person is not None:
            self.persons.setdefault(role, []).append(person)


def tex(value: str) -> str:
    """A plain-text value as BibTeX text that prints as written (braces and backslashes cannot, as in BibTeX)."""
    if not _MARKUP.search(value):
        return value
    for old, new in _ESCAPES:
        value = value.replace(old, new)
    return value.replace("--", "-{}-")


def person(family: str, given: str = "", particle: str = "", suffix: str = "") -> Person | None:
    """A person from name parts; None when there is no family name."""
    family, given = tex(family.strip()), tex(given.strip())
    if not family:
        return None
    if not (given or particle or suffix) and " " in family:
        return literal(family)
    return Person(first=given, prelast=tex(particle.strip()), last=family, lineage=tex(suffix.strip()))


def literal(name: str) -> Person | None:
    """An organisation's name, printed as written (BibTeX's braced {World Health Organization})."""
    name = tex(" ".join(name.split()))
    return Person(last="{" + name + "}") if name else None


def person_from_text(name: str) -> Person | None:
    """A person from 'Last, First' or 'Last, First, Suffix' (RIS, EndNote, MEDLINE's FAU); a name without a comma,
    or ending in one (EndNote's mark of a corporate author: 'Institute of Medicine, Committee on X,'), is an
    organisation's, printed as written."""
    name = name.strip()
    if name.endswith(","):
        return literal(name[:-1])
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 1:
        return literal(parts[0])
    if len(parts) == 2:
        return Person(tex(f"{parts[0]}, {parts[1]}")) if parts[0] else None
    return Person(tex(f"{parts[0]}, {', '.join(parts[2:])}, {parts[1]}")) if parts[0] else None


def month_name(text: str) -> str:
    """'Apr' from 'Apr', 'April', '4' or '04'; '' when it is none of these."""
    text = text.strip().lower()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 12:
        return MONTHS[int(text) - 1]
    return text[:3] if text[:3] in MONTHS else ""


def set_date(record: Record, text: str, column: str, name: str, problems: list[Problem]) -> None:
    """Year and month from a date as reference managers write it ('2007', '2007 Apr', '2007/04/12/', '2007-04');
    a date with no four-digit year is a located error."""
    text = text.strip()
    if not text:
        return
    m = YEAR.match(text)
    if not m:
        problems.append(Problem(name, "a date without a four-digit year", line=record.line, column=column,
                                found=text, allowed="a year such as 2007, optionally with month and day "
                                                    "(2007/04/12, 2007 Apr)"))
        return
    record.set("year", m.group(1))
    rest = [p for p in re.split(r"[\s/\-.]+", text[m.end():]) if p]
    if rest and month_name(rest[0]):
        record.set("month", month_name(rest[0]))


def pages(text: str) -> str:
    """A page range with MEDLINE's shortened end page written out ('791-5' -> '791-795')."""
    m = re.fullmatch(r"\s*(\d+)\s*-+\s*(\d+)\s*", text)
    if m and len(m.group(2)) < len(m.group(1)):
        first, last = m.groups()
        return f"{first}-{first[:len(first) - len(last)]}{last}"
    return text.strip()


def guideline_fields(record: Record, label: str, custom: str) -> None:
    """The guideline's own two fields where a reference manager keeps them: a label of digits is the citation
    number (refnumber), a custom field saying verified, likely or unresolved the identification; any other label
    or custom text is the manager's own and is left out."""
    if label.strip().isascii() and label.strip().isdigit():
        record.set("refnumber", label.strip())
    if custom.strip().lower() in STATUSES:
        record.set("identification", custom.strip().lower())


def generated_key(record: Record) -> str:
    """A key for a record without one, the same for the same record wherever it stands: first author's family
    name and year, and a short hash of its type, title, names and year."""
    names = record.persons.get("author") or record.persons.get("editor") or []
    first = " ".join(names[0].last_names) if names else record.fields.get("title", "anon").split(" ")[0]
    ascii_name = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode().lower()
    stem = re.sub(r"[^a-z0-9]", "", ascii_name)[:20] or "ref"
    what = "\0".join([record.type, record.fields.get("title", ""), record.fields.get("year", ""),
                      *(str(p) for ps in record.persons.values() for p in ps)])
    return f"{stem}{record.fields.get('year', '')}-{hashlib.sha256(what.encode()).hexdigest()[:6]}"


def bibliography(records: Iterable[Record], path: Path, name: str, sha256: str, problems: list[Problem],
                 known_types: Iterable[str] | None = ENTRY_TYPES, *, keep_first: bool = False,
                 number_field: str = "refnumber") -> Bibliography:
    """The records as one Bibliography: repeated keys and unknown types as the BibTeX reader reports them (a
    repeated key keeps its first record with `keep_first`, else is an error), and citation numbers checked."""
    records = list(records)
    problems += start_problems([(r.type, r.key, r.line) for r in records], name, known_types, keep_first=keep_first)
    data = BibliographyData()
    lines: dict[str, int] = {}
    taken: set[str] = set()
    for r in records:
        if r.key.lower() in taken:
            continue  # a repeated key: the first record kept, as pybtex keeps the first entry
        taken.add(r.key.lower())
        fields = {k: v if k in VERBATIM else tex(v) for k, v in r.fields.items()}
        data.add_entry(r.key, Entry(r.type, fields, r.persons))
        lines[r.key] = r.line
    by_number, found = numbered(data, lines, name, number_field)
    problems += found
    return Bibliography(path, data, by_number, lines, sha256)

