"""A BibTeX field's LaTeX as plain text: the one place that reads it, for every output and every name of a
reference (render/csl.py formats with it; io/guideline.py names references with it)."""

from __future__ import annotations

import functools
import re

_DROP_COMMANDS = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textup|textsf|mkbibquote|mkbibemph|"
                            r"mkbibitalic|mkbibbold|enquote|url|path|nolinkurl|hyphen)\*?\s?")
_COMMAND = re.compile(r"\\([A-Za-z]+)\*?\s?")


_LATEX = re.compile(r"[{}\\~$]|--")


@functools.lru_cache(maxsize=1)
def _text_backend():
    from pybtex.backends.plaintext import Backend
    return Backend()


def plain(value: str) -> str:
    """A field's LaTeX as plain text: braces, accents and dashes resolved; case kept as given."""
    value = str(value)
    if not _LATEX.search(value):
        return " ".join(value.split())
    from pybtex.richtext import Text

    value = _DROP_COMMANDS.sub("", value)
    try:
        text = Text.from_latex(value).render(_text_backend())
    except Exception:  # pybtex cannot read every LaTeX construct; the raw text is better than nothing
        text = value.replace("{", "").replace("}", "")
    return " ".join(_COMMAND.sub(r"\1", text).replace("\\", "").split())
