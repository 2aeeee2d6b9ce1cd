"""Does a recommendation's text name the strength recorded for it? The phrases are the scheme's (`wording`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..records import Recommendation
from ..scheme import Scheme

RULE = "WORDING-STATES-STRENGTH"


@dataclass(frozen=True)
class Wording:
    """What a recommendation's text says of its strength, beside the strength recorded for it."""

    recommendation_id: str
    stated: tuple[str, ...]  # the strengths the text names (codes, or ranges 'strong/moderate'), in text order
    phrases: tuple[str, ...]  # the words that name them, as they stand in the text
    recorded: str  # the recorded (published or revised) strength; '' for an ungraded statement
    agrees: bool
    because: str
    # Phrases whose strength only word order tells from another strength's phrase ('kan ikke anbefales', not
    # recommended, against 'ikke kan anbefale', no basis): (the words as they stand, the strength read, the other).
    word_order: tuple[tuple[str, str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.because}"


def phrase_table(scheme: Scheme) -> dict[str, str]:
    """Every phrase that names a strength (lower case) -> the strength or range it names."""
    table: dict[str, str] = {}
    for g in scheme.strengths:
        for p in g.wording:
            table.setdefault(p.lower(), g.code)
    # Two phrases of adjacent grades that differ only in their first word make a range: "sterk/moderat grad".
    codes = scheme.strength_codes
    for a in codes:
        for b in codes:
            if a == b or not scheme.is_valid_strength(f"{a}/{b}"):
                continue
            for pa in scheme.strength(a).wording:
                for pb in scheme.strength(b).wording:
                    first_a, _, rest_a = pa.lower().partition(" ")
                    first_b, _, rest_b = pb.lower().partition(" ")
                    if rest_a and rest_a == rest_b:
                        for joiner in scheme.choices.range_wording_joiners:
                            table.setdefault(f"{first_a}{joiner}{pb.lower()}", f"{a}/{b}")
    return table


def _phrases(scheme: Scheme) -> tuple[dict[str, str], re.Pattern[str] | None]:
    """The phrase table and one pattern finding its phrases, longest first (None when the scheme has none)."""
    table = phrase_table(scheme)
    if not table:
        return table, None
    return table, re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in sorted(table, key=len, reverse=True))
                             + r")(?!\w)", re.IGNORECASE)


def stated_strengths(text: str, scheme: Scheme) -> list[tuple[str, str]]:
    """The (strength, phrase) pairs a text names, in order; a graded phrase makes 'anbefales ikke' a direction."""
    table, pattern = scheme.worked_out("strength phrases", _phrases)
    if pattern is None:
        return []
    found = [(table[m.group(1).lower()], m.group(1)) for m in pattern.finditer(text)]
    graded = set(scheme.ladder.values())
    if any(set(v.split("/")) <= graded for v, _ in found):
        found = [(v, p) for v, p in found if v != scheme.choices.not_recommended]
    return found


_WORD = re.compile(r"\w+", re.UNICODE)


def _stem(word: str) -> str:
    """A word without the passive -s ('anbefales' is 'anbefale' read the other way)."""
    word = word.lower()
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def _candidates(scheme: Scheme) -> dict[str, tuple[tuple[str, ...], tuple[tuple[tuple[str, ...], str, str], ...]]]:
    """For each strength phrase (lower case): its stemmed words, and the phrases of unrelated strengths that share a
    word with it (stemmed words, strength, phrase) — the only ones word order could confuse it with."""
    table = phrase_table(scheme)
    words = {p: tuple(map(_stem, _WORD.findall(p))) for p in table}
    parts = {code: set(scheme.parse_strength(code)) for code in set(table.values())}
    out = {}
    for p, code in table.items():
        out[p] = (words[p], tuple((words[q], other, q) for q, other in table.items()
                                  if not parts[other] & parts[code] and len(words[q]) > 1
                                  and set(words[q]) & set(words[p])))
    return out


def by_word_order(text: str, scheme: Scheme) -> list[tuple[str, str, str]]:
    """The strength phrases of a text that only word order tells from a phrase of another strength: the same words
    stand in the text in another order ('kan ikke anbefales', read as 'ikke anbefales', holds the words of 'ikke kan
    anbefale'), or the phrase is another's words and one more in another order ('ikke kan anbefale' against 'ikke
    anbefales'). (words as they stand, strength read, the other phrase)."""
    table, pattern = scheme.worked_out("strength phrases", _phrases)
    if pattern is None:
        return []
    candidates = scheme.worked_out("strength phrase candidates", _candidates)
    tokens: list[tuple[int, int, str]] | None = None
    out = []
    for m in pattern.finditer(text):
        mine, others = candidates[m.group(1).lower()]
        if not others:
            continue
        if tokens is None:
            tokens = [(t.start(), t.end(), _stem(t.group())) for t in _WORD.finditer(text)]
        inside = [i for i, (a, b, _) in enumerate(tokens) if a >= m.start() and b <= m.end()]
        if not inside:
            continue
        near = {w for _, _, w in tokens[max(inside[0] - 6, 0):inside[-1] + 7]}
        for words, code, phrase in others:
            if not set(words) <= near:
                continue
            hit = ""
            for start in range(max(inside[0] - len(words) + 1, 0), inside[-1] + 1):
                run = tokens[start:start + len(words)]
                if len(run) == len(words) and sorted(w for _, _, w in run) == sorted(words) \
                        and tuple(w for _, _, w in run) != words:
                    hit = text[run[0][0]:run[-1][1]]
                    break
            if not hit and len(mine) == len(words) + 1 and not _in_order(words, list(mine)) and \
                    all(mine.count(w) >= words.count(w) for w in words):
                hit = m.group(1)
            if hit:
                out.append((hit, table[m.group(1).lower()], f"'{phrase}' ({code})"))
                break
    return out


def _in_order(words: tuple[str, ...], seq: list[str]) -> bool:
    """Whether the words stand one after another in the sequence, in their order."""
    n = len(words)
    return any(tuple(seq[i:i + n]) == words for i in range(len(seq) - n + 1))


def _consistent(stated: str, recorded: str, scheme: Scheme) -> bool:
    if not recorded:
        return False
    said, rec = set(scheme.parse_strength(stated)), set(scheme.parse_strength(recorded))
    if said == rec:
        return True
    c = scheme.choices
    return stated == c.not_recommended and bool(c.not_recommended_compares_as) and rec <= set(
        c.not_recommended_compares_as)


def check_wording(rec: Recommendation, scheme: Scheme) -> Wording | None:
    """The text's strength wording against the recorded strength; None when the text names no strength."""
    found = stated_strengths(rec.text, scheme)
    if not found:
        return None
    stated = tuple(dict.fromkeys(v for v, _ in found))
    phrases = tuple(dict.fromkeys(p for _, p in found))
    recorded = rec.published_strength
    agrees = all(_consistent(v, recorded, scheme) for v in stated)
    said = ", ".join(f"'{p}'" for p in phrases)
    names = " and ".join(stated)
    if agrees:
        because = f"the text says {said} ({names}), as recorded ({recorded})."
    elif not recorded:
        because = f"the text says {said} ({names}) but no strength is recorded."
    else:
        because = f"the text says {said} ({names}) but the recorded strength is {recorded}."
    order = tuple(by_word_order(rec.text, scheme))
    if order:
        because += " " + "; ".join(f"only word order tells '{w}' (read as {read}) from {other}"
                                   for w, read, other in order) \
            + ": the text is read as the phrase it matches word for word, and the reading is a reviewer's to confirm."
    return Wording(rec.id, stated, phrases, recorded, agrees, because, order)


def word_order_readings(records: Iterable[Recommendation], scheme: Scheme) -> list[Wording]:
    """Every recommendation whose strength phrase only word order tells from another strength's, in table order."""
    return [w for w in (check_wording(r, scheme) for r in records) if w is not None and w.word_order]


def wording_problems(records: Iterable[Recommendation], scheme: Scheme) -> list[Wording]:
    """Every recommendation whose text names a strength other than the one recorded for it, in table order."""
    out = []
    for rec in records:
        w = check_wording(rec, scheme)
        if w is not None and not w.agrees:
            out.append(w)
    return out
