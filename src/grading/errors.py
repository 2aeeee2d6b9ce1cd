"""One error policy: every problem names where it is, what was found and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located to the file, line or row, and column."""

    file: str
    message: str
    line: int | None = None
    row: int | None = None
    column: str | None = None
    found: str | None = None
    allowed: str | None = None
    severity: str = "error"  # error | warning (read, but look at it) | notice (read, and how)

    def where(self) -> str:
        """'evidence/recommendations.csv, line 7 (row 6), column published_level'."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}" + (f" (row {self.row})" if self.row is not None else ""))
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.where()}: {self.message}"
        if self.found is not None:
            text += f"; found {self.found!r}"
        if self.allowed is not None:
            text += f"; allowed: {self.allowed}"
        return text


class GradingError(Exception):
    """Base of every error the toolkit raises for a user's input."""


class ValidationError(GradingError):
    """The input has problems; all of them, not just the first, are in `problems`."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RevisionError(GradingError):
    """A revision cannot be saved or read; `problems` says where, when the cause is located."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = tuple(problems)
        super().__init__(message)


class UnknownValueError(GradingError):
    """A value a caller passed (a filter, an id, a format) is not one of those allowed."""

    def __init__(self, what: str, found: object, allowed: Iterable[object]):
        self.what, self.found, self.allowed = what, found, tuple(allowed)
        shown = ", ".join(repr(a) for a in self.allowed)
        super().__init__(f"unknown {what} {found!r}; allowed: {shown}")


class OutputError(GradingError):
    """An output file cannot be written where it was asked for."""

    def __init__(self, path: object, why: str):
        self.path, self.why = path, why
        super().__init__(f"cannot write {path}: {why}")


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise ValidationError when any problem is an error (notices pass)."""
    problems = tuple(problems)
    if any(p.severity == "error" for p in problems):
        raise ValidationError(problems)
