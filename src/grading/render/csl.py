"""BibTeX and biblatex entries (pybtex's) as CSL-JSON items, formatted by a CSL style with citeproc-py."""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData, Entry, Person

from ..io.biblatex import classic_entry
from ..io.latex import plain

_NAME_ROLES = ("author", "editor", "translator")

_NS = "{http://purl.org/net/xbiblio/csl}"

# The entry's own type decides where CSL has a closer type than classic BibTeX; otherwise its classic type does.
CSL_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "booklet": "pamphlet", "inbook": "chapter",
    "bookinbook": "chapter", "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "manual": "report", "techreport": "report",
    "report": "report", "mastersthesis": "thesis", "phdthesis": "thesis", "thesis": "thesis",
    "unpublished": "manuscript", "online": "webpage", "www": "webpage", "electronic": "webpage",
    "patent": "patent", "dataset": "dataset", "periodical": "periodical", "collection": "book",
    "mvcollection": "book", "reference": "book", "inreference": "entry-encyclopedia", "misc": "article",
}
# What BibTeX requires of each classic type (a|b: either); an entry lacking one is formatted all the same,
# with the gap noted.
REQUIRED = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author|editor", "title", "publisher", "year"),
    "booklet": ("title",),
    "inbook": ("author|editor", "title", "chapter|pages|booktitle", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "manual": ("title",),
    "mastersthesis": ("author", "title", "school", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "proceedings": ("title", "year"),
    "techreport": ("author", "title", "institution|publisher", "year"),
    "unpublished": ("author", "title"),
    "misc": ("author|title",),
}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}
def csl_name(person: Person) -> dict[str, str] | None:
    """One pybtex person as a CSL name; a braced corporate name as a literal; None for 'others'."""
    last = person.last_names
    if not (person.first_names or person.middle_names or person.prelast_names) and len(last) == 1:
        if last[0].lower() == "others":
            return None
        if last[0].startswith("{") and last[0].endswith("}"):
            return {"literal": plain(last[0])}
    name = {"family": plain(" ".join(last)), "given": plain(" ".join(person.first_names + person.middle_names))}
    if person.prelast_names:
        name["non-dropping-particle"] = plain(" ".join(person.prelast_names))
    if person.lineage_names:
        name["suffix"] = plain(" ".join(person.lineage_names))
    return {k: v for k, v in name.items() if v}


def csl_date(year: str, month: str = "", date: str = "") -> dict[str, Any] | None:
    """A CSL date from biblatex's date (YYYY[-MM[-DD]]), else BibTeX's year and month; a literal otherwise."""
    m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date or "")
    if m:
        return {"date-parts": [[int(p) for p in m.groups() if p]]}
    m = re.match(r"\s*(\d{4})\b", year or "")
    if not m:
        return {"literal": plain(year)} if year and year.strip() else None
    parts = [int(m.group(1))]
    mon = (month or "").strip().lower()
    number = int(mon) if mon.isascii() and mon.isdigit() else _MONTHS.get(mon[:3])
    if number and 1 <= number <= 12:
        parts.append(number)
    return {"date-parts": [parts]}


def csl_item(entry: Entry, data: BibliographyData | None = None, item_id: str = "item") -> tuple[dict, list[str]]:
    """A CSL-JSON item from what the entry has (links left out: they are rendered apart), and the gaps noted."""
    classic, _ = classic_entry(entry, data)
    fields = {k.lower(): str(v) for k, v in classic.fields.items()}
    persons = {role.lower(): people for role, people in classic.persons.items()}
    kind = classic.type.lower()
    ctype = CSL_TYPES.get(entry.type.lower()) or CSL_TYPES.get(kind, "article")
    item: dict[str, Any] = {"id": item_id, "type": ctype}
    for role in _NAME_ROLES:
        names = [n for n in (csl_name(p) for p in persons.get(role, ())) if n]
        if names:
            item[role] = names
    title = fields.get("title", "")
    if fields.get("subtitle"):
        title = f"{title}: {fields['subtitle']}" if title else fields["subtitle"]
    container = fields.get("journal") or fields.get("booktitle")
    if kind == "inbook" and not fields.get("booktitle"):
        container = None
    simple = {"volume": "volume", "edition": "edition", "series": "collection-title", "isbn": "ISBN",
              "issn": "ISSN", "language": "language", "type": "genre", "chapter": "chapter-number",
              "version": "version"}
    for name, variable in simple.items():
        if fields.get(name):
            item[variable] = plain(fields[name])
    if title:
        item["title"] = plain(title)
    if container:
        item["container-title"] = plain(container)
    if fields.get("number"):
        item["issue" if ctype in ("article-journal", "article-magazine", "article-newspaper") else "number"] = \
            plain(fields["number"])
    if fields.get("pages"):
        item["page"] = plain(re.sub(r"\s*-+\s*", "-", fields["pages"]))
    publisher = fields.get("publisher") or fields.get("institution") or fields.get("school") or \
        fields.get("organization")
    if publisher:
        item["publisher"] = plain(publisher)
    if fields.get("address"):
        item["publisher-place"] = plain(fields["address"])
    issued = csl_date(fields.get("year", ""), fields.get("month", ""), str(entry.fields.get("date", "")))
    if issued:
        item["issued"] = issued
    return item, _gaps(kind, fields, persons)


def _gaps(kind: str, fields: Mapping[str, str], persons: Mapping[str, object]) -> list[str]:
    """The fields BibTeX would ask of this type that the entry lacks ('journal', 'author or editor')."""
    have = {k for k, v in fields.items() if str(v).strip()} | {r for r, p in persons.items() if p}
    return [need.replace("|", " or ") for need in REQUIRED.get(kind, ())
            if not any(part in have for part in need.split("|"))]


@functools.lru_cache(maxsize=8)
def load_style(path: Path):
    """A parsed CSL style, repaired where citeproc-py departs from CSL, and without its own numbers."""
    from citeproc import CitationStylesStyle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(str(path), validate=False)
    root = style.root
    for el in root.iter(_NS + "date"):
        # citeproc-py joins a localised date's parts with the style's delimiter, not the locale's: "1995Feb".
        if el.get("form") and el.get("delimiter") is None and not el.is_locale_date():
            delimiter = el.get_date(el.get("form")).get("delimiter")
            if delimiter is not None:
                el.set("delimiter", delimiter)
    bibliography = root.find(_NS + "bibliography")
    if bibliography is not None:
        # The guideline numbers its list itself (its own numbers, or by first citation).
        for el in list(bibliography.iter(_NS + "text")):
            if el.get("variable") == "citation-number":
                el.getparent().remove(el)
    return style


def format_item(item: dict, style_path: Path) -> str:
    """One CSL-JSON item formatted as plain text by the style (its own bibliography, so nothing else can fail it)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns of every variable a style does not use
        bibliography = CitationStylesBibliography(load_style(style_path), CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = bibliography.bibliography()
    return " ".join(str(rendered[0]).split()) if rendered else ""


def fallback_text(item: Mapping[str, Any]) -> str:
    """Author. Title. Container. Year. — what is printed when the style itself fails on an entry."""
    names = item.get("author") or item.get("editor") or []
    who = ", ".join(n.get("literal") or " ".join(x for x in (n.get("family"), n.get("given")) if x) for n in names)
    issued = item.get("issued") or {}
    year = str(issued["date-parts"][0][0]) if issued.get("date-parts") else str(issued.get("literal", ""))
    parts = [who, item.get("title", ""), item.get("container-title", ""), year]
    return " ".join(f"{p.rstrip('.')}." for p in parts if p)
