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

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..scheme import Scheme
from ..vocab import DESIGNS
from .derive import STATED, Comparison, Decision, signed_span
from .judge import Judged, as_read, carried, judge, printed_levels, used_levels
from .records import Recommendation, Study

CONCRETE_DESIGNS = tuple(d for d in DESIGNS if d not in ("consensus", "unclear"))  # what an unstated design can be
READ_QUALITIES = ("good", "poor")  # what an unstated quality can be


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


# --- what of a row the rules can see, compiled once per scheme ----------------------------------------------

class _Compiled:
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
        self.verdicts: dict[tuple, _Entry] = {}
        self.carry: dict[tuple, tuple[int, int]] = {}
        self.profiles: dict[tuple, _Profile] = {}
        self.triples: dict[_Seen, _Seen] = {}
        self.findings: dict[frozenset[str], frozenset[str]] = {}
        self.readings: dict[tuple, Reading] = {}
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
              levels: tuple[str, ...]) -> _Entry:
        """What a recommendation of this direction shows of the strengths and verdict `carried` gave on `levels`."""
        strengths, comparisons, decides = judged
        v = comparisons[decides]
        names = tuple((self.shown(d, direction), self.carried(d, direction)) for d in strengths)
        signed = []
        for d, lv in zip(strengths, levels):
            span = signed_span(self.scheme, d.value, d.direction if d.direction in ("for", "against") else direction,
                               lv)
            signed.append(span[0] if span else 0)
        return _Entry(v.verdict, v.justified, names[decides][0], names, (min(signed), max(signed)))

    def reading(self, entry: _Entry, level: str) -> Reading:
        """An outcome the default reading reaches: one shared record per distinct outcome."""
        key = (entry.verdict, entry.justified, level, entry.decider)
        if key not in self.readings:
            self.readings[key] = Reading(entry.verdict, entry.justified, level, entry.decider, ())
        return self.readings[key]

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
            good = frozenset(self.classes[c][4] for c, _ in present if self.classes[c][2]) & _STATED
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
                    t = (level, self.frozen(found & _STATED), self.frozen(good))
                    self.levels[state] = self.triples.setdefault(t, t)
                    return self.levels[state]
            raise AssertionError("the last level rule holds for any evidence")  # load_scheme checks it
        return self.levels[state]


_STATED = frozenset(STATED)
_NONE: frozenset[str] = frozenset()
_UNDIRECTED = ("no_basis", "not_recommended")
_COMPILED: dict[int, _Compiled] = {}


def _compiled(scheme: Scheme) -> _Compiled:
    c = _COMPILED.get(id(scheme))
    if c is None or c.scheme is not scheme:
        if len(_COMPILED) > 32:
            _COMPILED.clear()
        c = _COMPILED[id(scheme)] = _Compiled(scheme)
    return c


# --- the walk over the rows ---------------------------------------------------------------------------------

_Walk = dict[int, tuple[int, tuple[int, ...]]]  # counts -> (changes, the option chosen for each free row)


def _walk(c: _Compiled, base: int, free: tuple[int, ...]) -> _Walk:
    """Every distinct count reachable by reading the free rows (ids of their options), each with a reading that
    changes fewest rows."""
    states: _Walk = {base: (0, ())}
    mask, cap = (1 << c.bits) - 1, c.cap
    for oid in free:
        steps = c.steps[oid]
        nxt: _Walk = {}
        for state, (cost, chosen) in states.items():
            for i, (shift, one, extra) in enumerate(steps):
                to = state + one if one and (state >> shift) & mask < cap else state
                n = cost + extra
                got = nxt.get(to)
                if got is None or n < got[0]:
                    nxt[to] = (n, chosen + (i,))
        states = nxt
    return states


_Seen = tuple[str, frozenset[str], frozenset[str]]  # level, stated findings of the counted rows, of the good rows


class _Profile:
    """What the level rules see of one evidence set under every reading: each distinct outcome of the rules
    with the reading that reaches it changing fewest rows, and (computed when first asked) for each group of
    interchangeable free rows, the outcomes its options give beside every reading of the other rows."""

    def __init__(self, c: _Compiled, base: int, free: tuple[int, ...]):
        self.c, self.base, self.free = c, base, free
        seen: dict[_Seen, tuple[int, tuple[int, ...]]] = {}
        for state, (cost, chosen) in _walk(c, base, free).items():
            t = c.levels.get(state) or c.level(state)
            if t not in seen or cost < seen[t][0]:
                seen[t] = (cost, chosen)
        self.seen = seen
        self._pivots: tuple[tuple[tuple[int, ...], frozenset[tuple[_Seen, ...]]], ...] | None = None

    @property
    def pivots(self) -> tuple[tuple[tuple[int, ...], frozenset[tuple[_Seen, ...]]], ...]:
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
                for state in _walk(c, self.base, others):
                    rows.add(tuple(c.levels.get(to) or c.level(to) for to in (c.add(state, cid) for cid in cids)))
                out.append((tuple(ats), frozenset(rows)))
            self._pivots = tuple(out)
        return self._pivots


def _profile(c: _Compiled, base: int, free: tuple[int, ...]) -> _Profile:
    key = (base, free)
    got = c.profiles.get(key)
    if got is None:
        if len(c.profiles) > 100_000:
            c.profiles.clear()
        got = c.profiles[key] = _Profile(c, base, free)
    return got


def every_reading(rec: Recommendation, studies: tuple[Study, ...], scheme: Scheme,
                  default: Judged | None = None) -> Readings:
    """The levels, strengths and verdicts over every reading of the rows' unstated quality and design."""
    if not scheme.choices.accuracy_is_benefit:
        studies = as_read(rec, studies, scheme)
    default = default or judge(rec, studies, scheme)
    c = _compiled(scheme)
    row_options, option_sets = c.row_options, c.option_sets
    options, free, free_ids, base, consensus_only = [], [], [], 0, True
    for i, s in enumerate(studies):
        oid = row_options(s)
        o = option_sets[oid]
        options.append(o)
        if len(o) > 1:
            free.append(i)
            free_ids.append(oid)
        elif o[0][0] is not None:
            base = c.add(base, o[0][0])
        if s.design != "consensus":
            consensus_only = False
    printed = printed_levels(rec)
    use_printed = bool(printed) and scheme.choices.printed_level_first
    levels_used = used_levels(printed, "", scheme) if use_printed else ()
    every_found = c.frozen(frozenset(s.finding for s in studies) & _STATED) if use_printed else _NONE
    whole = (rec.direction, rec.published_strength, rec.published_level, bool(rec.justification.strip()),
             tuple(rec.judgements.items()), levels_used, consensus_only)
    sig = c.sigs.setdefault(whole, len(c.sigs))  # one small number: hashed again and again below
    profile = _profile(c, base, tuple(free_ids))
    verdicts = c.verdicts
    best: dict[str, tuple[int, _Seen, tuple[int, ...], _Entry]] = {}
    shown: dict[str, tuple[int, int]] = {}
    levels: set[str] = set()
    lo, hi = 99, -99
    for t, (cost, chosen) in profile.seen.items():
        found = (t[2] or every_found) if use_printed else t[1]
        key = (sig, t[0], id(found))  # found is one shared object per set of findings
        entry = verdicts.get(key)
        if entry is None:
            used = levels_used or (t[0],)
            entry = verdicts[key] = c.entry(carried(rec, used, found, consensus_only, scheme), rec.direction, used)
        levels.add(t[0])
        shown.update(entry.names)
        lo, hi = min(lo, entry.scale[0]), max(hi, entry.scale[1])
        b = best.get(entry.verdict)
        if b is None or cost < b[0]:
            best[entry.verdict] = (cost, t, chosen, entry)
    first = default.comparison.verdict
    outcomes = []
    for verdict, (cost, t, chosen, entry) in sorted(best.items(), key=lambda kv: (kv[0] != first, kv[1][0])):
        changes = () if not cost else tuple(
            (row, what, value) for row, i in zip(free, chosen) if options[row][i][1]
            for what, value in (("design", options[row][i][2]), ("quality", options[row][i][3]))
            if value != getattr(studies[row], what))
        outcomes.append(Reading(verdict, entry.justified, t[0], entry.decider, changes) if changes else
                        c.reading(entry, t[0]))
    if len(outcomes) == 1 and not outcomes[0].changes:  # the common case: one shared tuple per distinct outcome
        every: tuple[Reading, ...] = c.alone.setdefault(outcomes[0], (outcomes[0],))
    else:
        every = tuple(outcomes)
    ordered = sorted(levels, key=c.order.__getitem__, reverse=True) if len(levels) > 1 else list(levels)
    pending = _Pending(c, sig, profile, every_found, use_printed, rec, levels_used, consensus_only, tuple(free)) \
        if len(best) > 1 else None
    share = c.shared
    return Readings(share(tuple(free)), share(tuple(ordered)), share(tuple(sorted(shown, key=shown.__getitem__))),
                    every, share(tuple(dict.fromkeys(lv for lv in printed if lv not in levels))), share((lo, hi)),
                    pending)


@dataclass(frozen=True, slots=True)
class _Entry:
    """What one outcome of the level rules gives a recommendation: its verdict, and the strengths shown."""

    verdict: str
    justified: bool
    decider: str  # the strength the verdict rests on, as shown
    names: tuple[tuple[str, tuple[int, int]], ...]  # every strength of the levels used, as shown, and its place
    scale: tuple[int, int]  # where those strengths sit on the scale from strongest against (-) to strongest for


@dataclass(frozen=True, slots=True)
class _Pending:
    """What working out to_appraise needs: for each group of interchangeable free rows, whether its reading can
    change the verdict beside some reading of the others, and whether its reading alone settles it."""

    c: _Compiled
    sig: int
    profile: _Profile
    every_found: frozenset[str]
    use_printed: bool
    rec: Recommendation
    levels_used: tuple[str, ...]
    consensus_only: bool
    free: tuple[int, ...]

    def resolve(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        appraise: list[int] = []
        settles: list[int] = []
        for ats, rows in self.profile.pivots:
            got = [[_verdict(self.c, self.sig, t, self.every_found, self.use_printed, self.rec, self.levels_used,
                             self.consensus_only) for t in row] for row in rows]
            if any(len(set(g)) > 1 for g in got):
                appraise += [self.free[at] for at in ats]
                if all(len({g[n] for g in got}) == 1 for n in range(len(got[0]))):
                    settles += [self.free[at] for at in ats]
        return tuple(sorted(appraise)), tuple(sorted(settles))


def _verdict(c: _Compiled, sig: int, t: _Seen, every_found: frozenset[str], use_printed: bool,
             rec: Recommendation, levels_used: tuple[str, ...], consensus_only: bool) -> str:
    """The verdict one outcome of the level rules gives this recommendation."""
    found = (t[2] or every_found) if use_printed else t[1]
    key = (sig, t[0], id(found))
    entry = c.verdicts.get(key)
    if entry is None:
        used = levels_used or (t[0],)
        entry = c.verdicts[key] = c.entry(carried(rec, used, found, consensus_only, c.scheme), rec.direction, used)
    return entry.verdict


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
    c = _compiled(scheme)
    state = 0
    for s in studies:
        state = c.add(state, c.option_sets[c.row_options(s)][0][0])
    printed = printed_levels(rec)
    use_printed = bool(printed) and scheme.choices.printed_level_first
    levels_used = used_levels(printed, "", scheme) if use_printed else ()
    every_found = c.frozen(frozenset(s.finding for s in studies) & _STATED)
    consensus_only = all(s.design == "consensus" for s in studies)
    whole = (rec.direction, rec.published_strength, rec.published_level, bool(rec.justification.strip()),
             tuple(rec.judgements.items()), levels_used, consensus_only)
    sig = c.sigs.setdefault(whole, len(c.sigs))
    t = c.levels.get(state) or c.level(state)
    found = (t[2] or every_found) if use_printed else t[1]
    key = (sig, t[0], id(found))
    entry = c.verdicts.get(key)
    if entry is None:
        used = levels_used or (t[0],)
        entry = c.verdicts[key] = c.entry(carried(rec, used, found, consensus_only, scheme), rec.direction, used)
    return Quick(t[0], entry.decider, entry.verdict)
