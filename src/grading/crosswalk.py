"""A guideline under another grading scheme: every grade labelled as a mapping, with the rule used."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .derive import derive_level
from .guideline import Guideline
from .scheme import DEFAULT_RULES, Rules, Scheme, load_scheme, parse_strength

NOTE = "mapping made by the toolkit, not the 2007 working group's grading"


@dataclass(frozen=True)
class Mapped:
    """One recommendation's grading mapped into another scheme."""

    recommendation_id: str
    scheme: str
    level: str
    level_rule: str
    level_because: str
    strength: str | None
    strength_rule: str
    direction: str
    note: str = NOTE


def map_strength(published: str | None, direction: str, scheme: Scheme) -> tuple[str | None, str]:
    """Map a published 2007 strength into a scheme's strengths; (None, why) where the scheme has no mapping."""
    table = scheme.mappings.get("strength", {})
    parts = parse_strength(published)
    if not table:
        return None, f"{scheme.name} grades evidence only: no strength of recommendation"
    if not parts or parts[0] not in table:
        return None, f"no {scheme.name} strength for published '{published or 'none'}'"
    rule = next((r for r in scheme.rules if r.endswith("STRENGTH-MAP")), "mapping")
    against = direction == "against" or parts[0] == "not_recommended"
    return f"{table[parts[0]]} {'against' if against else 'for'}", rule


def crosswalk(guideline: Guideline, scheme: Scheme | str, rules: Rules = DEFAULT_RULES) -> list[Mapped]:
    """Every recommendation's level derived under another scheme and its strength mapped, each with its rule."""
    scheme = load_scheme(scheme) if isinstance(scheme, str) else scheme
    out = []
    for rec in guideline.recommendations.to_dict("records"):
        d = derive_level(guideline.studies(rec["id"]), rules, scheme)
        strength, why = map_strength(rec["published_strength"] or None, rec["direction"], scheme)
        out.append(Mapped(rec["id"], scheme.name, d.value, d.rule, d.because, strength, why, rec["direction"]))
    return out


def crosswalk_frame(guideline: Guideline, scheme: Scheme | str, rules: Rules = DEFAULT_RULES) -> pd.DataFrame:
    """The crosswalk beside the published 2007 grading, one row per recommendation."""
    mapped = pd.DataFrame([m.__dict__ for m in crosswalk(guideline, scheme, rules)])
    recs = guideline.recommendations[["id", "topic_en", "published_strength", "published_level"]]
    return recs.reset_index(drop=True).join(mapped.drop(columns="recommendation_id"))
