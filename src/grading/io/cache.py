"""What is slow to rebuild — a parsed .bib, its formatted entries — kept on disk under the file's sha256.

A cache file is named by the sha256 of the .bib's bytes and a fingerprint of everything else its content
depends on (this format, pybtex's and citeproc-py's versions, the source of the modules that parse and format;
formatted entries also by the CSL style file's content), so a stale
entry cannot be found. Files are JSON lines, never pickle: a header line carrying the sha256 of the
body, checked before anything is trusted; a file that fails any check is rebuilt. Writes go to a
temporary file renamed into place; a cache that cannot be read or written only costs time.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, MutableMapping
from pathlib import Path

from pybtex.database import BibliographyData, Entry, Person

from ..errors import OutputError, Problem
from .bib import ENTRY_TYPES, Bibliography, ParsedBib, load_bibliography_with, parse_bib
from .files import write_atomic

FORMAT = 1
# Below this size pybtex parses about as fast as a cache file is read and checked; tests lower it.
MIN_CACHED_BYTES = 16 * 1024
KEEP = 8  # files kept per kind, the most recently used: a .bib edited many times leaves no trail of old parses
_PERSON_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


def cache_dir() -> Path:
    """$GRADING_CACHE_DIR, else $XDG_CACHE_HOME/grading, else ~/.cache/grading."""
    if os.environ.get("GRADING_CACHE_DIR"):
        return Path(os.environ["GRADING_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "grading"


# The source files a cached value is made by: a change to any of them makes every cache file stale.
SOURCES = ("io/bib.py", "io/biblatex.py", "io/cache.py", "errors.py", "render/references.py", "render/csl.py",
           "io/references.py", "io/entries.py", "io/ris.py", "io/csljson.py", "io/medline.py", "io/endnote.py")
# The packages that parse and format (a formatted entry's style file is named in its cache kind).
PACKAGES = ("pybtex", "citeproc-py", "rispy", "nbib", "defusedxml")


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """sha256 of what a cached value depends on besides the .bib: format, the versions of pybtex and citeproc-py,
    and our own parsing and formatting code."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256(f"{FORMAT}\0".encode())
    for name in PACKAGES:
        try:
            h.update(f"{name} {version(name)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{name} absent\0".encode())
    package = Path(__file__).resolve().parents[1]
    for source in SOURCES:
        h.update((package / source).read_bytes())
    return h.hexdigest()


def cache_path(kind: str, sha256: str) -> Path:
    """Where the cache file of one kind for one .bib content lives."""
    return cache_dir() / f"{kind}-{sha256}-{fingerprint()[:16]}.jsonl"


def read_lines(kind: str, sha256: str) -> list[str] | None:
    """The body lines of a cache file whose header and checksum hold; None when absent or not to be trusted."""
    path = cache_path(kind, sha256)
    try:
        raw = path.read_bytes()
        head, _, body = raw.partition(b"\n")
        header = json.loads(head)
        if header != _header(kind, sha256, body):
            return None
        lines = body.decode("utf-8").split("\n")
    except (OSError, ValueError):
        return None
    try:
        os.utime(path)  # marks it used, for _prune
    except OSError:
        pass
    return lines


def write_lines(kind: str, sha256: str, lines: Iterable[str]) -> None:
    """Write a cache file atomically (temporary file, then rename); failing to write only costs time."""
    body = "\n".join(lines).encode("utf-8")
    head = json.dumps(_header(kind, sha256, body)).encode("utf-8")
    path = cache_path(kind, sha256)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, head + b"\n" + body, mode=0o600)
        _prune(path.parent, kind)
    except (OSError, OutputError):
        pass


def _prune(folder: Path, kind: str) -> None:
    """Remove all but the KEEP most recently used files of one kind."""
    files = sorted(folder.glob(f"{kind}-*.jsonl"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)


def _header(kind: str, sha256: str, body: bytes) -> dict:
    return {"format": FORMAT, "kind": kind, "sha256": sha256, "fingerprint": fingerprint(),
            "body_sha256": hashlib.sha256(body).hexdigest()}


# --- the parsed bibliography --------------------------------------------------------------------------

def load_bibliography_cached(path: Path, name: str | None = None,
                             known_types: Iterable[str] | None = ENTRY_TYPES
                             ) -> tuple[Bibliography | None, list[Problem]]:
    """load_bibliography, reading the parse from the cache when this exact file was parsed before."""
    return load_bibliography_with(parse_bib_cached, path, name, known_types)


def parse_bib_cached(text: str, sha256: str) -> ParsedBib:
    """parse_bib through the cache: a hit builds each entry only when it is first looked up."""
    if len(text) < MIN_CACHED_BYTES:
        return parse_bib(text)
    lines = read_lines("bib", sha256)
    if lines is not None:
        try:
            return decode_parsed(lines)
        except (ValueError, TypeError, KeyError, IndexError):
            pass  # a well-formed file of the wrong shape: rebuilt below like any other bad file
    parsed = parse_bib(text)
    write_lines("bib", sha256, encode_parsed(parsed))
    return parsed


def encode_parsed(parsed: ParsedBib) -> list[str]:
    """A parsed .bib as JSON lines: one line of metadata, then one line per entry in file order."""
    data = parsed.data
    entries = data.entries if data is not None else {}
    starts = parsed.starts
    meta = {"starts": [[s[0] for s in starts], [s[1] for s in starts], [s[2] for s in starts]],
            "by_number": list(parsed.by_number.items()),
            "problems": [{k: v for k, v in dataclasses.asdict(p).items() if k != "file"} for p in parsed.problems],
            "parsed": data is not None, "preamble": data.preamble_list if data is not None else [],
            "keys": list(entries)}
    dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    return [dumps(meta)] + [dumps([e.original_type, list(e.fields.items()),
                                   [[role, [[getattr(p, a) for a in _PERSON_PARTS] for p in people]]
                                    for role, people in e.persons.items()]]) for e in entries.values()]


def decode_parsed(lines: list[str]) -> ParsedBib:
    """The ParsedBib that encode_parsed wrote; raise ValueError when the lines do not fit together."""
    meta = json.loads(lines[0])
    types, keys, numbers = meta["starts"]
    starts = tuple(zip(types, keys, numbers))
    problems = tuple(Problem(file="", **p) for p in meta["problems"])
    by_number = {int(n): str(key) for n, key in meta["by_number"]}
    if not meta["parsed"]:
        return ParsedBib(starts, None, by_number, problems)
    if len(meta["keys"]) != len(lines) - 1 or not (len(types) == len(keys) == len(numbers)):
        raise ValueError("cache body does not match its entry keys")
    data = BibliographyData()
    data.entries = LazyEntries(zip(meta["keys"], lines[1:]))
    data.add_to_preamble(*meta["preamble"])
    return ParsedBib(starts, data, by_number, problems)


class LazyEntries(MutableMapping):
    """Entries by key, case-insensitive and in file order, each built into a pybtex Entry when first read."""

    def __init__(self, encoded: Iterable[tuple[str, str]]):
        self._keys: dict[str, str] = {}
        self._values: dict[str, Entry | str] = {}  # a str is an entry's JSON line, not yet built
        for key, line in encoded:
            self._keys[key.lower()] = key
            self._values[key.lower()] = line

    def __getitem__(self, key: str) -> Entry:
        value = self._values[key.lower()]
        if isinstance(value, str):
            value = self._values[key.lower()] = _entry(self._keys[key.lower()], value)
        return value

    def __setitem__(self, key: str, entry: Entry) -> None:
        self._keys[key.lower()] = key
        self._values[key.lower()] = entry

    def __delitem__(self, key: str) -> None:
        del self._values[key.lower()]
        del self._keys[key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys.values())

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items())})"

    def items_lower(self):
        """(lower-case key, entry) pairs, as pybtex's own entry dictionary gives them."""
        return ((key.lower(), value) for key, value in self.items())

    def lower(self):
        """A copy with lower-case keys, as pybtex's own entry dictionary gives it."""
        from pybtex.utils import OrderedCaseInsensitiveDict
        return OrderedCaseInsensitiveDict(self.items_lower())


def _entry(key: str, line: str) -> Entry:
    type_, fields, persons = json.loads(line)
    entry = Entry(type_, fields, {role: [_person(parts) for parts in people] for role, people in persons})
    entry.key = key
    return entry


def _person(parts: list[list[str]]) -> Person:
    # Person() would split five empty name strings (a third of a warm audit at 50,000 entries); every part is set below.
    person = Person.__new__(Person)
    for attribute, names in zip(_PERSON_PARTS, parts, strict=True):
        setattr(person, attribute, list(names))
    return person
