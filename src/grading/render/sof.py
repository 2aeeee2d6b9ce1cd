"""Summary of Findings tables in GRADE's layout — outcome; № of participants (studies); certainty as ⊕⊕⊕◯ with its
reasons; relative effect; anticipated absolute effects; what happens — for a recommendation graded by a certainty
model, rendered by great_tables (publication-quality HTML, shown as it is in a notebook)."""

from __future__ import annotations

import re

import pandas as pd

from ..grade import Grading
from ..grade.certainty import RatedOutcome
from ..scheme import Scheme

SOF_ID = "sof"  # great_tables scopes its stylesheet by the table's id: one id, so one stylesheet serves every table
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
COLUMNS = ("Outcome", "Importance", "№ of participants (studies)", "Certainty of the evidence",
           "Relative effect (95% CI)", "Anticipated absolute effects", "What happens", "Footnotes")
COMPARISON = "Compared with"  # a column of its own where a recommendation's outcomes compare with different things


def symbols(code: str, scheme: Scheme) -> str:
    """GRADE's circles for a certainty of the scheme: as many ⊕ as levels from the lowest, the rest ◯ ('⊕⊕⊕◯')."""
    order = [g.code for g in sorted(scheme.levels, key=lambda g: -g.rank)]
    if code not in order:
        return ""
    filled = len(order) - order.index(code)
    return "⊕" * filled + "◯" * (len(order) - filled)


def words(code: str) -> str:
    """A certainty code as a reader says it: 'very_low' → 'very low'."""
    return code.replace("_", " ")


def certainty_cell(o: RatedOutcome, scheme: Scheme) -> str:
    """'⊕⊕◯◯ Low (printed; the domains give low: risk of bias serious, imprecision serious)'."""
    printed = o.row.published_certainty
    shown = printed or o.certainty.value
    label = scheme.level(shown).english if shown in scheme.level_codes else shown
    moved = [f"{d.replace('_', ' ')} {j.replace('_', ' ')}" for d, j in o.row.domains.items()
             if j not in ("not_serious", "no", "unclear")]
    derived = words(o.certainty.value) if o.lowest == o.highest else f"{words(o.highest)} to {words(o.lowest)}"
    why = f"the domains give {derived}" + (f": {', '.join(moved)}" if moved else "")
    return f"{symbols(shown, scheme)} {label} ({'printed; ' if printed else 'derived; '}{why})".strip()


def sof_frame(g: Grading, scheme: Scheme) -> pd.DataFrame:
    """One row per outcome of a recommendation graded by a certainty model, in GRADE's columns."""
    assert g.profile is not None, "a Summary of Findings table needs a grading by a certainty model"
    rows = []
    several = len({o.row.comparison for o in g.profile.outcomes}) > 1
    for o in g.profile.outcomes:
        r = o.row
        n = r.participants + (f" ({r.n_studies} {'study' if r.n_studies == '1' else 'studies'})" if r.n_studies
                              else "")
        rows.append({"Outcome": r.outcome, "Importance": r.importance.replace("_", " "),
                     "№ of participants (studies)": n.strip() or "not stated",
                     "Certainty of the evidence": certainty_cell(o, scheme),
                     "Relative effect (95% CI)": r.relative_effect or "—",
                     "Anticipated absolute effects": r.absolute_effect or "—",
                     "What happens": r.narrative or "—", "Footnotes": r.footnotes or "",
                     **({COMPARISON: r.comparison or "—"} if several else {})})
    columns = [COLUMNS[0], COMPARISON, *COLUMNS[1:]] if several else list(COLUMNS)
    return pd.DataFrame(rows, columns=columns)


def sof_table(g: Grading, scheme: Scheme):
    """The Summary of Findings table as a great_tables GT (shown by a notebook as it is)."""
    from great_tables import GT
    p = g.profile
    assert p is not None
    frame = sof_frame(g, scheme)
    comparisons = {o.row.comparison for o in p.outcomes}
    comparison = comparisons.pop() if len(comparisons) == 1 else ""
    title = f"Summary of findings: {g.id} — {g.recommendation.topic_en or g.topic}"
    subtitle = f"{g.recommendation.text}" + (f" Compared with: {comparison}." if comparison else "")
    order = sorted(scheme.levels, key=lambda x: -x.rank)
    which = "critical outcomes" if any(o.row.importance == "critical" for o in p.outcomes) else \
        "outcomes (none is marked critical)"
    note = (f"Certainty behind the recommendation: {p.used.replace('_', ' ')} ({p.used_from}); derived from the "
            f"{which}: {p.overall.value.replace('_', ' ')} ({p.overall.rule}). ⊕ marks the certainty, from "
            f"{symbols(order[-1].code, scheme)} {order[-1].english.lower()} to {symbols(order[0].code, scheme)} "
            f"{order[0].english.lower()}.")
    return GT(frame, id=SOF_ID).tab_header(title=title, subtitle=subtitle).tab_source_note(note)


def sof_html(g: Grading, scheme: Scheme) -> str:
    """The Summary of Findings table as an HTML fragment (every cell escaped by great_tables), '' for a grading
    by the levels model."""
    if g.profile is None or not g.profile.outcomes:
        return ""
    return sof_table(g, scheme).as_raw_html()


def sof_fragment(g: Grading, scheme: Scheme) -> str:
    """The table without its stylesheet, for a page whose policy allows no inline style (the site links
    `sof_css()` instead); '' for a grading by the levels model."""
    return _STYLE.sub("", sof_html(g, scheme))


def sof_css() -> str:
    """The stylesheet great_tables gives every Summary of Findings table (scoped by SOF_ID)."""
    from great_tables import GT
    found = _STYLE.search(GT(pd.DataFrame({"x": [""]}), id=SOF_ID).as_raw_html())
    return found.group(1).strip() + "\n" if found else ""
