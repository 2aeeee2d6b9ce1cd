"""Formatting reference lists as medicine formats them (a CSL style, Vancouver by default), safely as text,
Markdown or HTML; each entry formatted once per .bib content and style, and kept in the cache."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..io import cache
from ..io.bib import Bibliography
from ..io.manifest import DEFAULT_STYLE, citation_style_file
from ..progress import progress
from .csl import csl_item, fallback_text, format_item
from .markdown import md_escape

if TYPE_CHECKING:
    from ..io.guideline import Guideline

UNRESOLVED_NOTE = "unresolved: the source does not establish this reference's identity"
LIKELY_NOTE = "likely identification, not confirmed by a source"


@dataclass(frozen=True)
class FormattedReference:
    """One numbered entry of a reference list: its text, or a note why it could not be formatted."""

    number: int
    key: str
    text: str
    status: str  # the entry's identification: verified, likely, unresolved; '' for an ordinary one; or missing
    note: str = ""
    links: tuple[str, ...] = ()


_SAFE_URL = re.compile(r"^https?://", re.I)
_SAFE_DOI = re.compile(r"^https://doi\.org/10\.", re.I)
_DOI_URL = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.I)
_UNSAFE_CHARS = re.compile(r"[\s\"'<>]")
_PMID = re.compile(r"[0-9]{1,9}\Z")  # PubMed's identifiers: ASCII digits only


def safe_links(fields: Mapping[str, str]) -> tuple[str, ...]:
    """Link targets from doi, pmid and url fields, keeping only http, https, doi and PubMed targets; a url that is
    the DOI's or the PubMed record's own address is the same link, given once."""
    links = []
    doi = _DOI_URL.sub("", str(fields.get("doi", "")).strip())
    if doi:
        target = f"https://doi.org/{doi}"
        if _SAFE_DOI.match(target) and not _UNSAFE_CHARS.search(target):
            links.append(target)
    pmid = str(fields.get("pmid", "")).strip()
    if _PMID.match(pmid):
        links.append(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
    url = str(fields.get("url", "")).strip()
    if _SAFE_URL.match(url) and not _UNSAFE_CHARS.search(url):
        same_doi = doi and _DOI_URL.match(url) and _DOI_URL.sub("", url).lower() == doi.lower()
        if not same_doi and url.rstrip("/") + "/" not in links:
            links.append(url)
    return tuple(links)


def format_references(bib: Bibliography, numbers: Iterable[int] | None = None, style: str | Path = DEFAULT_STYLE,
                      numbering: Mapping[int, str] | None = None,
                      root: Path | None = None) -> list[FormattedReference]:
    """Format entries (all, or the numbers given) as plain text by a CSL style; one entry never fails the list.

    `numbering` (number -> key) is the list's numbering, by default the .bib's own (bib.numbering()); `style` a CSL
    style's name or a .csl path (relative to `root`). Each entry is formatted once per .bib content and style and
    kept in the cache (grading.io.cache)."""
    return format_references_cached(bib, numbers, style, numbering, root)


def guideline_references(guideline: Guideline, numbers: Iterable[int] | None = None) -> list[FormattedReference]:
    """A guideline's references (all, or the numbers given), numbered as it cites them, in its manifest's style."""
    return format_references(guideline.bibliography, numbers, guideline.manifest.citation_style,
                             guideline.numbering or None, guideline.root)


def format_entries(bib: Bibliography, numbers: Iterable[int] | None = None, style: str | Path = DEFAULT_STYLE,
                   numbering: Mapping[int, str] | None = None,
                   root: Path | None = None) -> list[FormattedReference]:
    """format_references without the cache."""
    path = citation_style_file(style, root)
    numbering = dict(numbering) if numbering is not None else bib.numbering()
    wanted = list(numbering) if numbers is None else list(numbers)
    keys = list(dict.fromkeys(numbering[n] for n in wanted if n in numbering))
    done = {key.lower(): format_entry(bib, key, path)
            for key in progress(keys, len(keys), "formatting references")}
    return [_numbered(n, numbering.get(n), done) for n in wanted]


def _numbered(number: int, key: str | None, done: Mapping[str, FormattedReference]) -> FormattedReference:
    if key is None:
        return FormattedReference(number, "", "", "missing", f"no entry of the list carries number {number}")
    return dataclasses.replace(done[key.lower()], number=number)


def format_entry(bib: Bibliography, key: str, style_path: Path) -> FormattedReference:
    """One entry formatted by the style (number 0): an unresolved one as its note, a gap in it noted."""
    entry = bib.data.entries[key]
    fields = {k.lower(): str(v) for k, v in entry.fields.items()}
    status = fields.get("identification", "").strip()
    if status == "unresolved":
        what = fields.get("seed_context", "")
        return FormattedReference(0, key, "", status, UNRESOLVED_NOTE + (f"; cited for: {what}" if what else ""))
    notes = [LIKELY_NOTE] if status == "likely" else []
    item, gaps = csl_item(entry, bib.data, key)
    try:
        text = format_item(item, style_path)
    except Exception as e:  # citeproc-py raises many kinds on data a style does not expect
        text = fallback_text(item)
        notes.append(f"printed plainly: the style failed on it ({type(e).__name__})")
    unknown_type = item["type"] == "article" and entry.type.lower() not in ("misc", "article")
    if not text:
        why = f"@{entry.type} is no type the style knows" if unknown_type else "the style prints none of its fields"
        notes.append(f"could not be formatted: {why}")
    else:
        if unknown_type:
            notes.append(f"@{entry.type} is no type the style knows: formatted as a generic entry")
        if gaps:
            notes.append("incomplete entry, formatted from what it has: no " + ", no ".join(gaps))
    return FormattedReference(0, key, text, status, "; ".join(notes), safe_links(fields))


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


_PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; line-height: 1.4; color: #222; }
ol.references li { margin-bottom: 0.3rem; }
em.note { color: #a00; }
"""


def references_page(refs: Iterable[FormattedReference], title: str = "References", lang: str | None = None) -> str:
    """A reference list as a whole HTML page, in the same frame (and Content-Security-Policy) as the report."""
    from .page import html_page
    return html_page(title, f"<h1>{html.escape(title)}</h1>\n" + render_references(refs, "html"), css=_PAGE_CSS,
                     lang=lang)


# --- formatted entries --------------------------------------------------------------------------------

_FORMATTED: dict[str, dict[str, FormattedReference]] = {}  # per process: a notebook formats again and again


def cache_kind(style_path: Path) -> str:
    """The cache kind of entries formatted by one style file: named by the file's content, so an edited .csl
    never finds the entries of its old version."""
    return _style_kind(style_path, style_path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _style_kind(style_path: Path, mtime_ns: int) -> str:
    return "refs-" + hashlib.sha256(style_path.read_bytes()).hexdigest()[:16]


def format_references_cached(bib: Bibliography, numbers: Iterable[int] | None = None,
                             style: str | Path = DEFAULT_STYLE, numbering: Mapping[int, str] | None = None,
                             root: Path | None = None) -> list[FormattedReference]:
    """format_references, formatting each entry once per .bib content and style, and keeping it on disk."""
    if not bib.sha256:
        return format_entries(bib, numbers, style, numbering, root)
    path = citation_style_file(style, root)
    numbering = dict(numbering) if numbering is not None else bib.numbering()
    wanted = list(numbering) if numbers is None else list(numbers)
    kind = cache_kind(path)
    memo = cache.cache_path(kind, bib.sha256).name
    known = _FORMATTED.get(memo)
    if known is None:
        known = _decode_formatted(cache.read_lines(kind, bib.sha256) or [])
        if len(_FORMATTED) >= 8:
            _FORMATTED.clear()
        _FORMATTED[memo] = known
    missing = [k for k in dict.fromkeys(numbering[n] for n in wanted if n in numbering) if k.lower() not in known]
    if missing:
        known.update((k.lower(), format_entry(bib, k, path)) for k in missing)
        cache.write_lines(kind, bib.sha256, (json.dumps(dataclasses.asdict(r), ensure_ascii=False)
                                             for r in known.values()))
    return [_numbered(n, numbering.get(n), known) for n in wanted]


def _decode_formatted(lines: list[str]) -> dict[str, FormattedReference]:
    known: dict[str, FormattedReference] = {}
    try:
        for line in lines:
            ref = FormattedReference(**json.loads(line))
            known[ref.key.lower()] = dataclasses.replace(ref, links=tuple(ref.links))  # JSON gave a list
    except (ValueError, TypeError, AttributeError):
        return {}  # not to be trusted: every entry is formatted again and the file rewritten
    return known
