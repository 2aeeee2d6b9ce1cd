"""Pictures of a guideline: the evidence map (topic by phase) and the agreement of published with derived grades."""

from __future__ import annotations

import textwrap

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from ..analyses.explore import groups, phases, phases_of
from ..analyses.worklist import Entry
from ..grade import Grading, reproduce, summary
from ..grade.derive import signed_span
from ..io.guideline import Guideline
from ..scheme import Scheme
from ..vocab import AGREE, NOT_COMPARABLE, VERDICTS

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
AGAINST_HATCH = "xx"  # a recommendation against: drawn, so that 'strong' against never reads as strongly for
AGAINST_EDGE = "#222222"


def literal(text: str) -> str:
    """A label matplotlib shows as written: a '$' escaped, so '$…$' in a topic is never parsed as mathtext, and a
    control character shown as its escape (a font has no glyph for it, and matplotlib's warning would print it raw)."""
    from .text import terminal_safe
    return terminal_safe(str(text), lines=True).replace("$", r"\$")


def level_label(level: str, source: str) -> str:
    """The level as the map prints it: '**' when printed, '«**»' when printed in words, '(**)' when derived."""
    return level if source == "printed" else f"«{level}»" if source == "in_words" else f"({level})"


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
        against = c.direction == "against"
        for i, grade in enumerate(grades):
            # Direction is drawn, not left to the colour: a recommendation against is cross-hatched.
            rect = Rectangle((x, y + i * height), width, height, facecolor=colours.get(grade, UNGRADED_COLOUR),
                             edgecolor=AGAINST_EDGE if against else "#555555", linewidth=0.6,
                             hatch=AGAINST_HATCH if against and grade else None if grade else "///")
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
    handles.append(Patch(facecolor=UNGRADED_COLOUR, edgecolor=AGAINST_EDGE, hatch=AGAINST_HATCH,
                         label="cross-hatched: recommended AGAINST"))
    handles += [Line2D([], [], linestyle="none", marker="$**$", markersize=12, color="black",
                       label="level printed in the guideline"),
                Line2D([], [], linestyle="none", marker="$«**»$", markersize=18, color="black",
                       label="«level» named in words in the guideline's text"),
                Line2D([], [], linestyle="none", marker="$(**)$", markersize=18, color="#333333",
                       label="(level) derived from the evidence rows")]
    if fragile is not None:
        handles.append(Patch(fill=False, edgecolor=FRAGILE_COLOUR, linestyle="--", linewidth=2,
                             label="fragile: carried now, lost with one changed row"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3, fontsize=8, frameon=False,
              title="Colour: published strength, for or against (a range such as strong/moderate is split "
                    "top/bottom); cross-hatched: against. Mark: level of documentation.", title_fontsize=8)
    ax.set_title(literal(f"Where the guideline is strong and where it is thin (graded by scheme {scheme.describe()})"),
                 fontsize=11)
    return fig


def _published_label(g: Grading) -> str:
    return g.published if g.published_strength else NOT_PUBLISHED


def _derived_label(g: Grading) -> str:
    """The derived strength with the direction it points: 'weak (against)', 'not_recommended', 'no_basis'."""
    d = g.strength
    return d.shown if d.direction in ("for", "against") else d.value


def _label_order(label: str, scheme: Scheme) -> tuple[int, int, int, str]:
    """Strongest first, within a strength 'for' before 'against'; ranges after the grade they start with."""
    code, _, rest = label.partition(" (")
    codes = list(scheme.strength_codes)
    at = [codes.index(p) for p in scheme.parse_strength("" if code == NOT_PUBLISHED else code)] or [len(codes)]
    return min(at), max(at), rest.startswith("against"), label


def strength_crosstab(gradings: list[Grading], scheme: Scheme) -> pd.DataFrame:
    """Counts of published strength (rows, as printed, ranges kept, with their direction) against the strength the
    evidence carries under the default reading (columns, with the direction it points)."""
    published = [_published_label(g) for g in gradings]
    derived = [_derived_label(g) for g in gradings]
    table = pd.crosstab(pd.Series(published, name="published"), pd.Series(derived, name="derived"))
    table = table[sorted(table.columns, key=lambda c: _label_order(c, scheme))]
    return table.loc[sorted(table.index, key=lambda p: _label_order(p, scheme))]


def level_crosstab(gradings: list[Grading], scheme: Scheme) -> pd.DataFrame:
    """Counts of printed level (rows) against the level derived from the evidence rows (columns)."""
    codes = list(scheme.level_codes)
    printed = [g for g in gradings if g.published_level]
    table = pd.crosstab(pd.Series([g.published_level for g in printed], name="printed", dtype=object),
                        pd.Series([g.derived_level for g in printed], name="derived", dtype=object))
    return table.reindex(index=codes, columns=codes, fill_value=0)


def _heatmap(ax, table: pd.DataFrame, title: str, agrees) -> None:
    ax.imshow(table.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(table.shape[1]), [literal(c) for c in table.columns], rotation=35, ha="right", fontsize=8)
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


# The verdicts as the audit splits them: what holds under every reading of the unstated appraisal, and what not.
STANDINGS = {"certain_agree": "agree under every reading",
             "certain_justified": "deviate under every reading,\njustification recorded",
             "certain_unjustified": "deviate under every reading,\nno justification",
             "depends_on_appraisal": "depend on appraisal\nthe text does not state",
             "depends_on_choice": "depend on a contested\nchoice of the scheme",
             "not_comparable": "not comparable"}
STANDING_COLOURS = {"certain_agree": "#1a9850", "certain_justified": "#fdae61", "certain_unjustified": "#d73027",
                    "depends_on_appraisal": "#9e9ac8", "depends_on_choice": "#bcbddc", "not_comparable": "#bbbbbb"}


def standing(g: Grading) -> str:
    """Where a grading stands under every reading: a key of STANDINGS."""
    if g.certainty != "certain":
        return g.certainty
    if g.comparison.verdict == NOT_COMPARABLE:
        return "not_comparable"
    if not g.deviates:
        return "certain_agree"
    return "certain_justified" if g.comparison.justified else "certain_unjustified"


def agreement_plot(gradings: list[Grading], scheme: Scheme) -> Figure:
    """The verdicts split as the audit splits them, then published against derived strengths (direction shown) and
    printed against derived levels; for a guideline graded by certainty, certainty_plot."""
    if gradings and all(g.profile is not None for g in gradings):
        return certainty_plot(gradings, scheme)
    s = summary(gradings)
    fig = Figure(figsize=(15, 5.2), layout="constrained")
    bars, strengths, levels = fig.subplots(1, 3, width_ratios=[1.0, 1.5, 0.7])
    keys = list(STANDINGS)
    counts = [sum(standing(g) == k for g in gradings) for k in keys]
    drawn = bars.barh(range(len(keys)), counts, color=[STANDING_COLOURS[k] for k in keys], edgecolor="black",
                      linewidth=0.6)
    for b, k in zip(drawn, keys):
        b.set_gid(f"standing|{k}")
        if k in ("depends_on_appraisal", "depends_on_choice"):
            b.set_hatch(".." if k == "depends_on_appraisal" else "//")
    for i, n in enumerate(counts):
        bars.text(n + 0.5, i, str(n), va="center", fontsize=8, gid=f"standing-count|{keys[i]}")
    bars.set_yticks(range(len(keys)), [STANDINGS[k] for k in keys], fontsize=8)
    bars.invert_yaxis()
    bars.set_xlim(0, max(counts + [1]) * 1.3 + 1)
    bars.set_xlabel("recommendations")
    bars.set_title(f"Published strength against its evidence, {s['recommendations']} recommendations\n"
                   f"(under the default reading: {s['agree']} agree, {s['stronger_than_evidence']} stronger, "
                   f"{s['weaker_than_evidence']} weaker)", fontsize=9)
    agree_cells: dict[tuple[str, str], bool] = {}
    for g in gradings:
        cell = (_published_label(g), _derived_label(g))
        agree_cells[cell] = agree_cells.get(cell, True) and g.comparison.verdict == AGREE
    _heatmap(strengths, strength_crosstab(gradings, scheme), "Strength: published (rows) against what the evidence "
             "carries (columns),\ndirection shown; bold where they agree", lambda r, c: agree_cells.get((r, c), False))
    _heatmap(levels, level_crosstab(gradings, scheme), f"Level: printed against derived\n"
             f"({s['printed_levels_reproduced']} "
             f"of {s['printed_levels']} printed levels reproduced)", lambda row, col: row == col)
    levels.tick_params(labelsize=12)  # asterisks are unreadable at the default size
    fig.suptitle(literal(f"Graded by scheme {scheme.describe()}"), fontsize=9)
    return fig


def scale_labels(scheme: Scheme) -> dict[int, str]:
    """Tick labels of the scale from strongest against to strongest for: 'strong against' ... 'no basis' ..."""
    ladder = sorted(set(scheme.ladder.values()), key=lambda c: scheme.strength(c).rank)
    out = {0: "no basis"}
    for i, code in enumerate(ladder, 1):
        name = scheme.strength(code).english.lower()
        out[i], out[-i] = f"{name}\nfor", f"{name}\nagainst"
    return out


def _range_bar(ax, lo: float, hi: float, y: int, colour: str, rid: str) -> None:
    """One recommendation's bar on a ranges picture; a square where the range is one point."""
    bar = ax.plot([lo, hi], [y, y], color=colour, linewidth=6, solid_capstyle="butt", alpha=0.85,
                  gid=f"range|{rid}")[0]
    if lo == hi:
        bar.set_marker("s")
        bar.set_markersize(7)


def _ranges_legend(ax, standings: dict[str, str], colours: dict[str, str], dot: str, box: str, title: str,
                   ncol: int) -> None:
    """A ranges picture's legend: a bar per standing, the dot, the hollow box, under the axes."""
    handles: list[Artist] = [Line2D([], [], color=colours[k], linewidth=6, label=standings[k].replace("\n", " "))
                             for k in standings]
    handles += [Line2D([], [], linestyle="none", marker="o", color="black", markersize=4, label=dot),
                Patch(fill=False, edgecolor="#333333", label=box)]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=ncol, fontsize=8,
              frameon=False, title=title, title_fontsize=8)


def ranges_plot(gradings: list[Grading], scheme: Scheme, ids: list[str] | None = None) -> Figure:
    """For each recommendation, what its evidence can carry under every reading of the unstated appraisal (a bar
    on one scale from strongest against to strongest for), the default reading (a dot) and the published
    strength (a hollow box): a reviewer sees at once what is certain and what depends on appraisal."""
    if gradings and all(g.profile is not None for g in gradings):
        return certainty_ranges_plot(gradings, scheme, ids)
    shown = [g for g in gradings if g.readings is not None and (ids is None or g.id in ids)]
    fig = Figure(figsize=(10, 1.6 + 0.24 * len(shown)), layout="constrained")
    ax = fig.add_subplot()
    for y, g in enumerate(shown):
        r = g.readings
        assert r is not None
        key = standing(g)
        lo, hi = r.scale
        _range_bar(ax, lo, hi, y, STANDING_COLOURS[key], g.id)
        here = signed_span(scheme, g.derived_strength, g.derived_direction, g.level_used)
        if here:
            ax.plot([here[0]], [y], "o", color="black", markersize=4, gid=f"default|{g.id}")
        published = signed_span(scheme, g.published_strength or "", g.direction)
        if published:
            ax.add_patch(Rectangle((published[0] - 0.25, y - 0.34), published[1] - published[0] + 0.5, 0.68,
                                   fill=False, edgecolor="#333333", linewidth=1.1, gid=f"published|{g.id}"))
    ticks = scale_labels(scheme)
    ax.set_xticks(sorted(ticks), [ticks[t] for t in sorted(ticks)], fontsize=8)
    ax.axvline(0, color="#999999", linewidth=0.8, zorder=0)
    ax.set_xlim(min(ticks) - 0.6, max(ticks) + 0.6)
    ax.set_yticks(range(len(shown)), [literal(f"{g.id} {textwrap.shorten(g.recommendation.topic_en or g.topic, 28)}")
                                       for g in shown], fontsize=7)
    ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
    ax.xaxis.tick_top()
    _ranges_legend(ax, STANDINGS, STANDING_COLOURS, "the scheme's default reading", "published strength",
                   "Bar: every strength the evidence can carry under some reading of the appraisal the text leaves "
                   "unstated (left of 'no basis': against)", 3)
    ax.set_title(literal(f"What the evidence can carry, under every reading (graded by scheme {scheme.describe()})"),
                 fontsize=10)
    return fig


def worklist_plot(entries: list[Entry], top: int = 20) -> Figure:
    """The appraisal worklist as a picture: for the `top` references, how many verdicts their appraisal can
    change, and how many it settles alone, each labelled with the recommendations it decides."""
    shown = entries[:top]
    fig = Figure(figsize=(10, 1.4 + 0.3 * len(shown)), layout="constrained")
    ax = fig.add_subplot()
    for y, e in enumerate(shown):
        ax.barh(y, len(e.decides), color="#9e9ac8", edgecolor="black", linewidth=0.5, gid=f"decides|{e.subject}")
        if e.settles:
            ax.barh(y, len(e.settles), color="#54278f", edgecolor="black", linewidth=0.5,
                    gid=f"settles|{e.subject}")
        ax.text(len(e.decides) + 0.08, y, literal(", ".join(e.decides)), va="center", fontsize=7)
    ax.set_yticks(range(len(shown)), [literal(e.subject) for e in shown], fontsize=8)
    ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
    if not shown:
        ax.text(0.5, 0, "no verdict depends on appraisal: nothing to appraise first", ha="center", va="center")
    most = max([len(e.decides) for e in shown] + [1])
    ax.set_xlim(0 if shown else -0.5, most * 1.9 + 1 if shown else 1.5)
    ax.set_xlabel("verdicts its appraisal can change")
    ax.legend(handles=[Patch(facecolor="#9e9ac8", edgecolor="black", label="can change the verdict"),
                       Patch(facecolor="#54278f", edgecolor="black", label="settles it alone, whatever it finds")],
              fontsize=8, loc="lower right", frameon=False)
    ax.set_title(f"What to appraise first: the {len(shown)} references whose unstated appraisal decides the most "
                 f"verdicts", fontsize=10)
    return fig


# --- a guideline graded by certainty (GRADE): concordance, strength on certainty, printed against derived -----------

CERTAINTY_STANDINGS = {"concordant": "concordant under every reading", "discordant": "discordant under every reading",
                       "depends_on_appraisal": "depends on domains\nthe source leaves unjudged",
                       "not_comparable": "not comparable\n(no published strength)"}
CERTAINTY_COLOURS = {"concordant": "#1a9850", "discordant": "#d73027", "depends_on_appraisal": "#9e9ac8",
                     "not_comparable": "#bbbbbb"}


def certainty_standing(g: Grading) -> str:
    """Where a certainty model's grading stands over every reading of its unjudged domains."""
    if g.comparison.verdict == NOT_COMPARABLE:
        return "not_comparable"
    if g.certainty != "certain":
        return "depends_on_appraisal"
    return "discordant" if g.profile is not None and g.profile.discordant else "concordant"


def _levels_high_first(scheme: Scheme) -> list[str]:
    return [x.code for x in sorted(scheme.levels, key=lambda x: -x.rank)]


def certainty_plot(gradings: list[Grading], scheme: Scheme) -> Figure:
    """GRADE's checks in one picture: concordance under every reading; each strength against the certainty it rests
    on (discordant cells outlined); each outcome's printed certainty against the one its domains give."""
    levels = _levels_high_first(scheme)
    words = {c: c.replace("_", " ") for c in levels}
    fig = Figure(figsize=(15, 5.2), layout="constrained")
    bars, strengths, outcomes = fig.subplots(1, 3, width_ratios=[1.0, 1.0, 1.0])
    keys = list(CERTAINTY_STANDINGS)
    counts = [sum(certainty_standing(g) == k for g in gradings) for k in keys]
    drawn = bars.barh(range(len(keys)), counts, color=[CERTAINTY_COLOURS[k] for k in keys], edgecolor="black",
                      linewidth=0.6)
    for b, k, n in zip(drawn, keys, counts):
        b.set_gid(f"standing|{k}")
        bars.text(n + 0.1, b.get_y() + b.get_height() / 2, str(n), va="center", fontsize=8)
    bars.set_yticks(range(len(keys)), [CERTAINTY_STANDINGS[k] for k in keys], fontsize=8)
    bars.invert_yaxis()
    bars.set_xlim(0, max(counts + [1]) * 1.3 + 0.5)
    bars.set_xlabel("recommendations")
    bars.set_title(f"A strong recommendation on low certainty, {len(gradings)} recommendations\n(DISCORDANT, "
                   "over every reading of the unjudged domains)", fontsize=9)
    rows = [f"{g.published_strength} ({g.direction})" for g in gradings if g.published_strength]
    order = [f"{x.code} ({d})" for x in scheme.strengths for d in ("for", "against", "none")]
    table = pd.crosstab(pd.Series(rows, name="published strength"),
                        pd.Series([g.level_used for g in gradings if g.published_strength],
                                  name="certainty it rests on")).reindex(
        index=[r for r in order if r in rows], columns=levels, fill_value=0)
    table.columns = [words[c] for c in table.columns]
    table.columns.name = "certainty it rests on (printed where printed)"
    bad = {(f"{g.published_strength} ({g.direction})", words[g.level_used]) for g in gradings
           if g.profile is not None and g.profile.discordant}
    _heatmap(strengths, table, "Strength against the certainty it rests on;\nbold: discordant",
             lambda r, c: (r, c) in bad)
    rated = [o for g in gradings if g.profile is not None for o in g.profile.outcomes if o.row.published_certainty]
    cross = pd.crosstab(pd.Series([words.get(o.row.published_certainty, o.row.published_certainty) for o in rated],
                                  name="printed certainty"),
                        pd.Series([words[o.certainty.value] for o in rated],
                                  name="derived (default reading)")).reindex(
        index=[words[c] for c in levels], columns=[words[c] for c in levels], fill_value=0)
    differ = sum(o.differs for o in rated)
    _heatmap(outcomes, cross, f"Outcomes: printed against derived certainty\n({len(rated)} printed, {differ} outside "
             "every reading of their domains)", lambda r, c: r == c)
    fig.suptitle(literal(f"Graded by scheme {scheme.describe()}"), fontsize=9)
    return fig


def certainty_ranges_plot(gradings: list[Grading], scheme: Scheme, ids: list[str] | None = None) -> Figure:
    """For each recommendation graded by certainty, the certainty its outcomes' domains give under every reading
    (a bar), the certainty its strength is checked against (a dot) and the printed one (a hollow box)."""
    levels = _levels_high_first(scheme)[::-1]  # lowest on the left
    x = {c: i for i, c in enumerate(levels)}
    shown = [g for g in gradings if g.profile is not None and (ids is None or g.id in ids)]
    fig = Figure(figsize=(12, 1.9 + 0.28 * len(shown)), layout="constrained")
    ax = fig.add_subplot()
    for y, g in enumerate(shown):
        p = g.profile
        assert p is not None
        lo, hi = x[p.overall_range[0]], x[p.overall_range[1]]
        _range_bar(ax, lo, hi, y, CERTAINTY_COLOURS[certainty_standing(g)], g.id)
        ax.plot([x[p.used]], [y], "o", color="black", markersize=4, gid=f"used|{g.id}")
        if p.published:
            ax.add_patch(Rectangle((x[p.published] - 0.25, y - 0.34), 0.5, 0.68, fill=False, edgecolor="#333333",
                                   linewidth=1.1, gid=f"printed|{g.id}"))
    ax.set_xticks(range(len(levels)), [c.replace("_", " ") for c in levels], fontsize=8)
    ax.set_xlim(-0.6, len(levels) - 0.4)
    ax.set_yticks(range(len(shown)), [literal(f"{g.id} {g.published_strength or 'no strength'}: " + textwrap.shorten(
        g.recommendation.topic_en or g.topic, 60, placeholder="…")) for g in shown], fontsize=7)
    ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
    ax.xaxis.tick_top()
    _ranges_legend(ax, CERTAINTY_STANDINGS, CERTAINTY_COLOURS, "the certainty the strength is checked against",
                   "printed certainty (for it, or for every outcome)", "Bar: the certainty the outcomes' domain "
                   "judgements give, under every reading of those the source leaves unjudged", 2)
    ax.set_title(literal(f"The certainty behind each recommendation\n(graded by scheme {scheme.describe()})"),
                 fontsize=10)
    return fig
