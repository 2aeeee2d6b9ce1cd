"""Every reading of unstated appraisal (EVERY-READING): the levels, strengths and verdicts a recommendation's
evidence can carry when each row whose quality or design the text does not state is read either way.

The level rules are not monotone (a good study that contradicts the others lowers the level), so the extremes
are not "all good" and "all poor". Instead of trying every reading (2^n and more), each reading is reduced to
what the rules can see of it: for every class of row — its design's membership of the scheme's named sets, its
quality as read, whether the text calls it very good, its finding — how many rows fall in the class, counted up
to the largest number a rule asks for. Two readings with the same counts give the same level, strength and
verdict, so a walk over the rows that keeps one reading per distinct count (the one that changes fewest rows)
finds every reachable outcome in time polynomial in the number of rows. tests/test_readings.py checks it
against trying every reading.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from ..records import Recommendation, Study
from ..scheme import Scheme
from ..vocab import DESIGNS
from .counts import (
    CONCRETE_DESIGNS,
    NO_FINDINGS,
    READ_QUALITIES,
    UNSTATED_DESIGNS,
    Compiled,
    Entry,
    Profile,
    Seen,
    compiled,
    profile_of,
)
from .derive import STATED_FINDINGS, Comparison, Decision, resting_on
from .judge import (
    Asked,
    alone,
    as_read,
    asked,
    carried,
    consensus_only,
    published_levels,
    used_levels,
    uses_printed,
)


@dataclass(frozen=True)
class Reading:
    """One outcome some reading reaches, with the fewest changes from the scheme's default reading that reach it."""

    verdict: str
    justified: bool
    level: str  # derived from the rows
    strength: str  # the strength the verdict rests on, as shown ('strong (against)' when it points the other way)
    changes: tuple[tuple[int, str, str], ...]  # (row position, 'quality' | 'design', value read)

    def describe(self, studies: Sequence[Study]) -> str:
        """'ref 4 read as good, ref 129 as a good RCT' — or 'the default reading' when nothing changes."""
        if not self.changes:
            return "the scheme's default reading"
        by_row: dict[int, dict[str, str]] = {}
        for row, what, value in self.changes:
            by_row.setdefault(row, {})[what] = value
        parts = []
        for row, read in by_row.items():
            s = studies[row]
            who = f"ref {s.reference}" if s.reference is not None else f"row {row + 1}"
            quality = read.get("quality", s.quality)
            design = DESIGNS.get(read.get("design", s.design), s.design)
            parts.append(f"{who} read as {quality} {design}" if "design" in read else f"{who} read as {quality}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Readings:
    """The range over every reading of the unstated appraisal of one recommendation's evidence."""

    free: tuple[int, ...]  # positions of rows whose unstated quality or design can matter to the rules
    levels: tuple[str, ...]  # every level the rows can derive, highest first
    strengths: tuple[str, ...]  # every strength a reading's verdict can rest on, least to most carried
    outcomes: tuple[Reading, ...]  # one per reachable verdict, the default reading's first
    printed_unreached: tuple[str, ...] = ()  # printed levels no reading of the cited evidence derives
    scale: tuple[int, int] = (0, 0)  # the strengths on one scale: strongest against (-) ... no basis (0) ... for (+)
    pending: _Pending | None = field(default=None, repr=False, compare=False)  # to work out to_appraise
    # the default reading: its derived level, the strength each level used carries, the comparisons, which decides
    default: tuple[str, tuple[Decision, ...], tuple[Comparison, ...], int] | None = field(
        default=None, repr=False, compare=False)
    _pivoted: tuple[tuple[int, ...], tuple[int, ...]] | None = field(default=None, init=False, repr=False,
                                                                      compare=False)

    @property
    def certainty(self) -> str:
        """'certain' when every reading gives the same verdict, else 'depends_on_appraisal'."""
        return "certain" if len(self.outcomes) <= 1 else "depends_on_appraisal"

    @property
    def verdicts(self) -> tuple[str, ...]:
        return tuple(o.verdict for o in self.outcomes)

    @property
    def level_range(self) -> tuple[str, str]:
        return self.levels[-1], self.levels[0]

    @property
    def strength_range(self) -> tuple[str, str]:
        return self.strengths[0], self.strengths[-1]

    def _pivots(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self._pivoted is None:  # worked out when first asked: the table of every grading never needs it
            found = self.pending.resolve() if self.pending is not None and len(self.outcomes) > 1 else ((), ())
            object.__setattr__(self, "_pivoted", found)
        return self._pivoted  # type: ignore[return-value]

    @property
    def to_appraise(self) -> tuple[int, ...]:
        """Positions of the rows whose appraisal can change the verdict."""
        return self._pivots()[0]

    @property
    def settles(self) -> tuple[int, ...]:
        """Positions of the rows whose appraisal alone settles the verdict, whatever it finds."""
        return self._pivots()[1]


class _Asks:
    """What one recommendation asks of each outcome of the level rules, and the one lookup of the verdict an outcome
    gives it (`entry`), by the one key of the memo it shares with every recommendation (`key`)."""

    __slots__ = ("asked", "c", "consensus_only", "every_found", "levels_used", "sig", "use_printed")

    def __init__(self, c: Compiled, asked: Asked, sig: int, levels_used: tuple[str, ...],
                 every_found: frozenset[str], use_printed: bool, consensus_only: bool):
        self.c = c
        self.asked = asked  # all the verdict reads of the recommendation
        self.sig = sig  # the same as one small number, hashed again and again
        self.levels_used = levels_used  # the printed levels the strength is judged on; () when the derived one is
        self.every_found = every_found  # the stated findings of every row (a printed level's documentation)
        self.use_printed = use_printed
        self.consensus_only = consensus_only

    def entry(self, t: Seen) -> Entry:
        """The verdict and strengths this outcome of the level rules gives the recommendation, kept under the one
        key of the verdict memo: the recommendation as the verdict reads it, the level, and the findings the
        strength rests on (one shared object per set of findings, so its id will do)."""
        found = resting_on(self.use_printed, t[1], t[2], self.every_found)
        key = (self.sig, t[0], id(found))
        entry = self.c.verdicts.get(key)
        if entry is None:
            c, asked, used = self.c, self.asked, self.levels_used or (t[0],)
            entry = c.verdicts[key] = c.entry(carried(asked, used, found, self.consensus_only, c.scheme),
                                              asked.direction, used)
        return entry


def _asks(c: Compiled, rec: Recommendation, studies: tuple[Study, ...], consensus_only: bool) -> _Asks:
    """What a recommendation on these rows (as read) asks of the outcomes of the level rules."""
    return _asks_found(c, rec, frozenset(s.finding for s in studies), consensus_only)


def _asks_found(c: Compiled, rec: Recommendation, findings: frozenset[str], consensus_only: bool) -> _Asks:
    """_asks from what it reads of the rows: the findings they state and whether all are consensus."""
    scheme = c.scheme
    use_printed = uses_printed(rec, scheme)
    levels_used = used_levels(published_levels(rec, scheme), "", scheme) if use_printed else ()
    every_found = c.frozen(findings & STATED_FINDINGS) if use_printed else NO_FINDINGS
    what = asked(rec, scheme)
    sig = c.sigs.setdefault((what, levels_used, consensus_only), len(c.sigs))
    return _Asks(c, what, sig, levels_used, every_found, use_printed, consensus_only)


def every_reading(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme) -> Readings:
    """The levels, strengths and verdicts over every reading of the rows' unstated quality and design."""
    if not scheme.choices.accuracy_is_benefit:
        studies = as_read(rec, studies, scheme)
    c = compiled(scheme)
    row_options, option_sets = c.row_options, c.option_sets
    options, free, free_ids, base = [], [], [], 0
    for i, s in enumerate(studies):
        oid = row_options(s)
        o = option_sets[oid]
        options.append(o)
        if len(o) > 1:
            free.append(i)
            free_ids.append(oid)
        elif o[0][0] is not None:
            base = c.add(base, o[0][0])
    asks = _asks(c, rec, studies, consensus_only(studies))
    profile = profile_of(c, base, tuple(free_ids))
    best: dict[str, tuple[int, Seen, tuple[int, ...], Entry]] = {}
    shown: dict[str, tuple[int, int]] = {}
    levels: set[str] = set()
    lo, hi = 99, -99
    default: tuple[Seen, Entry] | None = None
    for t, (cost, chosen) in profile.seen.items():
        entry = asks.entry(t)
        if not cost:
            default = t, entry  # the one reading that changes nothing
        levels.add(t[0])
        shown.update(entry.names)
        lo, hi = min(lo, entry.scale[0]), max(hi, entry.scale[1])
        b = best.get(entry.verdict)
        if b is None or cost < b[0]:
            best[entry.verdict] = (cost, t, chosen, entry)
    assert default is not None
    first = default[1]
    outcomes = []
    for verdict, (cost, t, chosen, entry) in sorted(best.items(), key=lambda kv: (kv[0] != first.verdict,
                                                                                         kv[1][0])):
        changes = () if not cost else tuple(
            (row, what, value) for row, i in zip(free, chosen) if options[row][i][1]
            for what, value in (("design", options[row][i][2]), ("quality", options[row][i][3]))
            if value != getattr(studies[row], what))
        outcomes.append(Reading(verdict, entry.justified, t[0], entry.decider, changes) if changes else
                        _shared(c, entry, t[0]))
    if len(outcomes) == 1 and not outcomes[0].changes:  # the common case: one shared tuple per distinct outcome
        every: tuple[Reading, ...] = c.memo(alone, outcomes[0])
    else:
        every = tuple(outcomes)
    ordered = sorted(levels, key=c.order.__getitem__, reverse=True) if len(levels) > 1 else list(levels)
    pending = _Pending(asks, profile, tuple(free)) if len(best) > 1 else None
    share = c.shared
    strengths, comparisons, decides = first.judged
    return Readings(share(tuple(free)), share(tuple(ordered)), share(tuple(sorted(shown, key=shown.__getitem__))),
                    every, share(tuple(dict.fromkeys(lv for lv in published_levels(rec, scheme) if lv not in levels))),
                    share((lo, hi)), pending, (default[0][0], strengths, comparisons, decides))


@dataclass(frozen=True, slots=True)
class _Pending:
    """What working out to_appraise needs: for each group of interchangeable free rows, whether its reading can
    change the verdict beside some reading of the others, and whether its reading alone settles it."""

    asks: _Asks
    profile: Profile
    free: tuple[int, ...]

    def resolve(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        appraise: list[int] = []
        settles: list[int] = []
        for ats, rows in self.profile.pivots:
            got = [[self.asks.entry(t).verdict for t in row] for row in rows]
            if any(len(set(g)) > 1 for g in got):
                appraise += [self.free[at] for at in ats]
                if all(len({g[n] for g in got}) == 1 for n in range(len(got[0]))):
                    settles += [self.free[at] for at in ats]
        return tuple(sorted(appraise)), tuple(sorted(settles))


@dataclass(frozen=True, slots=True)
class Quick:
    """One reading's level, strength (as shown) and verdict, from the compiled rules."""

    level: str
    strength: str
    verdict: str


def quick(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme) -> Quick:
    """What `judge` gives on these rows as they stand, without its explanations: for fragility, which asks it of
    every single-row change (tests/test_readings.py checks that the two agree)."""
    studies = as_read(rec, studies, scheme)
    c = compiled(scheme)
    state = 0
    for s in studies:
        state = c.add(state, c.option_sets[c.row_options(s)][0][0])
    asks = _asks(c, rec, studies, consensus_only(studies))
    t = c.levels.get(state) or c.level(state)
    entry = asks.entry(t)
    return Quick(t[0], entry.decider, entry.verdict)


def quick_each(rec: Recommendation, studies: tuple[Study, ...], changes: Iterable[tuple[int, Study | None]],
               scheme: Scheme) -> Iterator[Quick]:
    """`quick` on the rows with each single change made — row i replaced by a row, or removed (None) — each in time
    that does not grow with the rows: the class counts of the rows as they stand, changed by one row (fragility
    asks this of every row; tests/test_readings.py checks it against `quick` on the changed rows)."""
    c = compiled(scheme)
    read = as_read(rec, studies, scheme)
    cids = [c.option_sets[c.row_options(s)][0][0] for s in read]
    counts = Counter(cids)
    findings = Counter(s.finding for s in read)
    studies_n = sum(s.design != "consensus" for s in read)
    state = 0
    for cid, n in counts.items():
        state = _set_count(c, state, cid, n)
    for i, new in changes:
        old, old_cid = read[i], cids[i]
        changed_counts = {old_cid: counts[old_cid] - 1}
        found = findings.copy()
        found[old.finding] -= 1
        n_studies = studies_n - (old.design != "consensus")
        if new is not None:
            (new_read,) = as_read(rec, (new,), scheme)
            new_cid = c.option_sets[c.row_options(new_read)][0][0]
            changed_counts[new_cid] = changed_counts.get(new_cid, counts[new_cid]) + 1
            found[new_read.finding] += 1
            n_studies += new_read.design != "consensus"
        after = state
        for cid, n in changed_counts.items():
            after = _set_count(c, after, cid, n)
        asks = _asks_found(c, rec, frozenset(f for f, n in found.items() if n > 0), n_studies == 0)
        t = c.levels.get(after) or c.level(after)
        entry = asks.entry(t)
        yield Quick(t[0], entry.decider, entry.verdict)


def _set_count(c: Compiled, state: int, cid: int | None, n: int) -> int:
    """The counts with a class's count set to n (capped as `Compiled.add` caps it)."""
    if cid is None:
        return state
    shift, mask = cid * c.bits, (1 << c.bits) - 1
    return (state & ~(mask << shift)) | (min(n, c.cap) << shift)


def _shared(c: Compiled, entry: Entry, level: str) -> Reading:
    """An outcome the default reading reaches: one shared record per distinct outcome."""
    return c.memo(_reading, entry.verdict, entry.justified, level, entry.decider)


def _reading(verdict: str, justified: bool, level: str, strength: str, scheme: Scheme) -> Reading:
    return Reading(verdict, justified, level, strength, ())


__all__ = ["CONCRETE_DESIGNS", "READ_QUALITIES", "UNSTATED_DESIGNS", "Quick", "Reading", "Readings",
           "every_reading", "quick", "quick_each"]
