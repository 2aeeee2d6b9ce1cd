"""The one registry of reference-list formats: BibTeX, RIS, CSL-JSON, MEDLINE and EndNote XML, each chosen by the
file's suffix, or by its first bytes where the suffix says another format or none, and read into one Bibliography.

Every reference list the package reads — a guideline's own (its manifest's `references`), `grading references --bib`
and a new study for `grading impact` — is read here, so a format is added in one place: a reader in io/ and a row
in FORMATS.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from .bib import ENTRY_TYPES, Bibliography, bibliography_of, parse_bib, read_list
from .cache import parse_bib_cached
from .entries import Record, bibliography

Reader = Callable[[str, str, list[Problem]], list[Record]]


@dataclass(frozen=True)
class ReferenceFormat:
    """One format of reference list: its name, the suffixes that name it, how its first bytes look, its reader."""

    name: str
    label: str
    suffixes: tuple[str, ...]
    looks_like: re.Pattern[str]  # searched in the file's first 4,000 characters
    read: Reader | None  # None: BibTeX, read by io/bib.py through pybtex (and its cache)
    number_field: str = "refnumber"  # what the format calls the guideline's citation number, for messages
    export: str = ""  # how to get this format out of a reference manager


def _ris(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """RIS records, by io/ris.py (imported when a RIS file is read)."""
    from . import ris
    return ris.records(text, name, problems)


def _csljson(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """CSL-JSON items, by io/csljson.py."""
    from . import csljson
    return csljson.records(text, name, problems)


def _medline(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """MEDLINE records, by io/medline.py."""
    from . import medline
    return medline.records(text, name, problems)


def _endnote(text: str, name: str, problems: list[Problem]) -> list[Record]:
    """EndNote XML records, by io/endnote.py."""
    from . import endnote
    return endnote.records(text, name, problems)


FORMATS: tuple[ReferenceFormat, ...] = (
    ReferenceFormat("bibtex", "BibTeX", (".bib", ".bibtex"), re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M), None,
                    export="BibTeX (Zotero, JabRef, Mendeley: Export as BibTeX)"),
    ReferenceFormat("ris", "RIS", (".ris",), re.compile(r"^\ufeff?TY  - ", re.M), _ris, "LB",
                    export="RIS (every manager: Export as RIS)"),
    ReferenceFormat("csljson", "CSL-JSON", (".json", ".csljson"),
                    re.compile(r"\A\ufeff?\s*[\[{]\s*(?:\{\s*)?\"(?:id|type|title|author|issued)\""), _csljson,
                    "citation-number", export="CSL-JSON (Zotero: Export as CSL JSON; pandoc)"),
    ReferenceFormat("medline", "MEDLINE", (".nbib", ".medline"), re.compile(r"^\ufeff?(?:PMID- |TI  - |FAU - )", re.M),
                    _medline, export="MEDLINE (PubMed: Send to > Citation manager, or Save > PubMed format)"),
    ReferenceFormat("endnote", "EndNote XML", (".xml",),
                    re.compile(r"\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?<xml>\s*<records"), _endnote, "label",
                    export="EndNote XML (EndNote: File > Export > XML)"),
)
SUFFIXES = ", ".join(s for f in FORMATS for s in f.suffixes) + ", .txt (MEDLINE)"
ALLOWED = "a reference list as " + "; ".join(f.export for f in FORMATS)


def suffix_known(name: str) -> bool:
    """True when a file of this name would be read by its suffix (or, for .txt, by its content)."""
    suffix = Path(name).suffix.lower()
    return suffix == ".txt" or any(suffix in f.suffixes for f in FORMATS)


def by_name(name: str) -> ReferenceFormat:
    """The format of this name (bibtex, ris, csljson, medline, endnote)."""
    return next(f for f in FORMATS if f.name == name)


def sniff(text: str) -> ReferenceFormat | None:
    """The format the text's first characters show, or None."""
    head = text[:4000]
    return next((f for f in FORMATS if f.looks_like.search(head)), None)


def format_of(path: Path, text: str, name: str) -> tuple[ReferenceFormat | None, list[Problem]]:
    """The format to read a file by: its suffix's, unless its content shows another (then that, with a notice);
    its content's where the suffix names none (.txt: MEDLINE); None, with the problem, when neither tells."""
    suffix = path.suffix.lower()
    named = next((f for f in FORMATS if suffix in f.suffixes), None)
    if named is not None and (named.looks_like.search(text[:4000]) or named.looks_like.search(text)):
        return named, []  # its first record may stand after a long header
    seen = sniff(text)
    if seen is not None and named is not None:
        return seen, [Problem(name, f"named {suffix} but holds {seen.label} records: read as {seen.label}", line=1,
                              found=suffix, allowed=f"a {seen.label} file named {', '.join(seen.suffixes)}",
                              severity="notice")]
    if seen is not None:
        return seen, []
    if named is not None:
        return named, []  # its reader says what is wrong with it, located
    if re.search(r"^%0 ", text[:4000], re.M):
        return None, [Problem(name, "holds EndNote tagged records (%0 ...), which no reader here reads", line=1,
                              allowed="export them from EndNote as XML or RIS")]
    return None, [Problem(name, "is no reference list this package reads: its name ends in none of "
                          f"{SUFFIXES} and its first lines look like none of them", line=1,
                          found=suffix or "(no suffix)", allowed=ALLOWED)]


def load_references(path: Path, name: str | None = None, known_types: Iterable[str] | None = ENTRY_TYPES, *,
                    keep_first: bool = False, cached: bool = False) -> tuple[Bibliography | None, list[Problem]]:
    """Read a reference list in any registered format; return it with every problem found (None when it cannot
    be read at all). A repeated key is handled as load_bibliography handles it (`keep_first`); `cached` reads a
    .bib's parse through the cache."""
    name = name or path.name
    problems: list[Problem] = []
    read = read_list(path, name, problems, ALLOWED)
    if read is None:
        return None, problems
    raw, text = read
    fmt, found = format_of(path, text, name)
    problems += found
    if fmt is None:
        return None, problems
    sha256 = hashlib.sha256(raw).hexdigest()
    if fmt.read is None:
        parse = parse_bib_cached if cached else (lambda text, sha256: parse_bib(text))
        return bibliography_of(parse, text, sha256, path, name, problems, known_types, keep_first=keep_first)
    records = fmt.read(text, name, problems)
    if not records and not any(p.severity == "error" for p in problems):
        problems.append(Problem(name, f"the file holds no {fmt.label} records", line=1, allowed=fmt.export))
    bib = bibliography(records, path, name, sha256, problems, known_types, keep_first=keep_first,
                       number_field=fmt.number_field)
    return (bib if records else None), problems
