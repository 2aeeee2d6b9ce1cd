"""The site's search index: recommendation texts and topics, glossary terms and reference titles, as a script file.

The index is a JavaScript file that assigns one JSON array, because a page opened from file:// may load a
script beside it but may not fetch a JSON file (Chromium refuses file:// fetches). The JSON is written with
every character that could end a string or a script escaped, so no field can become code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..references import FormattedReference
from .pages import RecPage

VARIABLE = "GRADING_SEARCH_INDEX"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def entries(pages: Iterable[RecPage], glossary: pd.DataFrame, references: Iterable[FormattedReference],
            titles: Mapping[int, str]) -> list[dict[str, str]]:
    """One entry per recommendation, glossary term and reference: kind, title, text shown, `also` searched, page."""
    out = []
    for p in pages:
        r = p.record
        out.append({"kind": "recommendation", "title": f"{p.id} {_text(r.get('topic'))} ({_text(r.get('topic_en'))})",
                    "text": _text(r.get("text")),
                    "also": " ".join(_text(r.get(k)) for k in ("topic", "topic_en", "phase", "diagnostic_group"))
                    + " " + p.section_title + "".join(f" {text}" for _, _, text in p.reader)
                    + " " + p.grading.recommendation.translation,
                    "url": f"rec/{p.file}"})
    if not glossary.empty:
        for i, row in enumerate(glossary.to_dict("records")):
            out.append({"kind": "glossary", "title": f"{_text(row.get('term'))} ({_text(row.get('term_en'))})",
                        "text": _text(row.get("definition")), "also": "", "url": f"glossary.html#term-{i + 1}"})
    for ref in references:
        title = titles.get(ref.number, "")
        out.append({"kind": "reference", "title": f"[{ref.number}] {title or ref.text or ref.note}",
                    "text": ref.text or ref.note, "also": title,
                    "url": f"references.html#ref-{ref.number}"})
    return out


def script(index: list[dict[str, Any]]) -> str:
    """The index as a script assigning it to window.GRADING_SEARCH_INDEX, safe whatever the fields hold."""
    data = json.dumps(index, ensure_ascii=True, separators=(",", ":"))
    # ensure_ascii already escapes U+2028/2029; these keep "</script>" and "<!--" inert should it ever be inlined
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.{VARIABLE} = {data};\n"
