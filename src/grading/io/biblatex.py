"""Reading biblatex (and reference-manager) entries as classic BibTeX so that a pybtex style can format them."""

from __future__ import annotations

import re

from pybtex.database import BibliographyData, Entry

# biblatex entry type -> the classic type pybtex's styles know; types missing here keep their own name
# and get a one-line note from the formatter when the style does not know them.
TYPE_ALIASES = {
    "mvbook": "book", "bookinbook": "inbook", "collection": "book", "mvcollection": "book",
    "proceedings": "proceedings", "mvproceedings": "proceedings", "report": "techreport",
    "online": "misc", "electronic": "misc", "www": "misc", "conference": "inproceedings",
    "reference": "book", "mvreference": "book", "inreference": "incollection", "suppbook": "inbook",
    "suppcollection": "incollection", "dataset": "misc", "software": "misc",
}
# biblatex field -> classic field, used only where the classic field is absent.
FIELD_ALIASES = {"journaltitle": "journal", "location": "address", "institution": "institution"}
# Fields a child inherits from its crossref parent under a different name (biblatex's default inheritance).
PARENT_AS = {"title": "booktitle", "subtitle": "booksubtitle"}


def _year(date: str) -> str:
    m = re.match(r"\s*(\d{4})", date)
    return m.group(1) if m else ""


def classic_entry(entry: Entry, data: BibliographyData | None = None) -> tuple[Entry, list[str]]:
    """A classic-BibTeX copy of an entry (crossref inherited, biblatex fields mapped) and what was mapped."""
    fields = dict(entry.fields)
    persons = {role: list(people) for role, people in entry.persons.items()}
    notes: list[str] = []
    parent_key = fields.get("crossref")
    if parent_key and data is not None:
        parent = data.entries.get(parent_key)
        if parent is None:
            notes.append(f"crossref '{parent_key}' not found")
        else:
            for name, value in parent.fields.items():
                target = PARENT_AS.get(name.lower(), name) if entry.type.lower().startswith("in") else name
                fields.setdefault(target, value)
            for role, people in parent.persons.items():
                persons.setdefault(role, list(people))
            notes.append(f"inherits from {parent_key}")
    lower = {k.lower(): k for k in fields}
    for src, dst in FIELD_ALIASES.items():
        if src in lower and dst not in lower:
            fields[dst] = fields[lower[src]]
    if "year" not in lower and "date" in lower and _year(str(fields[lower["date"]])):
        fields["year"] = _year(str(fields[lower["date"]]))
    if entry.type.lower() == "thesis":
        kind = str(fields.get("type", "")).lower()
        etype = "mastersthesis" if "master" in kind or kind == "mathesis" else "phdthesis"
    else:
        etype = TYPE_ALIASES.get(entry.type.lower(), entry.type.lower())
    if etype in ("phdthesis", "mastersthesis") and "school" not in fields and "institution" in fields:
        fields["school"] = fields["institution"]
    if etype != entry.type.lower():
        notes.append(f"@{entry.type} read as @{etype}")
    return Entry(etype, fields, persons), notes
