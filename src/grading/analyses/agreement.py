"""The working group's agreement: votes tallied per question by the rule the scheme declares, and what it decides."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from ..errors import Problem, raise_if_errors
from ..grade import Grading, grade_in
from ..io.guideline import Guideline
from ..io.panel import PANEL_FILE, Panel, load_panel
from ..records import Recommendation
from ..revisions.apply import Revised, apply_revisions
from ..revisions.votes import VOTES_DIR, Vote, current_votes, load_votes, order
from ..scheme import Scheme
from ..vocab import AGREED, NO_QUORUM, NOT_AGREED, OUTCOMES_OF_VOTES, STRONGER, VOTE_QUESTIONS
from .wording import check_wording

# What the votes make of a recommendation's judgements (VOTES-REPLACE-TEXT); no quorum is read as unrecorded.
JUDGEMENT_OF = {AGREED: "yes", NOT_AGREED: "no", NO_QUORUM: "unrecorded"}


@dataclass(frozen=True)
class Ballot:
    """A member's current vote on a recommendation, and whether the tally counts it."""

    vote: Vote
    counted: bool
    why_not: str = ""  # 'recused (MANIPULASJON): <interests>', 'not on the panel'


@dataclass(frozen=True)
class Tally:
    """One question's votes and what they come to, with the rule that decided."""

    question: str  # validity | applicability | benefit_harm
    yes: int
    no: int
    abstain: int
    recused: int  # votes shown but not counted (INTEREST-RECUSES)
    outcome: str  # agreed | not_agreed | no_quorum
    rule: str
    because: str
    choices: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"yes": self.yes, "no": self.no, "abstain": self.abstain, "recused": self.recused,
                "outcome": self.outcome}

    def explain(self) -> str:
        """'agreed by AGREEMENT-SHARE — 3 of 4 counted votes are yes (75 %), at least 70 %.'"""
        text = f"{OUTCOMES_OF_VOTES[self.outcome]} by {self.rule} — {self.because}"
        return text + (f" Choices applied: {', '.join(self.choices)}." if self.choices else "")


@dataclass(frozen=True)
class Agreement:
    """A recommendation's votes: each member's current ballot, the tally per question, and the whole history."""

    recommendation_id: str
    tallies: Mapping[str, Tally]
    ballots: tuple[Ballot, ...]  # current votes, in the panel's order, then others
    history: tuple[Vote, ...]  # every vote on the recommendation, oldest first
    panel_size: int
    entitled: int  # panel members entitled to vote here
    recused_members: tuple[str, ...]  # panel members recused from this recommendation
    proposed: Mapping[str, int]  # strengths proposed in counted ballots -> how many

    def judgements(self) -> dict[str, str]:
        """The judgements the votes give (VOTES-REPLACE-TEXT): agreed yes, not agreed no, no quorum unrecorded."""
        return {VOTE_QUESTIONS[q]: JUDGEMENT_OF[t.outcome] for q, t in self.tallies.items()}

    def as_dict(self) -> dict:
        """The `agreement` object of `grading reproduce --format json`."""
        return {q: t.as_dict() for q, t in self.tallies.items()}

    @property
    def superseded(self) -> int:
        return len(self.history) - len(self.ballots)


def _pct(x: Fraction) -> str:
    return f"{float(x):.0%}"


def tally(rec: Recommendation, panel: Panel, votes: Iterable[Vote], scheme: Scheme) -> Agreement:
    """Tally one recommendation's votes by the scheme's rule: latest vote per member, recusals, quorum, share."""
    history = tuple(sorted((v for v in votes if v.recommendation_id == rec.id), key=order))
    latest = {m: v for (_, m), v in current_votes(history).items()}
    c = scheme.choices
    recused_here = {m.name: m.recused_from(rec) for m in panel.members if m.recused_from(rec)}
    ballots = []
    for name in [*panel.names, *sorted(set(latest) - set(panel.names))]:
        if name not in latest:
            continue
        member = panel.member(name)
        if member is None:
            ballots.append(Ballot(latest[name], False, "not on the panel"))
        elif name in recused_here and c.interests_remove_vote:
            why = f"recused ({recused_here[name]})" + (f": {member.interests}" if member.interests else "")
            ballots.append(Ballot(latest[name], False, why))
        else:
            ballots.append(Ballot(latest[name], True))
    counted = [b.vote for b in ballots if b.counted]
    recused = sum(b.why_not.startswith("recused") for b in ballots)
    entitled = len(panel) - (len(recused_here) if c.interests_remove_vote else 0)
    used = ["LATEST-VOTE-COUNTS"] if len(history) > len(latest) else []
    if recused:
        used.append("INTEREST-RECUSES")
    tallies = {q: _tally(q, counted, recused, entitled, scheme, used) for q in VOTE_QUESTIONS}
    proposed = Counter(v.strength for v in counted if v.strength)
    return Agreement(rec.id, tallies, tuple(ballots), history, len(panel), entitled, tuple(recused_here),
                     dict(proposed))


def _tally(q: str, counted: list[Vote], recused: int, entitled: int, scheme: Scheme, used: list[str]) -> Tally:
    c = scheme.choices
    n = Counter(v.judgements[q] for v in counted)
    yes, no, abstain = n["yes"], n["no"], n["abstain"]
    shown = f" {recused} recused vote{'s' if recused != 1 else ''} shown, not counted." if recused else ""
    quorum = Fraction(str(c.quorum_share))
    if entitled == 0 or Fraction(len(counted), entitled) < quorum:
        voted = f"{len(counted)} of {entitled} members entitled to vote have voted" + (
            f" ({_pct(Fraction(len(counted), entitled))})" if entitled else "")
        reading = "counts as agreement" if c.unrecorded_means_agreed else "counts against"
        return Tally(q, yes, no, abstain, recused, NO_QUORUM, "QUORUM",
                     f"{voted}; the quorum is {_pct(quorum)}. The judgement reads as unrecorded, which "
                     f"{reading} (UNRECORDED-MEANS-AGREED).{shown}", tuple(used))
    in_share = yes + no + (abstain if c.abstain_in_share else 0)
    choices = [*used, *(["ABSTAIN-OUTSIDE-SHARE"] if abstain and not c.abstain_in_share else [])]
    need = Fraction(str(c.agreement_share))
    if in_share == 0:
        return Tally(q, yes, no, abstain, recused, NOT_AGREED, "AGREEMENT-SHARE",
                     f"every counted vote abstains; no yes to agree.{shown}", tuple(choices))
    share = Fraction(yes, in_share)
    outcome = AGREED if share >= need else NOT_AGREED
    how = "at least" if outcome == AGREED else "below"
    return Tally(q, yes, no, abstain, recused, outcome, "AGREEMENT-SHARE",
                 f"{yes} of {in_share} counted votes are yes ({_pct(share)}), {how} {_pct(need)}.{shown}",
                 tuple(choices))


# --- the votes of a whole guideline --------------------------------------------------------------------------

def load_votes_and_panel(guideline: Guideline) -> tuple[Panel | None, tuple[Vote, ...]]:
    """The guideline's panel and saved votes; raise ValidationError when votes are saved with no panel."""
    panel = load_panel(guideline)
    votes = load_votes(guideline.root, guideline.scheme)
    if votes and panel is None:
        raise_if_errors([Problem(str(VOTES_DIR), f"holds {len(votes)} votes but the guideline has no {PANEL_FILE}",
                                 allowed=f"a {PANEL_FILE} listing the members who vote (see evidence/README.md)")])
    known = set(guideline.recommendations.index)
    raise_if_errors(Problem(v.file(), "a vote on a recommendation that does not exist", found=v.recommendation_id,
                            allowed="an id from evidence/recommendations.csv")
                    for v in votes if v.recommendation_id not in known)
    return panel, votes


def agreements(guideline: Guideline, panel: Panel | None = None, votes: Iterable[Vote] | None = None
               ) -> dict[str, Agreement]:
    """The agreement of every recommendation with votes, by id in table order ({} when nobody has voted)."""
    if votes is None:
        panel, votes = load_votes_and_panel(guideline)
    votes = tuple(votes)
    if not votes or panel is None:
        return {}
    voted = {v.recommendation_id for v in votes}
    return {r.id: tally(r, panel, votes, guideline.scheme) for r in guideline.records if r.id in voted}


def with_votes(rec: Recommendation, agreement: Agreement | None) -> Recommendation:
    """The recommendation with the judgements its votes give in place of the text's (VOTES-REPLACE-TEXT)."""
    return rec if agreement is None else rec.but(judgements=agreement.judgements())


def voted_guideline(guideline: Guideline, found: Mapping[str, Agreement]) -> Guideline:
    """A copy of a guideline whose judgement columns hold what the votes give, where there are votes."""
    if not found:
        return guideline
    recs = guideline.recommendations.copy()
    for rid, a in found.items():
        for column, value in a.judgements().items():
            recs.at[rid, column] = value
    return dataclasses.replace(guideline, recommendations=recs)


def grade_voted(guideline: Guideline, rid: str, agreement: Agreement | None) -> Grading:
    """One recommendation graded with the agreement its votes give (the text's judgements where none)."""
    return grade_in(guideline, with_votes(guideline.recommendation(rid), agreement))


# --- audit -------------------------------------------------------------------------------------------------

VOTE_KINDS = {
    "strength_not_carried_by_votes": "recorded strength is stronger than its evidence carries with the agreement "
                                     "the votes give",
    "recused_vote": "vote by a member on a topic or recommendation they are recused from (shown, not counted)",
    "vote_not_on_panel": "vote by someone the panel does not list (shown, not counted)",
    "no_quorum": "recommendation whose votes do not reach the quorum",
    "no_without_comment": "'no' vote without a comment (written by hand: a save refuses it)",
    "strength_wording": "text names a strength other than the one recorded for it",
    "wording_by_word_order": "text names its strength in a phrase that only word order tells from another "
                             "strength's ('kan ikke anbefales', not recommended; 'ikke kan anbefale', no basis)",
}


def working_group_findings(guideline: Guideline, revised: Revised | None = None,
                           found: Mapping[str, Agreement] | None = None) -> list[tuple[str, str, str]]:
    """(kind, subject, detail) for every vote and wording finding, in the order of VOTE_KINDS (`found`: the
    agreements of the voted recommendations, when tallied already)."""
    revised = revised if revised is not None else apply_revisions(guideline)
    current = revised.guideline
    found = agreements(guideline) if found is None else found
    out: list[tuple[str, str, str]] = []
    for rid, a in found.items():
        g = grade_voted(current, rid, a)
        if g.comparison.verdict == STRONGER:
            says = ", ".join(f"{q} {OUTCOMES_OF_VOTES[t.outcome]}" for q, t in a.tallies.items())
            out.append(("strength_not_carried_by_votes", rid,
                        f"recorded {g.published_strength}; with the votes ({says}) level {g.level_used} carries "
                        f"{g.derived_strength}" + (f"; justification: {g.justification}" if g.justification else "")))
    for rid, a in found.items():
        out += [("recused_vote", rid, f"{b.vote.member} ({b.vote.file()}): "
                 + (b.why_not if not b.counted else "recused, but counted (interests_remove_vote = false)"))
                for b in a.ballots if b.vote.member in a.recused_members]
    for rid, a in found.items():
        out += [("vote_not_on_panel", rid, f"{b.vote.member} ({b.vote.file()})")
                for b in a.ballots if b.why_not == "not on the panel"]
    for rid, a in found.items():
        t = next((t for t in a.tallies.values() if t.outcome == NO_QUORUM), None)
        if t is not None:
            out.append(("no_quorum", rid, t.because))
    for a in found.values():
        out += [("no_without_comment", a.recommendation_id,
                 f"{v.member} ({v.file()}): " + ", ".join(q for q, x in v.judgements.items() if x == "no"))
                for v in a.history if "no" in v.judgements.values() and not v.comment.strip()]
    said = [w for w in (check_wording(r, current.scheme) for r in current.records) if w is not None]
    out += [("strength_wording", w.recommendation_id, w.because) for w in said if not w.agrees]
    out += [("wording_by_word_order", w.recommendation_id, w.because) for w in said if w.word_order]
    return out
