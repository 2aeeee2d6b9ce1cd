"""The panel's decision checked: each recommendation's Evidence-to-Decision framework against its conclusion
(ETD-DIRECTION, ETD-STRONG-UNKNOWN), and the votes on each criterion and on the conclusion tallied by the scheme's
rules for votes (QUORUM, AGREEMENT-SHARE, INTEREST-RECUSES, ETD-VOTES-CARRY)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from ..io.guideline import Guideline
from ..revisions.etd import EtdHistory, EtdRecord, etd_histories
from ..revisions.votes import Vote
from ..scheme import Scheme
from ..vocab import AGREED, NO_QUORUM, NOT_AGREED
from .agreement import Agreement, agreements


@dataclass(frozen=True)
class CriterionTally:
    """The counted votes on one EtD criterion (or on the conclusion's strength) and what they decide."""

    criterion: str  # a criterion key, or 'conclusion' (the strengths proposed)
    counts: dict[str, int]  # judgement (or strength) -> counted votes, abstentions included as 'abstain'
    recused: int  # votes shown but not counted
    outcome: str  # agreed | not_agreed | no_quorum
    decided: str  # the judgement (or strength) the votes carry, '' when none
    rule: str
    because: str

    def as_dict(self) -> dict:
        return {"counts": dict(self.counts), "recused": self.recused, "outcome": self.outcome,
                "decided": self.decided or None, "rule": self.rule}

    @property
    def counted(self) -> str:
        """'small 2, moderate 1': each judgement with its counted votes."""
        return ", ".join(f"{k} {n}" for k, n in self.counts.items())


def _decide(key: str, choices: list[str], recused: int, entitled: int, scheme: Scheme) -> CriterionTally:
    """One question's votes (each a choice or 'abstain'), decided by QUORUM and AGREEMENT-SHARE."""
    c = scheme.choices
    counts = Counter(choices)
    shown = f" {recused} recused vote{'s' if recused != 1 else ''} shown, not counted." if recused else ""
    quorum, need = Fraction(str(c.quorum_share)), Fraction(str(c.agreement_share))
    if entitled == 0 or Fraction(len(choices), entitled) < quorum:
        return CriterionTally(key, dict(counts), recused, NO_QUORUM, "", "QUORUM",
                              f"{len(choices)} of {entitled} members entitled to vote have judged it; the quorum is "
                              f"{float(quorum):.0%}.{shown}")
    cast = {k: n for k, n in counts.items() if k != "abstain" or c.abstain_in_share}
    total = sum(cast.values())
    if not total:
        return CriterionTally(key, dict(counts), recused, NOT_AGREED, "", "AGREEMENT-SHARE",
                              f"every counted vote abstains.{shown}")
    top, n = max(cast.items(), key=lambda kv: (kv[1], kv[0] != "abstain"))
    share = Fraction(n, total)
    if share >= need and top != "abstain":
        return CriterionTally(key, dict(counts), recused, AGREED, top, "AGREEMENT-SHARE",
                              f"{n} of {total} counted votes say {top!r} ({float(share):.0%}), at least "
                              f"{float(need):.0%}.{shown}")
    return CriterionTally(key, dict(counts), recused, NOT_AGREED, "", "AGREEMENT-SHARE",
                          f"the most said, {top!r}, has {n} of {total} counted votes ({float(share):.0%}), below "
                          f"{float(need):.0%}.{shown}")


def etd_tallies(agreement: Agreement, scheme: Scheme) -> dict[str, CriterionTally]:
    """Per EtD criterion the counted ballots' judgements tallied, and (key 'conclusion') the strengths proposed;
    only what some ballot judged. The ballots are those the agreement counts (latest vote, recusals)."""
    counted: list[Vote] = [b.vote for b in agreement.ballots if b.counted]
    recused_votes = [b.vote for b in agreement.ballots if b.why_not.startswith("recused")]
    out = {}
    for key in (scheme.etd.keys if scheme.etd else ()):
        said = [v.etd[key] for v in counted if key in v.etd]
        if said or any(key in v.etd for v in recused_votes):
            out[key] = _decide(key, said, sum(key in v.etd for v in recused_votes), agreement.entitled, scheme)
    proposed = [v.strength for v in counted if v.strength]
    if proposed:
        out["conclusion"] = _decide("conclusion", proposed, sum(bool(v.strength) for v in recused_votes),
                                    agreement.entitled, scheme)
    return out


@dataclass(frozen=True)
class EtdFinding:
    """What a reviewer must look at in a recommendation's EtD: its kind, the recommendation and why."""

    kind: str  # etd_direction | etd_strong_unknown | etd_strength_not_carried
    subject: str
    detail: str
    rule: str


def direction_finding(record: EtdRecord, scheme: Scheme) -> EtdFinding | None:
    """ETD-DIRECTION: a conclusion for (or against) while criteria point against it (for it) and none its way."""
    direction = record.conclusion.get("direction", "")
    if scheme.etd is None or direction not in ("for", "against"):
        return None
    points = {k: c.points.get(record.criteria[k].judgement, "") for k, c in
              ((c.key, c) for c in scheme.etd.criteria) if k in record.criteria}
    against = [k for k, p in points.items() if p and p != direction]
    if against and not any(p == direction for p in points.values()):
        said = "; ".join(f"{scheme.etd.criterion(k).name.lower()} {record.criteria[k].judgement}"  # type: ignore[union-attr]
                         for k in against)
        return EtdFinding("etd_direction", record.recommendation_id, f"a recommendation {direction} while {said}, and "
                          "no criterion points its way", "ETD-DIRECTION")
    return None


def unknown_finding(record: EtdRecord, scheme: Scheme) -> EtdFinding | None:
    """ETD-STRONG-UNKNOWN: a strong conclusion with criteria the panel judged as unknown."""
    strength = record.conclusion.get("strength", "")
    strongest = scheme.strengths[0].code if scheme.strengths else ""
    if scheme.etd is None or not strength or strength.split("/")[0] != strongest:
        return None
    unknown = [k for k, j in record.criteria.items() if j.judgement in scheme.etd.unknown]
    if not unknown:
        return None
    said = "; ".join(f"{scheme.etd.criterion(k).name.lower()} {record.criteria[k].judgement}"  # type: ignore[union-attr]
                     for k in unknown)
    return EtdFinding("etd_strong_unknown", record.recommendation_id, f"{strength}, with {said}", "ETD-STRONG-UNKNOWN")


def carried_finding(record: EtdRecord, tallies: dict[str, CriterionTally]) -> EtdFinding | None:
    """ETD-VOTES-CARRY: the conclusion's strength is not the one the counted votes on it carry."""
    t = tallies.get("conclusion")
    strength = record.conclusion.get("strength", "")
    if t is None or not strength or t.decided == strength:
        return None
    carried = f"the votes carry {t.decided}" if t.decided else "the votes carry no strength"
    return EtdFinding("etd_strength_not_carried", record.recommendation_id,
                      f"the conclusion says {strength}; {carried} ({t.rule}: {t.because})", "ETD-VOTES-CARRY")


def etd_findings(guideline: Guideline, histories: Mapping[str, EtdHistory] | None = None,
                 found: Mapping[str, Agreement] | None = None) -> list[EtdFinding]:
    """Every EtD finding of a guideline, in table order: direction, strong on unknown, strength the votes do not
    carry (`found`: the agreements of the voted recommendations, when tallied already)."""
    if guideline.scheme.etd is None:
        return []
    histories = etd_histories(guideline) if histories is None else histories
    found = agreements(guideline) if found is None else found
    out: list[EtdFinding] = []
    for rid, h in histories.items():
        if h.current is None:
            continue
        out += [f for f in (direction_finding(h.current, guideline.scheme),
                            unknown_finding(h.current, guideline.scheme)) if f is not None]
        if rid in found:
            carried = carried_finding(h.current, etd_tallies(found[rid], guideline.scheme))
            if carried is not None:
                out.append(carried)
    return out
