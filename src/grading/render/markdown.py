"""The one Markdown escaper: any text put into Markdown goes through here."""

from __future__ import annotations

import re

# Everything that can start markup inline: emphasis, code, links, raw HTML, entities, strikethrough, headings,
# table cells; and, at the start of a text, list items, block quotes, setext underlines and thematic breaks.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
# A block marker at the start of a line: a list item ('- ', '+ ', '1. ', '2) '), a setext underline or thematic
# break ('===', '---'). '7.1.1-01' or '-0.5' is none: a marker needs a space, the line's end or its own repetition.
_LEADING = re.compile(r"^(\s*)(\d{1,9})([.)])(?=\s|\Z)|^(\s*)()([-+=])(?=\s|\Z|\6)")
# Every line break some Markdown reader honours: CommonMark's CR, LF and CRLF, and what str.splitlines also splits
# at (VT, FF, the information separators, NEL, LINE and PARAGRAPH SEPARATOR).
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Other control characters have no Markdown escape: each is shown as U+FFFD, so nothing is silently dropped.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f]")


def _escaped(text: str, newline: str) -> str:
    text = _CONTROLS.sub("\ufffd", _BREAKS.sub(newline, text))
    return _SPECIAL.sub(r"\\\1", text)


def md_escape(text: str) -> str:
    """Text with every Markdown structure character escaped and line breaks made spaces, for one line."""
    return _LEADING.sub(_leading, _escaped(text, " "))


def _leading(m: re.Match) -> str:
    space, digits, mark = (m.group(1), m.group(2), m.group(3)) if m.group(3) else (m.group(4), "", m.group(6))
    return f"{space}{digits}\\{mark}"


def md_cell(text: str) -> str:
    """Text made safe for one Markdown table cell: characters escaped, line breaks as <br>."""
    return re.sub(r"\s*\n\s*", "<br>", _escaped(text, "\n").strip())
