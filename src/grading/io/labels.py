"""A guideline's own labels — its section labels and recommendation ids — checked safe and sorted naturally.

Sections and ids are the guideline's own, whatever their form: `6.3.2` and `7.1.1-03`, or `A.1` and `A.1-03`.
An id names the files and folders of its revisions and votes and its site page, so every label must be safe as a
file or folder name: not empty, no path separator, no `..`, no control character, no leading or trailing
whitespace, no leading dot (a hidden file, which the loaders skip), none of the characters Windows refuses in a
name, at most MAX_LENGTH characters. `label_key` sorts them as a reader expects: numbers as numbers, letters as
text (`A.2 < A.10 < B.1`, `6.2 < 6.10 < 7.1`).
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80
_REFUSED = frozenset('/\\:*?"<>|')  # path separators, and what Windows refuses in a file name
_CONTROL = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))  # controls, invisible formatting (bidi overrides), surrogates
_RULE = (f"no '/', '\\', '..', control characters, leading or trailing spaces, leading '.', or any of "
         f"{' '.join(sorted(_REFUSED - {'/', chr(92)}))}; at most {MAX_LENGTH} characters")
SECTION_ALLOWED = f"the guideline's own section label, e.g. 6.3.2 or A.1 ({_RULE})"
ID_ALLOWED = (f"<section>-<nn>, e.g. 7.1.1-03 or A.1-03 ({_RULE}; as a folder name on Windows too: not ending in "
              "'.', not a device name such as CON or NUL)")
# Names Windows reserves for devices, with any extension: a folder so named cannot be checked out there.
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?\Z", re.I)
_NUMBER = re.compile(r"([0-9]+)")  # ASCII digits: another script's digits sort as text


def label_problem(value: object) -> str | None:
    """Why `value` cannot be a section label or a recommendation id (it names files and folders); None if it can."""
    if not isinstance(value, str):
        return "is not text"
    if not value:
        return "is empty"
    if value != value.strip():
        return "has leading or trailing whitespace"
    if len(value) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if ".." in value:
        return "holds '..'"
    if value.startswith("."):
        return "starts with '.'"
    bad = next((c for c in value if c in _REFUSED or unicodedata.category(c) in _CONTROL), None)
    if bad is not None:
        return f"holds the character {bad!r}"
    return None


def is_label(value: object) -> bool:
    """True for a section label safe as a file or folder name (see label_problem)."""
    return label_problem(value) is None


def is_rec_id(value: object) -> bool:
    """True for a recommendation id: a safe label of the form <section>-<suffix> that Windows takes for a folder
    name too (its section checked by the table it is read from: recommendation_problems in io/tables.py)."""
    if not is_label(value):
        return False
    assert isinstance(value, str)
    if value.endswith(".") or _RESERVED.match(value):  # Windows drops the dot, or takes the name for a device
        return False
    head, _, tail = value.rpartition("-")
    return bool(head) and bool(tail)


def under_section(rec_id: str, section: str) -> bool:
    """True when the id starts with its section: `<section>-<suffix>`."""
    return rec_id.startswith(section + "-") and len(rec_id) > len(section) + 1


def fold_label(label: str) -> str:
    """The label as a case-insensitive file system sees it: two labels folding alike name one folder."""
    return unicodedata.normalize("NFC", label).casefold()


def label_key(label: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """A natural sort key for section labels and recommendation ids: runs of digits compare as numbers, the rest
    as text (case-insensitively, then as written), numbers before text — `A.2 < A.10 < B.1`, `6.2 < 6.10 < 7.1`,
    `6.2-01 < 6.2.1-01`."""
    key: list[tuple[int, int, str]] = []
    for i, part in enumerate(_NUMBER.split(label)):
        if not part:
            continue
        if i % 2:  # a run of digits
            key.append((0, int(part), part))
        else:
            key.append((1, 0, part.casefold()))
    return tuple(key), label  # ties ('a.1' and 'A.1', '01' and '1') broken as written
