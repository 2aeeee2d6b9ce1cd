"""Pausing Python's cyclic garbage collector while a run builds many objects that all live until it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, and restore it as it was (also on an error).

    Grading 10,000 recommendations builds records that are not garbage, and the collector's passes over the growing
    heap cost a third of the time; one command of the `grading` CLI is one short process whose objects live until
    it ends, and the passes cost 15-20 % of `grading reproduce` there while its peak memory stays the same
    (docs/benchmarks.md). Reference counting still frees everything that is not a cycle."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
