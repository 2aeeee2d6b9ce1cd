"""Formatting reference entries safely (plain text, Markdown, HTML), each entry once per .bib content and style."""

from __future__ import annotations

import dataclasses
import functools
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pybtex.database import Entry

from ..io import cache
from ..io.bib import NUMBER_FIELD, Bibliography
from ..io.biblatex import classic_entry
from ..progress import progress
from .markdown import md_escape


@dataclass(frozen=True)
class FormattedReference:
    """One numbered entry of a reference list: its text, or a note why it could not be formatted."""

    number: int
    key: str
    text: str
    status: str
    note: str = ""
    links: tuple[str, ...] = ()


_LINK_FIELDS = {"url", "doi", "eprint", "urldate"}
_SAFE_URL = re.compile(r"^https?://", re.I)
_SAFE_DOI = re.compile(r"^(https://doi\.org/|doi:)10\.", re.I)
_UNSAFE_CHARS = re.compile(r"[\s\"'<>]")


def safe_links(fields: Mapping[str, str]) -> tuple[str, ...]:
    """Link targets from doi/url fields, keeping only http, https and doi targets."""
    links = []
    doi = str(fields.get("doi", "")).strip()
    if doi:
        target = doi if re.match(r"^(https?://|doi:)", doi, re.I) else f"https://doi.org/{doi}"
        if _SAFE_DOI.match(target) and not _UNSAFE_CHARS.search(target):
            links.append(target)
    url = str(fields.get("url", "")).strip()
    if _SAFE_URL.match(url) and not _UNSAFE_CHARS.search(url):
        links.append(url)
    return tuple(links)


def format_references(bib: Bibliography, numbers: Iterable[int] | None = None,
                      style: str = "unsrt") -> list[FormattedReference]:
    """Format entries (all, or the numbers given) as plain text; one entry never fails the list.

    Each entry is formatted once per .bib content and style, and kept in the cache (grading.io.cache)."""
    return format_references_cached(bib, numbers, style)


@functools.lru_cache(maxsize=8)
def _style(style: str):
    from pybtex.plugin import find_plugin
    return find_plugin("pybtex.style.formatting", style)(), find_plugin("pybtex.backends", "text")()


def format_entries(bib: Bibliography, numbers: Iterable[int] | None = None,
                   style: str = "unsrt") -> list[FormattedReference]:
    """Format entries with pybtex, uncached (format_references is the cached way)."""
    formatter, backend = _style(style)
    numbering = bib.numbering()
    wanted = list(numbering) if numbers is None else list(numbers)
    out = []
    for n in progress(wanted, len(wanted), "formatting references"):
        key = numbering.get(n)
        if key is None:
            out.append(FormattedReference(n, "", "", "missing", f"no entry carries {NUMBER_FIELD} = {n}"))
            continue
        entry = bib.data.entries[key]
        status = str(entry.fields.get("identification", "")).strip() or ("unresolved" if bib.by_number else "")
        fields = {k: str(v) for k, v in entry.fields.items()}
        if status == "unresolved":
            what = fields.get("seed_context", "")
            out.append(FormattedReference(n, key, "", status, "unresolved: the source does not establish this "
                                          "reference's identity" + (f"; cited for: {what}" if what else "")))
            continue
        try:
            classic, _ = classic_entry(entry, bib.data)
            # Links are rendered by us from safe_links; pybtex would print any url/doi verbatim.
            bare = Entry(classic.type, {k: v for k, v in classic.fields.items() if k.lower() not in _LINK_FIELDS},
                         classic.persons)
            text = formatter.format_entry(str(n), bare).text.render(backend)
            # a likely entry's own note field already says so in the text; otherwise we add the marker
            note = "likely identification, not confirmed by a source" if status == "likely" and \
                "likely" not in fields.get("note", "").lower() else ""
            out.append(FormattedReference(n, key, text, status, note, safe_links(fields)))
        except Exception as e:  # pybtex raises several types for a missing field or unknown type
            out.append(FormattedReference(n, key, "", status, f"could not be formatted: {_why(e, classic, style)}"))
    return out


def _why(error: Exception, entry: Entry, style: str) -> str:
    """One line saying why pybtex could not format an entry."""
    if isinstance(error, AttributeError) and "format_" in str(error):
        return f"the {style} style does not know entry type @{entry.type}"
    m = re.match(r"missing (\w+)", str(error))
    if m:
        return f"missing field '{m.group(1)}' required by the {style} style for @{entry.type}"
    return f"{type(error).__name__}: {error}"


def render_references(refs: Iterable[FormattedReference], fmt: str = "text") -> str:
    """Render formatted references as text, Markdown or escaped HTML."""
    refs = list(refs)
    if fmt == "html":
        items = []
        for r in refs:
            body = html.escape(r.text) if r.text else ""
            links = " ".join(f'<a href="{html.escape(u, quote=True)}">{html.escape(u)}</a>' for u in r.links)
            note = f' <em class="note">[{html.escape(r.note)}]</em>' if r.note else ""
            items.append(f'<li value="{r.number}" id="ref-{r.number}">{body} {links}{note}</li>')
        return '<ol class="references">\n' + "\n".join(items) + "\n</ol>\n"
    lines = []
    for r in refs:
        body = r.text or ""
        note = f" [{r.note}]" if r.note else ""
        links = " " + " ".join(r.links) if r.links else ""
        if fmt == "md":
            body, note = md_escape(body), md_escape(note)
            links = " " + " ".join(f"<{u}>" for u in r.links) if r.links else ""
            # "5\." and a paragraph per entry: a Markdown ordered list would renumber 5, 9, 12 as 1, 2, 3.
            lines.append(f"{r.number}\\. {body}{links}{note}".rstrip() + "\n")
        else:
            lines.append(" ".join(x for x in (f"[{r.number}]", body, links.strip(), note.strip()) if x))
    return "\n".join(lines) + "\n"


# --- formatted entries --------------------------------------------------------------------------------

_FORMATTED: dict[str, dict[int, FormattedReference]] = {}  # per process: a notebook formats again and again


def format_references_cached(bib: Bibliography, numbers: Iterable[int] | None = None,
                             style: str = "unsrt") -> list[FormattedReference]:
    """format_references, formatting each entry once per .bib content and style, and keeping it on disk."""
    if not bib.sha256 or style not in cache.CACHED_STYLES:
        return format_entries(bib, numbers, style)
    wanted = list(bib.numbering()) if numbers is None else list(numbers)
    kind = f"refs-{style}"
    memo = cache.cache_path(kind, bib.sha256).name
    known = _FORMATTED.get(memo)
    if known is None:
        known = _decode_formatted(cache.read_lines(kind, bib.sha256) or [])
        if len(_FORMATTED) >= 8:
            _FORMATTED.clear()
        _FORMATTED[memo] = known
    missing = [n for n in dict.fromkeys(wanted) if n not in known]
    if missing:
        known.update((r.number, r) for r in format_entries(bib, missing, style))
        cache.write_lines(kind, bib.sha256, (json.dumps(dataclasses.asdict(r),
                                                        ensure_ascii=False) for r in known.values()))
    return [known[n] for n in wanted]


def _decode_formatted(lines: list[str]) -> dict[int, FormattedReference]:
    known: dict[int, FormattedReference] = {}
    try:
        for line in lines:
            ref = FormattedReference(**json.loads(line))
            known[ref.number] = dataclasses.replace(ref, links=tuple(ref.links))  # JSON gave a list
    except (ValueError, TypeError, AttributeError):
        return {}  # not to be trusted: every entry is formatted again and the file rewritten
    return known
