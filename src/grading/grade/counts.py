"""What the level rules can see of an evidence row, compiled once per scheme: classes of rows (a design's
membership of the scheme's named sets, quality as read, 'very good' stated, finding), counts of rows per class up
to the largest number a rule asks for, the level rules over those counts, and the walk over the free rows that
grade/readings.py uses to find every reading's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scheme import Scheme
from ..vocab import DESIGNS
from .derive import STATED, Comparison, Decision, signed_span
from .records import Study

if TYPE_CHECKING:
    from .readings import Reading

CONCRETE_DESIGNS = tuple(d for d in DESIGNS if d not in ("consensus", "unclear"))  # what an unstated design can be
READ_QUALITIES = ("good", "poor")  # what an unstated quality can be


# --- what of a row the rules can see, compiled once per scheme ----------------------------------------------

class Compiled:
    """A scheme's level rules over classes of rows, with the memos every recommendation shares."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        clauses = [c for r in scheme.level_rules for c in r.clauses]
        self.qualities = tuple(dict.fromkeys(c.quality for c in clauses))
        self.cap = max([1, *(n for c in clauses for n in c.at_least.values())])
        self.bits = self.cap.bit_length()
        self.rules = tuple((r.level, tuple((tuple(c.at_least.items()), self.qualities.index(c.quality), c.stated,
                                            c.consistent) for c in r.clauses)) for r in scheme.level_rules)
        self.classes: list[tuple] = []  # class id -> (membership, seen per quality set, good, stated, finding)
        self.ids: dict[tuple, int] = {}
        self.options: dict[tuple, int] = {}
        self.option_sets: list[tuple[tuple[int | None, int, str, str], ...]] = []
        self.option_ids: dict[tuple, int] = {}
        self.steps: list[tuple[tuple[int, int, int], ...]] = []
        self.sigs: dict[tuple, int] = {}
        self.levels: dict[int, tuple[str, frozenset[str], frozenset[str]]] = {}
        self.verdicts: dict[tuple, Entry] = {}
        self.carry: dict[tuple, tuple[int, int]] = {}
        self.profiles: dict[tuple, Profile] = {}
        self.triples: dict[Seen, Seen] = {}
        self.findings: dict[frozenset[str], frozenset[str]] = {}
        self.readings: dict[tuple, Reading] = {}  # shared outcomes, filled by grade/readings.py
        self.alone: dict[Reading, tuple[Reading]] = {}
        self.tuples: dict[tuple, tuple] = {}
        self.order = {g.code: g.rank for g in scheme.levels}
        self.stated: dict[str, bool] = {}
        self.members = {d: frozenset(n for n, ds in scheme.sets.items() if d in ds) for d in DESIGNS}

    def row_options(self, s: Study) -> int:
        """The id of the options a row can be read into (see `option_sets`)."""
        stated = self.stated.get(s.quality_text)
        if stated is None:
            text = s.quality_text.lower()
            stated = self.stated[s.quality_text] = any(p in text for p in self.scheme.choices.very_good_phrases)
        key = (s.design, s.quality, s.finding, stated)
        if key not in self.options:
            if s.design == "consensus":
                self.options[key] = self._intern(((None, 0, s.design, s.quality),))
            else:
                designs = (s.design,) if s.design != "unclear" else ("unclear", *CONCRETE_DESIGNS)
                qualities = (s.quality,) if s.quality != "unclear" else ("unclear", *READ_QUALITIES)
                seen: dict[int | None, tuple[int | None, int, str, str]] = {}
                for d in designs:
                    for q in qualities:
                        cid = self._class(d, q, stated, s.finding)
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

    def _class(self, design: str, quality: str, stated: bool, finding: str) -> int | None:
        unclear_good = self.scheme.choices.unclear_quality_is_good
        seen = tuple(quality in q or ("good" in q and unclear_good and quality == "unclear") for q in self.qualities)
        good = quality == "good" or (quality == "unclear" and unclear_good)
        member = self.members[design]
        if not good and not any(seen[qi] and member & {n for n, _ in sets}
                                for _, clauses in self.rules for sets, qi, _, _ in clauses):
            return None
        key = (member, seen, good, stated, finding)
        if key not in self.ids:
            self.ids[key] = len(self.classes)
            self.classes.append(key)
        return self.ids[key]

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
        if d.direction in ("for", "against") and d.direction != direction and d.value not in _UNDIRECTED:
            return f"{d.value} ({d.direction})"
        return d.value

    def carried(self, d: Decision, direction: str) -> tuple[int, int]:
        """How far a strength carries a recommendation of this direction: its place on the scale from against to
        for, turned to the recommendation's direction (for a statement of no basis: how far from no basis)."""
        key = (d.value, d.direction, direction)
        if key not in self.carry:
            span = signed_span(self.scheme, d.value, d.direction if d.direction in ("for", "against") else direction)
            value = span[1] if span else 0
            turned = -value if direction == "against" else abs(value) if direction == "none" else value
            self.carry[key] = (turned, self.scheme.strength(d.value).rank)
        return self.carry[key]

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
        """The level the counts derive (the scheme's rules, as derive_level applies them), the stated findings of
        the rows its rule counted, and those of the rows of good quality."""
        if state not in self.levels:
            mask, bits = (1 << self.bits) - 1, self.bits
            present, rest, cid = [], state, 0
            while rest:
                if rest & mask:
                    present.append((cid, rest & mask))
                rest >>= bits
                cid += 1
            lowers = self.scheme.choices.contradiction_lowers
            good = frozenset(self.classes[c][4] for c, _ in present if self.classes[c][2]) & STATED_FINDINGS
            for level, clauses in self.rules:
                for sets, qi, stated, consistent in clauses:
                    counted: set[int] = set()
                    ok = True
                    for name, minimum in sets:
                        rows = [(c, n) for c, n in present if name in self.classes[c][0] and self.classes[c][1][qi]
                                and (not stated or self.classes[c][3])]
                        if sum(n for _, n in rows) < minimum:
                            ok = False
                            break
                        counted.update(c for c, _ in rows)
                    if not ok:
                        continue
                    found = frozenset(self.classes[c][4] for c in counted)
                    contradict = "conflicting" in found or ("benefit" in found and bool(found & {"no_effect", "harm"}))
                    if consistent is not None and lowers:
                        if contradict == consistent:
                            continue
                    elif consistent is False:
                        continue
                    t = (level, self.frozen(found & STATED_FINDINGS), self.frozen(good))
                    self.levels[state] = self.triples.setdefault(t, t)
                    return self.levels[state]
            raise AssertionError("the last level rule holds for any evidence")  # load_scheme checks it
        return self.levels[state]


STATED_FINDINGS = frozenset(STATED)
NO_FINDINGS: frozenset[str] = frozenset()
_UNDIRECTED = ("no_basis", "not_recommended")


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
