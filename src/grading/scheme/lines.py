"""Where a table or key of a scheme file stands, so its problems name a line (tomllib reports none)."""

from __future__ import annotations

import re

_ARRAY = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*=""")


def _name(raw: str) -> str:
    return ".".join(p.strip().strip("\"'") for p in raw.split("."))


class Lines:
    """The first line of each [table], [[table]] (by index) and key of a TOML text."""

    def __init__(self, text: str = ""):
        self._headers: dict[tuple[str, int | None], int] = {}
        self._keys: dict[tuple[str | None, int | None, str], int] = {}
        counts: dict[str, int] = {}
        section: tuple[str | None, int | None] = (None, None)
        for number, line in enumerate(text.splitlines(), start=1):
            if m := _ARRAY.match(line):
                name = _name(m.group(1))
                counts[name] = counts.get(name, 0) + 1
                section = (name, counts[name] - 1)
            elif m := _TABLE.match(line):
                section = (_name(m.group(1)), None)
            elif m := _KEY.match(line):
                key = next(g for g in m.groups() if g is not None)
                self._keys.setdefault((*section, key), number)
                continue
            else:
                continue
            self._headers.setdefault((str(section[0]), section[1]), number)

    def of(self, section: str | None, index: int | None = None, key: str | None = None) -> int | None:
        """The line of `key` in [section] (the index-th [[section]]), else of the section's header, else of a
        top-level `section = ...`; None when the text has none of them."""
        if key is not None:
            found = self._keys.get((section, index, key)) or (
                self._headers.get((f"{section}.{key}", None)) if section else None)
            if found:
                return found
        if section is None:
            return None
        return (self._headers.get((section, index)) or self._headers.get((section, 0 if index is None else index))
                or self._keys.get((None, None, section)))
