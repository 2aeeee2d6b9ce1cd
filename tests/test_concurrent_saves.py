"""Saving under concurrency: the conflict check and the write are one step among the processes of a machine.

Several members edit the same trial row of 7.1.1-11 (manipulation) at once, each from the state they last read.
Without the lock two of them could both pass the check against the same state and both be saved, one of them stale;
with it, the later one is refused with the conflict, and what is saved applies cleanly.
"""

from __future__ import annotations

import multiprocessing

import pytest

from conftest import copy_guideline, scheme
from grading import revisions as R
from grading.errors import RevisionError
from grading.io.files import exclusive_lock
from grading.io.guideline import load_guideline
from grading.revisions.apply import LOCK_NAME

NORWAY = scheme()
RID = "7.1.1-11"


def _edit_in_turn(root: str, worker: int, rounds: int, barrier, results) -> None:
    """Read the revised row, edit it, save it with the check: again and again, as fast as a member could click."""
    g = load_guideline(root)
    barrier.wait()
    saved = refused = 0
    try:
        for n in range(rounds):
            current = R.rows_of(R.apply_revisions(g).guideline, RID)[0]  # the state this member sees
            after = dict(current, quality_text=f"member {worker}, edit {n}")
            rev = R.new_revision(NORWAY, RID, f"Member {worker}", f"edit {n}", {},
                                 [R.Change("edit", current, after)], justification="clinical experience")
            try:
                R.save_revision(g, rev)
                saved += 1
            except RevisionError as e:
                if "changes a row that another revision changed first" not in str(e):
                    raise
                refused += 1
    except Exception as e:  # reported to the test, which would otherwise wait for this worker
        results.put((worker, -1, repr(e)))
        return
    results.put((worker, saved, refused))


def test_concurrent_edits_of_one_row_never_save_a_stale_edit(tmp_path):
    root = copy_guideline(tmp_path / "guideline")
    workers, rounds = 4, 8
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_edit_in_turn, args=(str(root), w, rounds, barrier, results)) for w in range(workers)]
    for p in procs:
        p.start()
    counts = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert [c for c in counts if c[1] < 0] == []
    assert [p.exitcode for p in procs] == [0] * workers
    saved = sum(c[1] for c in counts)
    assert sum(c[1] + c[2] for c in counts) == workers * rounds and saved >= 1
    g = load_guideline(root)
    revised = R.apply_revisions(g)
    assert revised.conflicts == ()  # no stale edit was saved
    assert len(revised.revisions) == len(revised.applied) == saved
    # The saved edits form one chain: each one's before is the row the previous one left.
    chain = [r.changes[0] for r in revised.applied]
    assert all(a.after == b.before for a, b in zip(chain, chain[1:]))
    assert (root / "evidence" / "revisions" / LOCK_NAME).is_file()


def test_a_save_that_cannot_get_the_lock_says_so_and_writes_nothing(tmp_path):
    g = load_guideline(copy_guideline(tmp_path / "guideline"))
    folder = g.root / "evidence" / "revisions"
    folder.mkdir(parents=True)
    rev = R.new_revision(NORWAY, "7.1.1-10", "Kari Nordmann", "lower it", {}, published_strength="weak")
    with exclusive_lock(folder / LOCK_NAME):  # another save in progress
        with pytest.raises(RevisionError, match=r"another save held the lock evidence/revisions/\.lock for more "
                                                r"than 0\.2 s; nothing was written"):
            R.save_revision(g, rev, timeout=0.2)
    assert [p.name for p in folder.iterdir()] == [LOCK_NAME]
    assert R.save_revision(g, rev).is_file()  # once it is free, the save goes through


def test_without_the_check_no_lock_is_taken(tmp_path):
    g = load_guideline(copy_guideline(tmp_path / "guideline"))
    folder = g.root / "evidence" / "revisions"
    folder.mkdir(parents=True)
    rev = R.new_revision(NORWAY, "7.1.1-10", "Kari Nordmann", "lower it", {}, published_strength="weak")
    with exclusive_lock(folder / LOCK_NAME):
        assert R.save_revision(g, rev, check=False, timeout=0.1).is_file()
