"""Pictures of a guideline: the evidence map (topic by phase) and the agreement of published with derived grades."""

from __future__ import annotations

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..analyses.explore import groups, phases, phases_of
from ..grade import Grading, reproduce, summary
from ..io.guideline import Guideline
from ..scheme import Scheme
from ..vocab import DEVIATIONS, VERDICTS

# Colour encodes the published strength, in the order of the scheme's strengths (strongest first); the grades
# below the ladder stay apart from its green-to-yellow run.
PALETTE = ("#1a9850", "#91cf60", "#fee08b", "#d9d9d9", "#6a51a3", "#b2abd2", "#e7d4e8")


def strength_colours(scheme: Scheme) -> dict[str, str]:
    """The colour of each of a scheme's strengths on the evidence map."""
    return {g.code: PALETTE[i % len(PALETTE)] for i, g in enumerate(scheme.strengths)}

UNGRADED_COLOUR = "#ffffff"
NOT_PUBLISHED = "none"  # row label of the strength crosstab for recommendations with no published strength
NO_PHASE_LABEL = "no phase named"


def group_label(guideline: Guideline, group: str) -> str:
    """A diagnostic group as the map heads it: 'røde flagg (red flags)', its English label from the manifest."""
    english = guideline.manifest.label("diagnostic_group", group)
    return f"{group} ({english})" if english and english != group else group


def phase_label(guideline: Guideline, phase: str) -> str:
    """A phase as the map's column says it: 'akutt\n(acute)', its English label from the manifest."""
    if not phase:
        return NO_PHASE_LABEL
    english = guideline.manifest.label("phase", phase)
    return f"{phase}\n({english})" if english and english != phase else phase
VERDICT_LABELS = VERDICTS


FRAGILE_COLOUR = "#c0392b"


def literal(text: str) -> str:
    """A label matplotlib shows as written: a '$' escaped, so '$…$' in a topic is never parsed as mathtext."""
    return str(text).replace("$", r"\$")


def level_label(level: str, source: str) -> str:
    """The level as the map prints it: '**' when printed, '(**)' when derived."""
    return level if source == "printed" else f"({level})"


def phase_columns(guideline: Guideline) -> list[str]:
    """The map's columns: the guideline's phases, any other phase the data name, then '' for no phase named."""
    known = phases(guideline)
    named = dict.fromkeys(p for v in guideline.recommendations["phase"] for p in phases_of(v))
    return [*known, *(p for p in named if p not in known), ""]


def map_cells(guideline: Guideline, gradings: list[Grading] | None = None) -> pd.DataFrame:
    """One row per (recommendation, phase) of the evidence map, with its map row and column."""
    gradings = gradings if gradings is not None else reproduce(guideline)
    by_id = {g.id: g for g in gradings}
    recs = guideline.recommendations.to_dict("records")
    order = {g: i for i, g in enumerate(groups(guideline))}
    # Rows follow the guideline's order within each diagnostic group, each group under a header row; a topic
    # label shared by two groups (Traction) stays two rows because the recommendations differ.
    keys = list(dict.fromkeys((r["diagnostic_group"], r["topic_en"]) for r in recs))
    keys.sort(key=lambda k: order.get(k[0], len(order)))
    row_of: dict[tuple[str, str], int] = {}
    row = 0
    for i, (group, topic) in enumerate(keys):
        if i == 0 or keys[i - 1][0] != group:
            row += 1  # the group's header row
        row_of[(group, topic)] = row
        row += 1
    columns = phase_columns(guideline)
    cells = []
    for r in recs:
        g = by_id.get(r["id"])
        if g is None:
            continue
        for phase in phases_of(r["phase"]) or ("",):
            cells.append({"id": r["id"], "group": r["diagnostic_group"], "topic_en": r["topic_en"],
                          "row": row_of[(r["diagnostic_group"], r["topic_en"])],
                          "phase": phase, "column": columns.index(phase),
                          "strength": r["published_strength"], "level": g.level_used,
                          "level_source": g.level_source, "direction": r["direction"]})
    frame = pd.DataFrame(cells, columns=["id", "group", "topic_en", "row", "phase", "column", "strength", "level",
                                         "level_source", "direction"])
    frame["slot"] = frame.groupby(["row", "column"]).cumcount()
    frame["slots"] = frame.groupby(["row", "column"])["id"].transform("count")
    return frame


def evidence_map(guideline: Guideline, gradings: list[Grading] | None = None,
                 fragile: set[str] | None = None) -> Figure:
    """Topics against phases; each recommendation a box coloured by published strength and marked by level.

    With `fragile` (ids from grading.fragility), a fragile recommendation's box gets a dashed outline."""
    cells = map_cells(guideline, gradings)
    scheme = guideline.scheme
    colours = strength_colours(scheme)
    rows = cells.drop_duplicates("row").sort_values("row")
    columns = phase_columns(guideline)
    n_rows, n_cols = int(rows["row"].max()) + 1 if len(rows) else 0, len(columns)
    fig = Figure(figsize=(11, 2.2 + 0.32 * n_rows), layout="constrained")
    ax = fig.add_subplot()
    pad = 0.06
    for c in cells.itertuples():
        width = (1 - 2 * pad) / c.slots
        x, y = c.column + pad + c.slot * width, c.row + pad
        grades = scheme.parse_strength(c.strength) or ("",)
        height = (1 - 2 * pad) / len(grades)
        for i, grade in enumerate(grades):
            rect = Rectangle((x, y + i * height), width, height, facecolor=colours.get(grade, UNGRADED_COLOUR),
                             edgecolor="#555555", linewidth=0.6, hatch=None if grade else "///")
            rect.set_gid(f"{c.id}|{c.phase}|{grade}")
            ax.add_patch(rect)
        if fragile is not None and c.id in fragile:
            outline = Rectangle((x, y), width, 1 - 2 * pad, fill=False, edgecolor=FRAGILE_COLOUR, linewidth=2.2,
                                linestyle="--", zorder=3)
            outline.set_gid(f"fragile|{c.id}")
            ax.add_patch(outline)
        derived = c.level_source == "derived"
        ax.text(x + width / 2, c.row + 0.5, literal(level_label(c.level, c.level_source)), ha="center", va="center",
                fontsize=7 if c.slots > 3 else 8, fontstyle="italic" if derived else "normal",
                fontweight="normal" if derived else "bold", color="#333333" if derived else "black", gid=c.id)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks([i + 0.5 for i in range(n_cols)], [literal(phase_label(guideline, p)) for p in columns])
    ax.xaxis.tick_top()
    ax.set_yticks([r + 0.5 for r in rows["row"]], [literal(t) for t in rows["topic_en"]], fontsize=8)
    ax.tick_params(length=0)
    for x in range(1, n_cols):
        ax.axvline(x, color="#bbbbbb", linewidth=0.8)
    for group, part in rows.groupby("group", sort=False):
        header = part["row"].min() - 1
        ax.axhspan(header, header + 1, color="#eeeeee", zorder=0)
        ax.text(0.02, header + 0.5, literal(group_label(guideline, group)), ha="left",
                va="center", fontsize=9, fontweight="bold")
    handles: list[Artist] = [Patch(facecolor=colours[g.code], edgecolor="#555555", label=literal(g.english))
                             for g in scheme.strengths]
    handles.append(Patch(facecolor=UNGRADED_COLOUR, edgecolor="#555555", hatch="///", label="no strength published"))
    handles += [Line2D([], [], linestyle="none", marker="$**$", markersize=12, color="black",
                       label="level printed in the guideline"),
                Line2D([], [], linestyle="none", marker="$(**)$", markersize=18, color="#333333",
                       label="(level) derived from the evidence rows")]
    if fragile is not None:
        handles.append(Patch(fill=False, edgecolor=FRAGILE_COLOUR, linestyle="--", linewidth=2,
                             label="fragile: one changed row lowers it"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=4, fontsize=8, frameon=False,
              title="Colour: published strength (a range such as strong/moderate is split top/bottom). "
                    "Mark: level of documentation.", title_fontsize=8)
    ax.set_title(literal(f"Where the guideline is strong and where it is thin (graded by scheme {scheme.describe()})"),
                 fontsize=11)
    return fig


def strength_crosstab(gradings: list[Grading], scheme: Scheme) -> pd.DataFrame:
    """Counts of published strength (rows, as printed, ranges kept) against derived strength (columns)."""
    published = [g.published_strength or NOT_PUBLISHED for g in gradings]
    derived = [g.derived_strength for g in gradings]
    table = pd.crosstab(pd.Series(published, name="published"), pd.Series(derived, name="derived"))
    table = table.reindex(columns=list(scheme.strength_codes), fill_value=0)
    return table.loc[sorted(table.index, key=lambda p: _strongest_first(p, scheme))]


def _span(published: str, scheme: Scheme) -> tuple[int, int] | None:
    return scheme.strength_span("" if published == NOT_PUBLISHED else published)


def _strongest_first(published: str, scheme: Scheme) -> tuple[int, int, str]:
    codes = list(scheme.strength_codes)
    at = [codes.index(p) for p in scheme.parse_strength("" if published == NOT_PUBLISHED else published)] \
        or [len(codes)]
    return min(at), max(at), published


def level_crosstab(gradings: list[Grading], scheme: Scheme) -> pd.DataFrame:
    """Counts of printed level (rows) against the level derived from the evidence rows (columns)."""
    codes = list(scheme.level_codes)
    printed = [g for g in gradings if g.published_level]
    table = pd.crosstab(pd.Series([g.published_level for g in printed], name="printed", dtype=object),
                        pd.Series([g.derived_level for g in printed], name="derived", dtype=object))
    return table.reindex(index=codes, columns=codes, fill_value=0)


def _heatmap(ax, table: pd.DataFrame, title: str, agrees) -> None:
    ax.imshow(table.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(table.shape[1]), [literal(c) for c in table.columns], rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(table.shape[0]), [literal(i) for i in table.index], fontsize=8)
    ax.set_xlabel(literal(table.columns.name))
    ax.set_ylabel(literal(table.index.name))
    high = table.to_numpy().max() or 1
    for i, row in enumerate(table.index):
        for j, col in enumerate(table.columns):
            n = int(table.iloc[i, j])
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8, gid=f"count|{row}|{col}",
                    color="white" if n > high / 2 else "black", fontweight="bold" if agrees(row, col) else "normal")
    ax.set_title(title, fontsize=10)


def agreement_plot(gradings: list[Grading], scheme: Scheme) -> Figure:
    """Verdict counts (deviations split justified/unjustified) and published-against-derived strengths and levels."""
    s = summary(gradings)

    def strength_agrees(published: str, derived: str) -> bool:
        span = _span(published, scheme)
        return span is not None and span[0] <= scheme.strength(derived).rank <= span[1]

    fig = Figure(figsize=(14, 4.8), layout="constrained")
    bars, strengths, levels = fig.subplots(1, 3, width_ratios=[1.1, 1.3, 0.8])
    verdicts = list(VERDICT_LABELS)
    justified = [sum(g.comparison.verdict == v and g.comparison.justified for g in gradings)
                 if v in DEVIATIONS else 0 for v in verdicts]
    rest = [s[v] - j for v, j in zip(verdicts, justified)]
    colours = ["#1a9850", "#d73027", "#d73027", "#bbbbbb"]
    y = range(len(verdicts))
    first = bars.barh(y, rest, color=colours, edgecolor="black", linewidth=0.6)
    second = bars.barh(y, justified, left=rest, color="#fdae61", edgecolor="black", linewidth=0.6, hatch="//")
    for b, v in zip(first, verdicts):
        b.set_gid(f"verdict|{v}|{'unjustified' if v in DEVIATIONS else 'all'}")
    for b, v in zip(second, verdicts):
        b.set_gid(f"verdict|{v}|justified")
    for i, v in enumerate(verdicts):
        ax_label = f"{s[v]}" + (f"  ({justified[i]} justified)" if v in DEVIATIONS else "")
        bars.text(s[v] + 0.5, i, ax_label, va="center", fontsize=8)
    bars.set_yticks(list(y), [VERDICT_LABELS[v] for v in verdicts], fontsize=9)
    bars.invert_yaxis()
    bars.set_xlim(0, max(s[v] for v in verdicts) * 1.35 + 1)
    bars.set_xlabel("recommendations")
    bars.legend(handles=[Patch(facecolor="#d73027", edgecolor="black", label="deviation, no justification recorded"),
                         Patch(facecolor="#fdae61", edgecolor="black", hatch="//",
                               label="deviation with a recorded justification")],
                fontsize=8, loc="lower right", frameon=False)
    bars.set_title(f"Published strength against its evidence ({s['recommendations']} recommendations)", fontsize=10)
    _heatmap(strengths, strength_crosstab(gradings, scheme), "Strength: published (rows) against derived "
             "(columns);\nbold where they agree", strength_agrees)
    _heatmap(levels, level_crosstab(gradings, scheme), f"Level: printed against derived\n"
             f"({s['printed_levels_reproduced']} "
             f"of {s['printed_levels']} printed levels reproduced)", lambda row, col: row == col)
    levels.tick_params(labelsize=12)  # asterisks are unreadable at the default size
    fig.suptitle(literal(f"Graded by scheme {scheme.describe()}"), fontsize=9)
    return fig

