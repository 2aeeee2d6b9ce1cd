"""Progress of long work: a bar on stderr when stderr is a terminal (a widget in a notebook), else a line per stage.

Every long loop of the toolkit goes through `progress`; a single call that cannot be split (pybtex's parse)
counts its steps through `ticker`. The bar appears only once the work has taken DELAY seconds, so a quick run
prints nothing. When stderr is a pipe or a file, a stage that has taken DELAY seconds says so in one line, and
in one more when it ends, so a log shows what long work is doing without a bar's redraws. GRADING_PROGRESS=0
turns both off everywhere, GRADING_PROGRESS=1 turns the bar on even without a terminal.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
DELAY = 1.0  # seconds of work before a bar appears
MININTERVAL = 0.1  # seconds between redraws


def _in_notebook() -> bool:
    """True inside a Jupyter kernel, where tqdm.auto draws an ipywidgets bar."""
    shell = sys.modules.get("IPython")
    get = getattr(shell, "get_ipython", None)
    return bool(get and getattr(get(), "kernel", None) is not None)


def enabled() -> bool:
    """Whether a bar may be shown here: in a notebook, or when stderr is a terminal (GRADING_PROGRESS overrides)."""
    forced = _forced()
    if forced is not None:
        return forced
    if _in_notebook():
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _forced() -> bool | None:
    forced = os.environ.get("GRADING_PROGRESS", "").strip().lower()
    if forced in ("0", "no", "false", "off"):
        return False
    if forced in ("1", "yes", "true", "on"):
        return True
    return None


class _Lines:
    """Where no bar is shown: one line on stderr once a stage has taken DELAY seconds, and one when it ends."""

    def __init__(self, total: int | None, desc: str):
        self.total, self.desc, self.done = total, desc or "working", 0
        self.start = time.monotonic()
        self.said = _forced() is False  # GRADING_PROGRESS=0: silent

    def tick(self) -> None:
        self.done += 1
        if not self.said and time.monotonic() - self.start >= DELAY:
            self.said = True
            of = f" of {self.total:,}" if self.total is not None else ""
            self._say(f"{self.desc}: {self.done:,}{of} done, going on…")

    def close(self) -> None:
        if self.said and _forced() is not False:
            self._say(f"{self.desc}: finished {self.done:,} in {time.monotonic() - self.start:.1f} s")

    @staticmethod
    def _say(text: str) -> None:
        try:
            print(f"grading: {text}", file=sys.stderr, flush=True)
        except (OSError, ValueError):  # a closed or broken stderr never stops the work
            pass


def _bar(total: int | None, desc: str) -> Any:
    if _in_notebook():
        from tqdm.auto import tqdm
        return tqdm(total=total, desc=desc, delay=DELAY, mininterval=MININTERVAL, leave=False)
    from tqdm import tqdm as std_tqdm
    return std_tqdm(total=total, desc=desc, delay=DELAY, mininterval=MININTERVAL, leave=False, file=sys.stderr,
                    dynamic_ncols=True)


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "") -> Iterator[T]:
    """Iterate over `iterable`, showing how far it has come where a bar may be shown (see `enabled`)."""
    if total is None:
        total = len(iterable) if hasattr(iterable, "__len__") else None  # type: ignore[arg-type]
    if not enabled():
        lines = _Lines(total, desc)
        try:
            for item in iterable:
                yield item
                lines.tick()
        finally:
            lines.close()
        return
    with _bar(total, desc) as bar:
        for item in iterable:
            yield item
            bar.update(1)


@contextmanager
def ticker(total: int | None, desc: str = "") -> Iterator[Callable[[], None]]:
    """A `tick()` to call once per step of work that is not a loop of ours; a no-op where no bar is shown."""
    if not enabled():
        lines = _Lines(total, desc)
        try:
            yield lines.tick
        finally:
            lines.close()
        return
    with _bar(total, desc) as bar:
        yield lambda: bar.update(1)


def parse_counted(parser: Any, text: str, total: int, desc: str = "parsing .bib") -> Any:
    """pybtex's `parser.parse_string(text)`, counting the entries it reads.

    pybtex asks `want_entry(key)` of each entry it reads (twice in a row in pybtex 0.24), so a change of key is
    one entry more."""
    if _forced() is False:
        return parser.parse_string(text)
    with ticker(total, desc) as tick:
        wanted, last = parser.data.want_entry, [""]

        def want_entry(key: str) -> bool:
            if key != last[0]:
                last[0] = key
                tick()
            return wanted(key)

        parser.data.want_entry = want_entry
        try:
            return parser.parse_string(text)
        finally:
            parser.data.want_entry = wanted
