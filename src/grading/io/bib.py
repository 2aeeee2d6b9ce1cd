"""The reference list: loading a .bib through pybtex with located errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from pybtex.database import BibliographyData

from ..errors import Problem
from .files import decode_utf8, read_bytes

NUMBER_FIELD = "refnumber"  # the guideline's citation number; BibTeX's own `number` is an issue number
STATUSES = ("verified", "likely", "unresolved")
NO_ENTRIES = "the file holds no BibTeX entries"
ENTRY_TYPES = frozenset("""article book booklet conference inbook incollection inproceedings manual mastersthesis
misc phdthesis proceedings techreport unpublished online report thesis collection mvbook mvcollection
mvproceedings bookinbook suppbook suppcollection suppperiodical periodical reference mvreference inreference
patent set xdata dataset software electronic www standard""".split())
WHOLE_NUMBER = re.compile(r"[0-9]+\Z")  # ASCII digits only: '²' or '٣' is no citation number, nor '12\n'
_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]*)\s*,?")


@dataclass(frozen=True)
class Bibliography:
    """A parsed .bib with the guideline's citation numbers (its entries' refnumber fields) mapped to entry keys."""

    path: Path
    data: BibliographyData
    by_number: Mapping[int, str]
    lines: Mapping[str, int]
    sha256: str = ""  # of the file's bytes: what caches of this bibliography are keyed by
    # Reference cell -> key, as key_of found it: loading and grading ask it for every evidence row, three times.
    # Not an init field, so a `replace` (another file, other numbers) starts with none.
    _keys: dict[str, str | None] = field(default_factory=dict, init=False, repr=False, compare=False)
    _statuses: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)  # key -> status

    def key_of(self, reference: str) -> str | None:
        """The key of the entry a table's reference cell names — its refnumber, or its key in any case — or None."""
        try:
            return self._keys[reference]
        except KeyError:
            found = self._keys[reference] = self._key_of(reference)
            return found

    def _key_of(self, reference: str) -> str | None:
        reference = reference.strip()
        if not reference:
            return None
        if WHOLE_NUMBER.match(reference) and int(reference) in self.by_number:
            return self.by_number[int(reference)]
        if reference in self.data.entries:
            entry = self.data.entries[reference]
            return str(getattr(entry, "key", None) or reference)
        return None

    def status_of(self, key: str) -> str:
        """The entry's identification (verified, likely, unresolved), '' for an ordinary one, 'missing' if absent."""
        try:
            return self._statuses[key]
        except KeyError:
            entries = self.data.entries
            found = self._statuses[key] = "missing" if key not in entries else \
                str(entries[key].fields.get("identification", "")).strip()
            return found

    def status(self, number: int) -> str:
        """status_of the entry whose refnumber is `number`; 'missing' when no entry carries it."""
        key = self.by_number.get(number)
        return "missing" if key is None else self.status_of(key)

    def numbering(self, cited: Iterable[str] = ()) -> dict[int, str]:
        """Number -> key for every entry: its refnumber where it has one; the rest numbered on from the highest,
        those `cited` (keys, in order of first citation) first, then the others in the file's order."""
        out = dict(self.by_number)
        taken = {k.lower() for k in out.values()}
        after = max(out, default=0)
        for key in [*cited, *self.data.entries]:
            if key.lower() not in taken and key in self.data.entries:
                after += 1
                out[after] = str(getattr(self.data.entries[key], "key", None) or key)
                taken.add(key.lower())
        return dict(sorted(out.items()))

    def numbered_by(self) -> str:
        """How numbering() numbers this list: 'refnumber', 'first citation', or 'refnumber, then first citation'."""
        if not self.by_number:
            return "first citation"
        return "refnumber" if len(self.by_number) == len(self.data.entries) else "refnumber, then first citation"

    # The one interface through which the rest of the package reads entries: keys, types, fields and names as
    # text, so no module past io/ (and the CSL adapter, render/csl.py) reaches into the parser's objects.

    @property
    def keys(self) -> tuple[str, ...]:
        """Every entry's key, in the file's order."""
        return tuple(self.data.entries)

    def entry_type(self, key: str) -> str:
        """The entry's type as written (article, book, …), '' for a key the list lacks."""
        entry = self.data.entries.get(key)
        return "" if entry is None else str(entry.type)

    def fields(self, key: str) -> dict[str, str]:
        """Every field of the entry (names as written, values as text), {} for a key the list lacks."""
        entry = self.data.entries.get(key)
        return {} if entry is None else {k: str(v) for k, v in entry.fields.items()}

    def people(self, key: str) -> dict[str, list[str]]:
        """Role (author, editor, …) -> the names in order, as written; {} for a key the list lacks."""
        entry = self.data.entries.get(key)
        return {} if entry is None else {role: [str(p) for p in names] for role, names in entry.persons.items()}

    @property
    def reconstructed(self) -> bool:
        """True where the list is a reconstruction: its entries say how each was identified."""
        return any("identification" in e.fields for e in self.data.entries.values())

    def field(self, number: int, name: str) -> str:
        """One field of the entry cited as `number`, or ''."""
        key = self.by_number.get(number)
        return "" if key is None else self.field_of(key, name)

    def field_of(self, key: str, name: str) -> str:
        """One field (or the names of one role) of the entry with this key, or ''."""
        if key not in self.data.entries:
            return ""
        entry = self.data.entries[key]
        if name in entry.persons:
            return " and ".join(str(p) for p in entry.persons[name])
        return str(entry.fields.get(name, ""))


def entry_lines(text: str) -> list[tuple[str, str, int]]:
    """(type, key, line) of every entry start in the text, in order."""
    out = []
    line, counted = 1, 0  # counting newlines from the previous match keeps this linear in the file size
    for m in _ENTRY_START.finditer(text):
        kind = m.group(1).lower()
        if kind in ("comment", "preamble", "string"):
            continue
        line += text.count("\n", counted, m.start())
        counted = m.start()
        out.append((kind, m.group(2), line))
    return out


@dataclass(frozen=True)
class ParsedBib:
    """What parsing a .bib's text yields whatever the file is called: the part worth caching."""

    starts: tuple[tuple[str, str, int], ...]  # (type, key, line) of every entry start
    data: BibliographyData | None
    by_number: Mapping[int, str]
    problems: tuple[Problem, ...]  # syntax, citation-number and status problems, with file ""


def load_bibliography(path: Path, name: str | None = None, known_types: Iterable[str] | None = ENTRY_TYPES, *,
                      keep_first: bool = False) -> tuple[Bibliography | None, list[Problem]]:
    """Parse a .bib; return it with every problem found (None when it cannot be parsed at all).

    With `keep_first` (for rendering a list, as BibTeX does) a repeated key keeps its first entry with a warning;
    without it (a guideline's own .bib, where a row citing the key would be ambiguous) it is an error."""
    return load_bibliography_with(lambda text, sha256: parse_bib(text), path, name, known_types,
                                  keep_first=keep_first)


def load_bibliography_with(parse: Callable[[str, str], ParsedBib], path: Path, name: str | None = None,
                           known_types: Iterable[str] | None = ENTRY_TYPES, *, keep_first: bool = False
                           ) -> tuple[Bibliography | None, list[Problem]]:
    """load_bibliography with the text parsed by `parse(text, sha256 of the bytes)`: the hook of a cache."""
    name = name or path.name
    problems: list[Problem] = []
    read = read_list(path, name, problems, "one or more @type{key, ...} entries")
    if read is None:
        return None, problems
    raw, text = read
    return bibliography_of(parse, text, hashlib.sha256(raw).hexdigest(), path, name, problems, known_types,
                           keep_first=keep_first)


def read_list(path: Path, name: str, problems: list[Problem], allowed: str) -> tuple[bytes, str] | None:
    """A reference list's bytes and UTF-8 text; None, with the problem, when it is unreadable or empty."""
    raw = read_bytes(path, name, problems)
    if raw is None:
        return None
    text = decode_utf8(raw, name, problems, allowed="UTF-8 (export from the reference manager as UTF-8)")
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(name, "the file is empty", line=1, allowed=allowed))
        return None
    return raw, text


def bibliography_of(parse: Callable[[str, str], ParsedBib], text: str, sha256: str, path: Path, name: str,
                    problems: list[Problem], known_types: Iterable[str] | None = ENTRY_TYPES, *,
                    keep_first: bool = False) -> tuple[Bibliography | None, list[Problem]]:
    """A .bib's text parsed by `parse` into a Bibliography, with its problems added to `problems`."""
    parsed = parse(text, sha256)
    other = _other_format(text, name) if not parsed.starts else None
    if other is not None:  # another manager's records: one error, not one "absent reference" per citation
        return None, problems + [other]
    problems += start_problems(parsed.starts, name, known_types, keep_first=keep_first)
    problems += [replace(p, file=name) for p in parsed.problems]
    if parsed.data is None:
        return None, problems
    lines: dict[str, int] = {}
    for _, key, line in parsed.starts:
        lines.setdefault(key, line)  # a repeated key: pybtex keeps the first entry
    return Bibliography(path, parsed.data, parsed.by_number, lines, sha256), problems


def start_problems(starts: Iterable[tuple[str, str, int | None]], name: str,
                   known_types: Iterable[str] | None = ENTRY_TYPES, *, keep_first: bool = False) -> list[Problem]:
    """Every repeated key (case-insensitive) and unknown type among (type, key, line) entry starts: a repeated key is
    a warning keeping the first entry with `keep_first` (as BibTeX does), an error without it."""
    known = None if known_types is None else frozenset(known_types)
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for kind, key, line in starts:
        if key.lower() in seen and keep_first:
            problems.append(Problem(name, f"repeated entry key (first on line {seen[key.lower()]}): the first entry "
                                    "is kept and this one left out, as BibTeX does", line=line, column="key",
                                    found=key, allowed="each key once", severity="warning"))
        elif key.lower() in seen:
            problems.append(Problem(name, f"duplicate entry key (first on line {seen[key.lower()]})", line=line,
                                    column="key", found=key, allowed="each key once"))
        else:
            seen[key.lower()] = line
        if known is not None and kind not in known:
            problems.append(Problem(name, "unknown entry type", line=line, column="type", found=f"@{kind}",
                                    allowed="a BibTeX or biblatex type such as @article, @book, @techreport, @misc"))
    return problems


def _other_format(text: str, name: str) -> Problem | None:
    """The one problem of a file with no @type{key, ...} entry that holds another manager's records; None when it
    holds nothing yet (a new guideline's list may be empty; `grading references` refuses to render it)."""
    if re.search(r"^TY  - ", text, re.M):
        return Problem(name, f"{NO_ENTRIES}: it holds RIS records (TY  - ...)", line=1,
                       allowed="BibTeX entries @type{key, ...}; export the references from the reference manager "
                               "as BibTeX")
    if re.search(r"^%0 ", text, re.M):
        return Problem(name, f"{NO_ENTRIES}: it holds EndNote tagged records (%0 ...)", line=1,
                       allowed="BibTeX entries @type{key, ...}; export the references from EndNote as BibTeX")
    return None


def parse_bib(text: str) -> ParsedBib:
    """Parse .bib text with pybtex, collecting syntax, citation-number and status problems (file left empty)."""
    import pybtex.errors  # imported here: a cache hit never needs the parser
    from pybtex.database import InvalidNameString
    from pybtex.database.input.bibtex import DuplicateField, Parser
    from pybtex.scanner import PybtexSyntaxError

    from ..progress import parse_counted

    name = ""  # load_bibliography_with names the file
    starts = entry_lines(text)
    problems: list[Problem] = []
    with pybtex.errors.capture() as captured:
        try:
            data = parse_counted(Parser(encoding="utf-8"), text, len(starts))
        except PybtexSyntaxError as e:  # raised past capture for unrecoverable syntax
            captured.append(e)
            data = None
    named_at = 0
    for err in captured:
        msg = str(err)
        if msg.startswith("repeated bibliography entry"):
            continue  # reported above with its line
        if isinstance(err, InvalidNameString):
            # pybtex, like BibTeX, warns and joins the extra parts; the entry is read, so one name never fails a list.
            quoted, line, named_at = _name_line(text, msg, named_at)
            problems.append(Problem(name, "a name with too many commas cannot be split into last, junior and first "
                                    "names; its last parts are joined", line=line, column="author/editor",
                                    found=quoted,
                                    allowed="'Last, First', 'Last, Jr, First' or 'First Last', several joined by "
                                            "' and '", severity="warning"))
            continue
        line = getattr(err, "lineno", None)
        if isinstance(err, DuplicateField):
            m = re.match(r"entry with key (.*) has a duplicate", msg)
            line = next((ln for _, key, ln in starts if m and key == m.group(1)), None)
        msg = re.sub(r" in line \d+", "", msg)
        if msg.endswith("'}' expected") or msg.endswith("',' expected"):
            msg += " (a missing comma between fields, or an entry left open?)"
        problems.append(Problem(name, msg.replace("syntax error: ", "syntax error: "), line=line,
                                allowed="BibTeX syntax: @type{key, field = {value}, ...}"))
    if data is None:
        return ParsedBib(tuple(starts), None, {}, tuple(problems))
    lines: dict[str, int] = {}
    for _, key, line in starts:
        lines.setdefault(key, line)  # a repeated key: pybtex keeps the first entry
    by_number, found = numbered(data, lines)
    return ParsedBib(tuple(starts), data, by_number, tuple(problems + found))


def numbered(data: BibliographyData, lines: Mapping[str, int | None], name: str = "",
             number_field: str = NUMBER_FIELD) -> tuple[dict[int, str], list[Problem]]:
    """Citation number -> key from the entries' refnumber fields, with every bad or repeated number and unknown
    identification status as a problem (`number_field` is what the file calls the number, for the message)."""
    problems: list[Problem] = []
    by_number: dict[int, str] = {}
    for key, entry in data.entries.items():
        value = str(entry.fields.get(NUMBER_FIELD, "")).strip()
        if not value:
            continue  # an entry without a number is numbered by first citation (Bibliography.numbering)
        if not WHOLE_NUMBER.match(value):
            problems.append(Problem(name, "citation number is not a whole number", line=lines.get(key),
                                    column=number_field, found=value,
                                    allowed="a whole number in digits 0-9, such as 321"))
        elif int(value) in by_number:
            problems.append(Problem(name, f"citation number already used by entry {by_number[int(value)]}",
                                    line=lines.get(key), column=number_field, found=value,
                                    allowed="each number once"))
        else:
            by_number[int(value)] = key
        status = str(entry.fields.get("identification", "")).strip()
        if status and status not in STATUSES:
            problems.append(Problem(name, "unknown identification status", line=lines.get(key),
                                    column="identification", found=status, allowed=", ".join(STATUSES)))
    return dict(sorted(by_number.items())), problems


def _name_line(text: str, message: str, start: int) -> tuple[str, int | None, int]:
    """The name a pybtex 'Too many commas' message quotes, and the line of its first occurrence from `start`."""
    import ast
    shown = message.removeprefix("Too many commas in ")
    try:
        quoted = str(ast.literal_eval(shown))
    except (ValueError, SyntaxError):
        return shown, None, start
    words = quoted.split()
    m = re.compile(r"\s+".join(map(re.escape, words))).search(text, start) if words else None
    if m is None:
        return quoted, None, start
    return quoted, text.count("\n", 0, m.start()) + 1, m.end()
