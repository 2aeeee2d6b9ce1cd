"""What the level rules can see of an evidence row, compiled once per scheme: classes of rows (a design's
membership of the scheme's named sets, quality as read, 'very good' stated, finding), counts of rows per class up
to the largest number a rule asks for, the level rules over those counts, and the walk over the free rows that
grade/readings.py uses to find every reading's outcome."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Study
from ..scheme import Scheme
from ..vocab import DESIGNS
from .derive import STATED_FINDINGS, Comparison, Decision, memo_for, signed_span
from .rules import RowKey, level_rules, read_as

# What an unstated design can be.
CONCRETE_DESIGNS = tuple(d for d in DESIGNS if d not in ("consensus", "unclear", "study"))
# What a design the text leaves partly unstated can be read as: a source it calls a study ('studie') is a primary
# study of some design, never a synthesis (READINGS-THE-TEXT-ALLOWS).
PRIMARY_DESIGNS = ("rct", "cohort", "other")
UNSTATED_DESIGNS = {"unclear": CONCRETE_DESIGNS, "study": PRIMARY_DESIGNS}
READ_QUALITIES = ("good", "poor")  # what an unstated quality can be


# --- what of a row the rules can see, compiled once per scheme ----------------------------------------------

class Compiled:
    """A scheme's level rules over counts of classes of rows (`rules.LevelRules`), with the memos every
    recommendation shares."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.rules = level_rules(scheme)  # the classes of rows and the one evaluation of the rules
        self.classes = self.rules.classes  # class id -> what the rules see of a row (shared, grows as rows come)
        self.cap = self.rules.cap
        self.bits = self.cap.bit_length()
        self.options: dict[RowKey, int] = {}
        self.option_sets: list[tuple[tuple[int | None, int, str, str], ...]] = []
        self.option_ids: dict[tuple, int] = {}
        self.steps: list[tuple[tuple[int, int, int], ...]] = []
        self.sigs: dict[tuple, int] = {}
        self.levels: dict[int, tuple[str, frozenset[str], frozenset[str]]] = {}
        self.verdicts: dict[tuple, Entry] = {}
        self.profiles: dict[tuple, Profile] = {}
        self.triples: dict[Seen, Seen] = {}
        self.findings: dict[frozenset[str], frozenset[str]] = {}
        self.tuples: dict[tuple, tuple] = {}
        self.order = {g.code: g.rank for g in scheme.levels}
        self.memo = memo_for(scheme)  # pure results of this scheme object, each under the one key Memo builds

    def row_options(self, s: Study) -> int:
        """The id of the options a row can be read into (see `option_sets`)."""
        key = self.rules.row_key(s)
        if key not in self.options:
            if s.design == "consensus":
                self.options[key] = self._intern(((None, 0, s.design, s.quality),))
            else:
                designs = (s.design, *UNSTATED_DESIGNS.get(s.design, ()))
                qualities = (s.quality,) if s.quality != "unclear" else ("unclear", *READ_QUALITIES)
                seen: dict[int | None, tuple[int | None, int, str, str]] = {}
                for d in designs:
                    for q in qualities:
                        cid = self.rules.class_of(read_as(key, d, q))
                        cost = (d != s.design) + (q != s.quality)
                        if cid not in seen or cost < seen[cid][1]:
                            seen[cid] = (cid, cost, d, q)
                self.options[key] = self._intern(tuple(seen.values()))
        return self.options[key]

    def _intern(self, options: tuple[tuple[int | None, int, str, str], ...]) -> int:
        """Every distinct class a row can be read into — (class id or None when no rule sees it, changes from the
        default reading, design, quality), the default reading first — as one id into `option_sets` (and into
        `steps`, the same as (bit shift, the number to add, changes) for the walk)."""
        if options not in self.option_ids:
            self.option_ids[options] = len(self.option_sets)
            self.option_sets.append(options)
            self.steps.append(tuple((0, 0, cost) if cid is None else (cid * self.bits, 1 << (cid * self.bits), cost)
                                    for cid, cost, _, _ in options))
        return self.option_ids[options]

    def entry(self, judged: tuple[tuple[Decision, ...], tuple[Comparison, ...], int], direction: str,
              levels: tuple[str, ...]) -> Entry:
        """What a recommendation of this direction shows of the strengths and verdict `carried` gave on `levels`."""
        strengths, comparisons, decides = judged
        v = comparisons[decides]
        names = tuple((self.shown(d, direction), self.carried(d, direction)) for d in strengths)
        signed = []
        for d, lv in zip(strengths, levels):
            span = signed_span(self.scheme, d.value, d.direction if d.direction in ("for", "against") else direction,
                               lv)
            signed.append(span[0] if span else 0)
        return Entry(v.verdict, v.justified, names[decides][0], names, (min(signed), max(signed)), judged)

    def shown(self, d: Decision, direction: str) -> str:
        """A strength as a range shows it: with its direction when it points away from the recommendation's."""
        return d.shown if d.direction in ("for", "against") and d.direction != direction else d.value

    def carried(self, d: Decision, direction: str) -> tuple[int, int]:
        """How far a strength carries a recommendation of this direction: its place on the scale from against to
        for, turned to the recommendation's direction (for a statement of no basis: how far from no basis)."""
        return self.memo(_carried, d.value, d.direction, direction)

    def shared(self, t: tuple) -> tuple:
        """One shared object per small tuple of strings or numbers (ten thousand gradings repeat them)."""
        return self.tuples.setdefault(t, t)

    def frozen(self, found: frozenset[str]) -> frozenset[str]:
        """One shared object per set of findings."""
        return self.findings.setdefault(found, found)

    def add(self, state: int, cid: int | None) -> int:
        """The counts with one more row of a class (counted up to the cap)."""
        if cid is None:
            return state
        shift = cid * self.bits
        return state if (state >> shift) & ((1 << self.bits) - 1) >= self.cap else state + (1 << shift)

    def level(self, state: int) -> tuple[str, frozenset[str], frozenset[str]]:
        """The level the counts derive (the scheme's rules, by `rules.LevelRules.fire` as derive_level asks it),
        the stated findings of the rows its rule counted, and those of the rows of good quality."""
        if state not in self.levels:
            mask, bits = (1 << self.bits) - 1, self.bits
            present, rest, cid = [], state, 0
            while rest:
                if rest & mask:
                    present.append((cid, rest & mask))
                rest >>= bits
                cid += 1
            classes = self.classes
            good = frozenset(classes[c].finding for c, _ in present if classes[c].good) & STATED_FINDINGS
            fired = self.rules.fire(present)
            found = frozenset(classes[c].finding for m in fired.matched for c in m)
            t = (fired.rule.level, self.frozen(found & STATED_FINDINGS), self.frozen(good))
            self.levels[state] = self.triples.setdefault(t, t)
        return self.levels[state]


def _carried(value: str, pointing: str, direction: str, scheme: Scheme) -> tuple[int, int]:
    span = signed_span(scheme, value, pointing if pointing in ("for", "against") else direction)
    carried = span[1] if span else 0
    turned = -carried if direction == "against" else abs(carried) if direction == "none" else carried
    return turned, scheme.strength(value).rank


NO_FINDINGS: frozenset[str] = frozenset()


def compiled(scheme: Scheme) -> Compiled:
    """The scheme's level rules compiled over classes of rows, with their memos: one per scheme object."""
    return scheme.worked_out("level rules over counts", Compiled)


# --- the walk over the rows ---------------------------------------------------------------------------------

Walk = dict[int, tuple[int, tuple[int, ...]]]  # counts -> (changes, the option chosen for each free row)


def walk(c: Compiled, base: int, free: tuple[int, ...]) -> Walk:
    """Every distinct count reachable by reading the free rows (ids of their options), each with a reading that
    changes fewest rows."""
    states: Walk = {base: (0, ())}
    mask, cap = (1 << c.bits) - 1, c.cap
    for oid in free:
        steps = c.steps[oid]
        nxt: Walk = {}
        for state, (cost, chosen) in states.items():
            for i, (shift, one, extra) in enumerate(steps):
                to = state + one if one and (state >> shift) & mask < cap else state
                n = cost + extra
                got = nxt.get(to)
                if got is None or n < got[0]:
                    nxt[to] = (n, chosen + (i,))
        states = nxt
    return states


Seen = tuple[str, frozenset[str], frozenset[str]]  # level, stated findings of the counted rows, of the good rows


class Profile:
    """What the level rules see of one evidence set under every reading: each distinct outcome of the rules
    with the reading that reaches it changing fewest rows, and (computed when first asked) for each group of
    interchangeable free rows, the outcomes its options give beside every reading of the other rows."""

    def __init__(self, c: Compiled, base: int, free: tuple[int, ...]):
        self.c, self.base, self.free = c, base, free
        seen: dict[Seen, tuple[int, tuple[int, ...]]] = {}
        for state, (cost, chosen) in walk(c, base, free).items():
            t = c.levels.get(state) or c.level(state)
            if t not in seen or cost < seen[t][0]:
                seen[t] = (cost, chosen)
        self.seen = seen
        self._pivots: tuple[tuple[tuple[int, ...], frozenset[tuple[Seen, ...]]], ...] | None = None

    @property
    def pivots(self) -> tuple[tuple[tuple[int, ...], frozenset[tuple[Seen, ...]]], ...]:
        if self._pivots is None:
            c = self.c
            groups: dict[int, list[int]] = {}
            for at, oid in enumerate(self.free):
                groups.setdefault(oid, []).append(at)
            out = []
            for oid, ats in groups.items():
                others = self.free[:ats[0]] + self.free[ats[0] + 1:]
                cids = [cid for cid, *_ in c.option_sets[oid]]
                rows = set()
                for state in walk(c, self.base, others):
                    rows.add(tuple(c.levels.get(to) or c.level(to) for to in (c.add(state, cid) for cid in cids)))
                out.append((tuple(ats), frozenset(rows)))
            self._pivots = tuple(out)
        return self._pivots


def profile_of(c: Compiled, base: int, free: tuple[int, ...]) -> Profile:
    key = (base, free)
    got = c.profiles.get(key)
    if got is None:
        if len(c.profiles) > 100_000:
            c.profiles.clear()
        got = c.profiles[key] = Profile(c, base, free)
    return got


@dataclass(frozen=True, slots=True)
class Entry:
    """What one outcome of the level rules gives a recommendation: its verdict, and the strengths shown."""

    verdict: str
    justified: bool
    decider: str  # the strength the verdict rests on, as shown
    names: tuple[tuple[str, tuple[int, int]], ...]  # every strength of the levels used, as shown, and its place
    scale: tuple[int, int]  # where those strengths sit on the scale from strongest against (-) to strongest for
    judged: tuple[tuple[Decision, ...], tuple[Comparison, ...], int]  # what `carried` gave
