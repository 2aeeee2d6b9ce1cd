"""A scheme's level rules, evaluated in one place.

Everything a level rule can see of an evidence row is its class: the scheme's named sets its design belongs to,
whether its quality counts under each quality set the clauses ask for, whether it is of good quality, whether its
text calls it very good (VERY-GOOD-STATED) and what it found. `LevelRules.row_key` is the one place that reads a
row for the rules (`class_of` makes its class of what it read), and `LevelRules.fire` the one place that reads a
clause: it takes classes with their numbers of rows and gives the first rule whose clause holds. The direct
derivation (`derive.derive_level`, one reading of the rows) groups its rows by class and asks `fire`; the walk over
every reading (`counts.Compiled.level`) asks it of the counts it reaches. A clause that reads one more field of a
row is read here, for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..records import Study
from ..scheme import Clause, LevelRule, Scheme

RowKey = tuple[str, str, str, str]
"""Every field of a row a level rule reads, as read: design, quality, the level its text names in words ('' when
none; VERY-GOOD-STATED, LEVEL-IN-WORDS), finding. Built by `LevelRules.row_key` (the one place that reads a row
for the rules) and `read_as`; the key of every memo of what the rules make of a row. A plain tuple: one is built
per evidence row."""


def read_as(row: RowKey, design: str, quality: str) -> RowKey:
    """The same row read with another design and quality (EVERY-READING)."""
    return design, quality, row[2], row[3]


class RowClass(NamedTuple):
    """What the level rules can see of a row."""

    member: frozenset[str]  # the scheme's named sets its design belongs to
    seen: tuple[bool, ...]  # per quality set the clauses ask for (`LevelRules.qualities`): whether it counts
    good: bool  # of good quality under the scheme's reading (UNCLEAR-IS-NOT-GOOD)
    words: str  # the level its text names in words, '' when none (VERY-GOOD-STATED, LEVEL-IN-WORDS)
    finding: str


class Fired(NamedTuple):
    """The first level rule that holds: which rule and clause, and the classes counted for each set it names."""

    rule: LevelRule
    clause: Clause
    matched: tuple[tuple[int, ...], ...]  # per (set, minimum) of the clause, in order: the class ids counted
    capped: str = ""  # the level a rule above would give, had the rows' own words not named a lower one


_UNSEEN = object()


def contradict(findings: frozenset[str] | set[str]) -> bool:
    """Whether rows with these findings contradict one another (CONTRADICTION-LACKING): a conflicting finding, benefit
    beside no effect or harm, or a source that finds too little to conclude beside one that concludes."""
    return "conflicting" in findings or ("benefit" in findings and bool(findings & {"no_effect", "harm"})) or \
        ("insufficient" in findings and bool(findings & {"benefit", "no_effect", "harm"}))


class LevelRules:
    """A scheme's level rules over classes of rows: one object per scheme object (`level_rules`)."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        clauses = [c for r in scheme.level_rules for c in r.clauses]
        self.qualities: tuple[frozenset[str], ...] = tuple(dict.fromkeys(c.quality for c in clauses))
        # The largest number a rule asks for: counts of a class beyond it change nothing.
        self.cap = max([1, *(n for c in clauses for n in c.at_least.values())])
        self.order = tuple((r, tuple((c, tuple(c.at_least.items()), self.qualities.index(c.quality))
                                     for c in r.clauses)) for r in scheme.level_rules)
        self.classes: list[RowClass] = []  # class id -> class
        self.ids: dict[RowClass, int] = {}
        self._members: dict[str, frozenset[str]] = {}
        self._stated: dict[str, str] = {}
        self._rows: dict[RowKey, int | None] = {}
        self.rank = {g.code: g.rank for g in scheme.levels}
        self.top = max(scheme.levels, key=lambda g: g.rank).code if scheme.levels else ""
        # The phrases naming each level, highest level first: 'meget god dokumentasjon' before 'god dokumentasjon'.
        self._words = tuple((g.code, tuple(w.lower() for w in (*g.wording, *(
            scheme.choices.very_good_phrases if g.code == self.top else ())))) for g in
            sorted(scheme.levels, key=lambda g: -g.rank))
        self.words_cap = scheme.choices.level_in_words

    # --- rows -----------------------------------------------------------------------------------------
    def counts_as(self, quality: str, asked: frozenset[str]) -> bool:
        """Whether a row of this quality is counted by a clause asking for these qualities."""
        return quality in asked or ("good" in asked and self.scheme.choices.unclear_quality_is_good
                                    and quality == "unclear")

    def member(self, design: str) -> frozenset[str]:
        """The scheme's named sets a design belongs to."""
        got = self._members.get(design)
        if got is None:
            got = self._members[design] = frozenset(n for n, ds in self.scheme.sets.items() if design in ds)
        return got

    def stated(self, quality_text: str) -> str:
        """The level a row's text names in words ('meget god dokumentasjon': the top level, VERY-GOOD-STATED; 'god
        dokumentasjon': the level whose wording it is, LEVEL-IN-WORDS), '' when it names none."""
        got = self._stated.get(quality_text)
        if got is None:
            text = quality_text.lower()
            got = next((code for code, phrases in self._words if any(p in text for p in phrases)), "")
            self._stated[quality_text] = got
        return got

    def row_key(self, s: Study) -> RowKey:
        """What the level rules read of a row as it stands."""
        stated = self._stated.get(s.quality_text)
        if stated is None:
            stated = self.stated(s.quality_text)
        return s.design, s.quality, stated, s.finding

    def class_of(self, row: RowKey) -> int | None:
        """The class id of a row read so; None when no rule can count it and it is not of good quality (nor is a
        consensus row: CONSENSUS-NOT-A-STUDY)."""
        got = self._rows.get(row, _UNSEEN)
        if got is not _UNSEEN:
            return got  # type: ignore[return-value]
        design, quality, stated, finding = row
        cid: int | None = None
        if design != "consensus":
            seen = tuple(self.counts_as(quality, q) for q in self.qualities)
            good = self.counts_as(quality, frozenset({"good"}))
            member = self.member(design)
            if good or any(seen[qi] and member & {n for n, _ in sets}
                           for _, clauses in self.order for _, sets, qi in clauses):
                cls = RowClass(member, seen, good, stated, finding)  # stated: the level named in words
                if cls not in self.ids:
                    self.ids[cls] = len(self.classes)
                    self.classes.append(cls)
                cid = self.ids[cls]
        self._rows[row] = cid
        return cid

    def row_class(self, s: Study) -> int | None:
        """The class id of a row as it stands."""
        return self.class_of(self.row_key(s))

    def is_good(self, s: Study) -> bool:
        """Whether a row counts as of good quality under the scheme's reading (UNCLEAR-IS-NOT-GOOD)."""
        cid = self.row_class(s)
        return cid is not None and self.classes[cid].good

    # --- the rules ------------------------------------------------------------------------------------
    def fire(self, present: Sequence[tuple[int, int]]) -> Fired:
        """The first rule, in the scheme's order, with a clause that holds for rows of these classes (class id,
        number of rows; a number may stop at `cap`)."""
        classes = self.classes
        lowers = self.scheme.choices.contradiction_lowers
        capped = ""
        good_found = {classes[cid].finding for cid, _ in present if classes[cid].good}
        for rule, clauses in self.order:
            for clause, sets, qi in clauses:
                matched: list[tuple[int, ...]] = []
                for name, minimum in sets:
                    got = [(cid, n) for cid, n in present if _admits(classes[cid], name, qi, clause, self.top)]
                    if sum(n for _, n in got) < minimum:
                        break
                    matched.append(tuple(cid for cid, _ in got))
                else:
                    if clause.consistent is not None and lowers:
                        # Whether documentation contradicts itself is read on all of it: the rows the clause
                        # counts and every other row of good quality (CONTRADICTION-LACKING).
                        found = {classes[cid].finding for m in matched for cid in m} | good_found
                        if contradict(found) == clause.consistent:
                            continue
                    elif clause.consistent is False:
                        continue  # contradiction rules are off
                    if self.words_cap and self._below_words(rule.level, matched):
                        capped = capped or rule.level
                        continue  # LEVEL-IN-WORDS: the rows' own words name a lower level
                    return Fired(rule, clause, tuple(matched), capped)
        # load_scheme refuses a scheme whose last rule does not hold for any evidence
        raise AssertionError(f"no level rule of scheme {self.scheme.name} holds")


    def _below_words(self, level: str, matched: list[tuple[int, ...]]) -> bool:
        """Whether every row a rule counted names in words a level below the one the rule gives (LEVEL-IN-WORDS)."""
        named = [self.classes[cid].words for m in matched for cid in m]
        return bool(named) and all(named) and max(self.rank[w] for w in named) < self.rank[level]


def _admits(row: RowClass, name: str, qi: int, clause: Clause, top: str) -> bool:
    """Whether a clause counts a row of this class towards the named set."""
    return name in row.member and row.seen[qi] and (not clause.stated or row.words == top)


def level_rules(scheme: Scheme) -> LevelRules:
    """The scheme's level rules over classes of rows: one per scheme object (a modified copy builds its own)."""
    return scheme.worked_out("level rules", LevelRules)
