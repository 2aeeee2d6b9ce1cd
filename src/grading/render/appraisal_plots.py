"""Pictures of the group's appraisals after robvis (McGuinness & Higgins, Res Synth Methods 2021): a traffic-light
plot (one row per reference, one column per domain and the overall judgement) and a summary plot (per domain, the
share of references at each judgement), and the pictures of a graded guideline's appraisals, each with its text
alternative, for the site and the report. matplotlib is imported when a picture is drawn, never at import."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..analyses.appraisals import subject_of
from ..results import GradedGuideline
from ..revisions.appraisals import Appraisal
from ..scheme.instruments import Instrument

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# robvis's colours: low risk green, some concerns yellow, high red, critical dark red; no information grey.
RAMP = ("#02C100", "#E2DF07", "#BF0000", "#820000")
NO_INFORMATION = "#AAAAAA"
SAYS_NOTHING = frozenset({"unclear", "no_information", "no_meta_analysis"})
NOT_JUDGED = "#FFFFFF"


def judgement_colour(judgement: str, scale: Sequence[str]) -> str:
    """The colour of a judgement on its scale: the best end green, the worst red (dark red on a scale of four or
    more), a judgement that tells nothing grey. A scale of numbers (AGREE II's 1-7) is best at its highest; any
    other scale is listed best first, as the instruments list theirs."""
    if judgement in SAYS_NOTHING:
        return NO_INFORMATION
    graded = [j for j in scale if j not in SAYS_NOTHING]
    if judgement not in graded:
        return NOT_JUDGED
    if all(j.isdigit() for j in graded):
        graded = sorted(graded, key=int, reverse=True)
    steps = RAMP if len(graded) >= 4 else RAMP[:3]
    at = graded.index(judgement) / max(len(graded) - 1, 1)
    return steps[round(at * (len(steps) - 1))]


def _symbol(judgement: str, instrument: Instrument) -> str:
    return {"low": "+", "high": "−", "yes": "+", "no": "−", "some_concerns": "!", "moderate": "!", "serious": "−",
            "critical": "×", "critically_low": "×", "partial_yes": "!", "unclear": "?", "no_information": "?",
            "no_meta_analysis": "·", "yes_with_modifications": "!"}.get(judgement, judgement[:2])


def traffic_light(appraisals: Sequence[Appraisal], instrument: Instrument,
                  names: Mapping[str, str] | None = None) -> Figure:
    """A robvis-style traffic-light plot: one row per appraisal given (label: `names[reference]`, else the key),
    one column per domain of the instrument and one for the overall judgement."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Patch

    names = names or {}
    rows = [a for a in appraisals if a.instrument == instrument.name]
    columns = [d.key for d in instrument.domains] + ["Overall"]
    fig = Figure(figsize=(1.2 + 0.55 * len(columns), 1.4 + 0.45 * max(len(rows), 1)))
    ax = fig.add_subplot(1, 1, 1)
    for y, a in enumerate(rows):
        for x, key in enumerate(columns):
            if key == "Overall":
                j, scale = a.overall, instrument.overall
            else:
                domain = instrument.domain(key)
                j, scale = a.domains.get(key, ""), domain.judgements if domain else ()
            ax.add_patch(Circle((x, y), 0.38, facecolor=judgement_colour(j, scale) if j else NOT_JUDGED,
                                edgecolor="#333333", linewidth=0.6))
            if j:
                ax.text(x, y, _symbol(j, instrument), ha="center", va="center", fontsize=9)
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.set_aspect("equal")
    ax.set_xticks(range(len(columns)), columns)
    ax.xaxis.tick_top()
    labels = [names.get(a.reference, a.reference) + (" (reconciled)" if a.reconciled else f" ({a.member})")
              for a in rows]
    ax.set_yticks(range(len(rows)), labels)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    overall = instrument.overall
    fig.legend(handles=[Patch(facecolor=judgement_colour(j, overall), edgecolor="#333333", label=instrument.label(j))
                        for j in overall], loc="lower center", ncol=min(len(overall), 3), fontsize=7, frameon=False)
    ax.set_title(f"{instrument.title.split(':')[0]}: appraised by the group", fontsize=9, pad=22)
    fig.tight_layout(rect=(0, 0.06 * (1 + (len(overall) - 1) // 3) + 0.04, 1, 1))
    return fig


def summary_plot(appraisals: Sequence[Appraisal], instrument: Instrument) -> Figure:
    """A robvis-style summary plot: per domain and overall, the share of the appraisals given at each judgement
    (unweighted)."""
    from matplotlib.figure import Figure

    rows = [a for a in appraisals if a.instrument == instrument.name]
    bars = [(d.title, d.judgements, [a.domains.get(d.key, "") for a in rows]) for d in instrument.domains]
    bars.append(("Overall", instrument.overall, [a.overall for a in rows]))
    fig = Figure(figsize=(8, 1.0 + 0.4 * len(bars)))
    ax = fig.add_subplot(1, 1, 1)
    for y, (_, scale, found) in enumerate(bars):
        left = 0.0
        judged = [j for j in found if j]
        for j in scale:
            share = judged.count(j) / len(judged) if judged else 0.0
            if share:
                ax.barh(y, share, left=left, color=judgement_colour(j, scale), edgecolor="#333333", linewidth=0.5,
                        label=instrument.label(j))
                left += share
    ax.set_yticks(range(len(bars)), [t if len(t) <= 60 else t[:57] + "..." for t, _, _ in bars], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of {len(rows)} appraisals")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    fig.legend(unique.values(), unique.keys(), fontsize=7, loc="lower center", ncol=max(len(unique), 1),
               frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


@dataclass(frozen=True)
class Picture:
    """One picture of the group's appraisals: a file name (no folder), the figure, and its text alternative."""

    file: str
    figure: Figure
    alt: str


def _judged(a: Appraisal, instrument: Instrument) -> str:
    """'D1 low, D2 some concerns, overall some concerns' — an appraisal's judgements in words."""
    parts = [f"{d.key} {instrument.label(a.domains[d.key])}" for d in instrument.domains if d.key in a.domains]
    return ", ".join([*parts, f"overall {instrument.label(a.overall)}"])


def pictures(result: GradedGuideline) -> list[Picture]:
    """Per instrument the group used, a traffic-light plot of each member's latest appraisal (and the reconciled
    one) and a summary plot of the appraisals that count; none without appraisals."""
    out = []
    shown = result.shown_appraisals
    for name, instrument in result.instruments.items():
        rows = [a for a in shown if a.instrument == name]
        if not rows:
            continue
        title = instrument.title.split(":")[0]
        names = {a.reference: subject_of(result.published, a.reference) for a in rows}
        who = "; ".join(f"{names[a.reference]} by {a.member}{' (reconciled)' if a.reconciled else ''}: "
                        f"{_judged(a, instrument)}" for a in rows)
        out.append(Picture(f"appraisals-{name}-traffic-light.png", traffic_light(rows, instrument, names),
                           f"Traffic-light plot of {len(rows)} {title} appraisal{'s' if len(rows) != 1 else ''} "
                           f"by the group, one row per appraisal and one column per domain: {who}."))
        counting = [a for a in result.counting if a.instrument == name]
        if counting:
            shares = []
            for d in (*instrument.domains, None):
                found = [a.overall if d is None else a.domains.get(d.key, "") for a in counting]
                scale = instrument.overall if d is None else d.judgements
                said = ", ".join(f"{found.count(j)} {instrument.label(j)}" for j in scale if found.count(j))
                shares.append(f"{'overall' if d is None else d.key}: {said or 'not judged'}")
            out.append(Picture(f"appraisals-{name}-summary.png", summary_plot(counting, instrument),
                               f"Summary plot of the {len(counting)} {title} appraisal"
                               f"{'s' if len(counting) != 1 else ''} that count, the share at each judgement per "
                               f"domain: {'; '.join(shares)}."))
    return out


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    import io
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def data_uri(figure: Figure) -> str:
    """The figure as a 'data:image/png;base64,...' address: a picture that loads nothing from anywhere."""
    import base64
    return "data:image/png;base64," + base64.b64encode(png(figure)).decode("ascii")
