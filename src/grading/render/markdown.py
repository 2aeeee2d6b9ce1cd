"""The one Markdown escaper: any text put into Markdown goes through here."""

from __future__ import annotations

import re

# Everything that can start markup inline: emphasis, code, links, raw HTML, entities, strikethrough, headings,
# table cells.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


def md_escape(text: str) -> str:
    """Text with every Markdown structure character escaped and line breaks made spaces, for one line."""
    return _SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", text))


def md_cell(text: str) -> str:
    """Text made safe for one Markdown table cell: characters escaped, line breaks as <br>."""
    escaped = _SPECIAL.sub(r"\\\1", _BREAKS.sub("\n", text))
    return re.sub(r"\s*\n\s*", "<br>", escaped.strip())
