"""Plain-text and JSON renderings of gradings and audit findings for the terminal and for CI."""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from typing import TYPE_CHECKING

from ..grade import Grading, summary
from ..scheme import BUNDLED, Clause, Scheme
from ..vocab import AGREE, NOT_COMPARABLE, STRONGER, VERDICTS, WEAKER

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from ..analyses.agreement import Agreement
    from ..analyses.audit import Finding
    from ..analyses.fragility import Fragility
    from ..analyses.impact import Batch, BatchImpact, Impact, NewStudy
    from ..io.guideline import Guideline
    from ..revisions.etd import EtdHistory, EtdRecord

VERDICT_SHORT = {AGREE: "agree", STRONGER: "STRONGER", WEAKER: "WEAKER", NOT_COMPARABLE: "n/c"}
CERTAINTY_SHORT = {"certain": "certain", "depends_on_appraisal": "DEPENDS", "depends_on_choice": "CHOICE"}

# C0 and C1 controls, DEL, and the marks that reorder a line (bidirectional embeddings, overrides, isolates): printed
# raw they move the cursor, retitle the window, erase lines or disguise what a line says.
_MARKS = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x1f{_MARKS}]")
_CONTROLS_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_MARKS}]")


def terminal_safe(text: str, *, lines: bool = False) -> str:
    """Text with every control character shown as an escape (ESC as \\u001b), so printing it cannot drive the
    terminal: one field with its line breaks escaped too, or with `lines` a whole output keeping them (and tabs)."""
    return (_CONTROLS_BUT_LINES if lines else _CONTROLS).sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 flag', '2 flags', '1 glossary term', '3 entries' (with many='entries')."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    return "\n".join([*lines, *(fmt.format(*map(str, r)) for r in rows)])


def graded_by(gradings: list[Grading]) -> str:
    """'Graded by scheme norway-2007 (named by guideline.toml).': the line every output names its scheme with."""
    schemes = ", ".join(dict.fromkeys(g.scheme for g in gradings)) or "no scheme (nothing graded)"
    return f"Graded by scheme {schemes}."


def gradings_table(gradings: list[Grading]) -> str:
    """A readable table of every grading, then the summary in numbers and the scheme."""
    rows = []
    topics: dict[str, str] = {}  # a section's recommendations share their topic: shortened once
    for g in gradings:
        just = "" if not g.deviates else (
            "justified" if g.comparison.justified else "UNJUSTIFIED")
        r = g.readings
        span = "" if r is None or r.level_range[0] == r.level_range[1] else "-".join(r.level_range)
        if g.topic not in topics:
            topics[g.topic] = textwrap.shorten(g.topic, 24, placeholder="…")
        level = ";".join(g.published_levels) or (f"{g.level_used} (words)" if g.level_source == "in_words" else
                                                 f"{g.level_used} (outcomes)" if g.profile is not None and
                                                 g.profile.published_from.endswith("outcomes") else "-")
        cells = [g.id, topics[g.topic], g.direction, g.published_strength or "-", level,
                 g.derived_level + ("" if g.level_source != "derived" else " (derived)"), span, g.carried,
                 VERDICT_SHORT[g.comparison.verdict], just, CERTAINTY_SHORT[g.certainty]]
        rows.append([terminal_safe(x) for x in cells] if _CONTROLS.search("".join(cells)) else cells)
    head = ["id", "topic", "dir", "published", "level", "derived level", "range", "derived strength", "verdict",
            "justification", "every reading"]
    return _table(head, rows) + "\n\n" + summary_text(gradings)


def summary_text(gradings: list[Grading]) -> str:
    """The reproduction in a few sentences of numbers: what is certain under every reading, then the default."""
    if gradings and all(g.profile is not None for g in gradings):
        return certainty_summary_text(gradings)
    s = summary(gradings)
    dev = s["certain_deviations_justified"] + s["certain_deviations_unjustified"]
    return (f"{s['recommendations']} recommendations: under every reading of the appraisal the text leaves unstated "
            f"(EVERY-READING), {s['certain_agree']} certainly agree with their evidence, {dev} certainly deviate "
            f"({s['certain_deviations_justified']} with a recorded justification, "
            f"{s['certain_deviations_unjustified']} without), {s['depends_on_appraisal']} depend on appraisal, "
            f"{s['depends_on_choice']} on a contested choice of the scheme (CONTESTED-CHOICES), "
            f"{s['certain_not_comparable']} not comparable; {s['printed_levels_unreached']} published levels "
            f"(printed, or named in words: LEVEL-IN-WORDS) are reached by no reading of their evidence.\n"
            f"Under the scheme's default reading: {s['agree']} agree with their evidence, "
            f"{s['stronger_than_evidence']} are stronger and {s['weaker_than_evidence']} weaker than it "
            f"({s['deviations_justified']} of these deviations with a recorded justification, "
            f"{s['deviations_unjustified']} without), {s['not_comparable']} not comparable.\n"
            f"Levels: {s['levels_derived_where_none_printed']} derived where the guideline prints none"
            + (f" ({s['levels_in_words']} of them with a level named in words)" if s['levels_in_words'] else "")
            + f"; of {s['printed_levels']} printed levels, {s['printed_levels_reproduced']} are reproduced "
            f"exactly from the evidence rows under the default reading.\n{graded_by(gradings)}")


def certainty_summary_text(gradings: list[Grading]) -> str:
    """The summary of a guideline graded by a certainty model (GRADE): concordance, and printed certainties."""
    graded = [g for g in gradings if g.profile is not None]
    scheme = next((g.graded_by for g in graded if g.graded_by is not None), None)
    model = scheme.certainty if scheme is not None else None
    below = model.discordant_below.replace("_", " ") if model else "low"
    compared = [g for g in graded if g.comparison.verdict != NOT_COMPARABLE]
    depends = [g for g in compared if g.certainty != "certain"]
    discordant = [g for g in compared if g.certainty == "certain" and g.verdicts[0] == STRONGER]
    concordant = len(compared) - len(depends) - len(discordant)
    profiles = [g.profile for g in graded if g.profile is not None]
    printed = Counter(p.published_from for p in profiles if p.published_from)
    outcomes = [o for p in profiles for o in p.outcomes]
    differ = sum(o.differs for o in outcomes)
    shown = sum(bool(o.row.published_certainty) for o in outcomes)
    named = {"recommendation": "printed for the recommendation", "outcomes": "printed for every outcome it follows",
             "some outcomes": "printed for some of its outcomes and derived for the rest"}
    where = "; ".join(f"{n} {named[k]}" for k, n in printed.items()) or "none printed"
    name = scheme.name if scheme else "GRADE"
    return (f"{plural(len(gradings), 'recommendation')} graded by a certainty model ({name}): "
            f"{len(discordant)} discordant under every reading (strong on {below} certainty or lower, naming none of "
            f"the situations that allow it: DISCORDANT), {len(depends)} whose concordance depends on domains the "
            f"source leaves unjudged (DOMAINS-EVERY-READING), {concordant} concordant, "
            f"{len(gradings) - len(compared)} not comparable (no published strength).\n"
            f"Certainty behind the recommendations: {where}; {plural(len(outcomes), 'outcome')}, of which {shown} "
            f"print a certainty and {differ} of those differ from every reading of their domain judgements.\n"
            f"{graded_by(gradings)}")


def verdict_line(g: Grading) -> str:
    """One sentence on what the evidence carries under every reading of the unstated appraisal, for the report and
    the Revise app: 'The evidence carries weak to strong (levels * to ***): stronger than evidence under the
    default reading, agree under others — depends on appraisal of refs 4, 321.'"""
    if g.profile is not None:
        return certainty_line(g)
    r = g.readings
    if r is None:
        return ""
    lo, hi = r.strength_range
    llo, lhi = r.level_range
    carries = (lo if lo == hi else f"{lo} to {hi}") + " (" + (f"level {llo}" if llo == lhi else
                                                              f"levels {llo} to {lhi}") + " from the rows)"
    verdicts = [VERDICTS[v] for v in g.verdicts]
    if g.certainty == "certain":
        return f"The evidence carries {carries}: {verdicts[0]} under every reading of the unstated appraisal."
    if g.certainty == "depends_on_choice":
        return (f"The evidence carries {carries}: {verdicts[0]} under every reading of the unstated appraisal, "
                f"but" + g.contested_text().split(":", 1)[1].rstrip(".") + " — depends on a contested choice.")
    refs = ", ".join(map(str, g.to_appraise))
    return (f"The evidence carries {carries}: {verdicts[0]} under the default reading, {', '.join(verdicts[1:])} "
            f"under others — depends on appraisal of {refs}.")


def certainty_line(g: Grading) -> str:
    """A certainty model's verdict in one sentence: the certainty the strength is checked against, where it comes
    from, and the check, over every reading of the domains the source leaves unjudged."""
    p = g.profile
    assert p is not None
    used = f"{p.used.replace('_', ' ')} certainty ({p.used_from})"
    if g.comparison.verdict == "not_comparable":
        return f"On {used}; {g.comparison.because}"
    word = {AGREE: "concordant", STRONGER: "discordant"}
    head = f"{(g.published_strength or '').capitalize()} on {used}"
    if g.certainty == "certain":
        return f"{head}: {word.get(g.verdicts[0], g.verdicts[0])} ({g.comparison.rule}) under every reading of the " \
               "domain judgements."
    return (f"{head}: {word.get(g.verdicts[0], g.verdicts[0])} under the default reading, "
            f"{', '.join(word.get(v, v) for v in g.verdicts[1:])} under others — depends on the judgement of "
            f"{'; '.join(p.to_appraise)}.")


def gradings_json(gradings: list[Grading], agreements: Mapping[str, Agreement] | None = None,
                  etds: Mapping[str, EtdRecord] | None = None) -> str:
    """The JSON array `grading reproduce --format json` prints; a recommendation with votes gets `agreement`, one
    with an Evidence-to-Decision record `etd`."""
    found, etd = agreements or {}, etds or {}
    return json.dumps([{**g.as_dict(), **({"agreement": found[g.id].as_dict()} if g.id in found else {}),
                        **({"etd": etd[g.id].as_dict()} if g.id in etd else {})} for g in gradings],
                      ensure_ascii=False, indent=2)


def findings_text(findings: list[Finding], scheme: Scheme) -> str:
    """Audit findings grouped by kind, with counts, under the scheme that graded them."""
    from ..analyses.audit import KINDS  # here, not at the top: `grading reproduce` never loads the audit
    out = [f"Audit, graded by scheme {scheme.describe()}."]
    for kind, what in KINDS.items():
        items = [f for f in findings if f.kind == kind]
        out.append(f"{kind} ({len(items)}): {what}")
        if kind == "appraise_first":
            out += [f"  {f.extra.get('rank', '')}. {f.subject}: {f.detail}" for f in items]
        else:
            out += [f"  {f.subject}: {f.detail}" for f in items]
    return "\n".join(map(terminal_safe, out))


def findings_json(findings: list[Finding], scheme: Scheme) -> str:
    """Audit findings as a JSON array, each naming the scheme that graded it."""
    return json.dumps([{**f.as_dict(), "scheme": scheme.describe()} for f in findings], ensure_ascii=False, indent=2)


def scheme_text(scheme: Scheme, root: Path | None = None) -> str:
    """A scheme's table, its level rules in the order they are tried, and every named rule, as a reviewer reads them;
    with `root`, the guideline folder it grades."""
    from ..scheme.load import gradeable as can_grade
    gradeable = can_grade(scheme)
    out = [f"{scheme.title or scheme.name}", f"Scheme {scheme.describe()}"
           + (f", from {scheme.path}" if scheme.path else "")
           + ("" if root is None else f"; it grades the guideline in {root}" if gradeable else
              f"; the guideline in {root} names it")]
    if not gradeable:
        given = scheme.name if scheme.path is None or scheme.path.parent == BUNDLED else scheme.path
        out.append(f"A crosswalk target only: without [[strengths]] and a [ladder] it cannot grade a guideline; "
                   f"`grading crosswalk --scheme {given}` maps a guideline into it (docs/schemes.md).")
    c = scheme.certainty
    if c is not None:
        out.append("Graded by certainty (model = \"certainty\"): each outcome from its design and domain "
                   "judgements, the recommendation's certainty from its critical outcomes, the strength the panel's "
                   "judgement, checked for discordance (docs/schemes.md, \"Two models\").")
        out += ["", "Certainty", f"  starts at   {', '.join(f'{d}: {v}' for d, v in c.start.items())}",
                f"  down        {', '.join(c.domains_down)} ({', '.join(f'{j} -{n}' for j, n in c.down.items())})",
                f"  up          {', '.join(c.domains_up)} ({', '.join(f'{j} +{n}' for j, n in c.up.items())})",
                f"  discordant  {c.strong} on {c.discordant_below} or lower, unless it names one of:"]
        out += [f"    {x.code:28} {x.english}" for x in c.paradigms]
    out += ["", "Levels"]
    out += [f"  {g.code:9} {g.norwegian:12} {g.english:19} {g.definition}" for g in scheme.levels]
    if scheme.strengths:
        out += ["", "Strengths"]
        out += [f"  {g.code:16} {g.norwegian:29} {g.definition}" for g in scheme.strengths]
    out += ["", "Sets of designs the rules count"]
    out += [f"  {name:12} {', '.join(sorted(designs))}" for name, designs in scheme.sets.items()]
    out += ["", "Level rules, tried in order (a clause counts rows of good quality unless it names others)"]
    for r in scheme.level_rules:
        clauses = " or ".join(clause_text(c) for c in r.clauses)
        out.append(f"  {r.level:9} by {r.name:22} when {clauses}")
    out += ["", "Rules (the scheme's own table; choice = an interpretation the table leaves open)"]
    out += [f"  {r.name:30} [{r.source}] {r.says}" for r in scheme.rules.values()]
    out += ["", "Choices (the [choices] of the scheme file)"]
    out += [f"  {name:30} {_value(getattr(scheme.choices, name))}" for name in type(scheme.choices).names()]
    return "\n".join(map(terminal_safe, out))


def _value(v: object) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, tuple):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v) if v != "" else "(none)"


def clause_text(c: Clause) -> str:
    """A level rule's clause in words: '(1+ rct, quality good, findings agree)'."""
    if not c.at_least:
        return "nothing above holds"
    parts = [f"{n}+ {name}" for name, n in c.at_least.items()]
    if c.quality != frozenset({"good"}):
        parts.append("quality " + "/".join(sorted(c.quality)))
    if c.stated:
        parts.append("appraised 'very good' in the text")
    if c.consistent is not None:
        parts.append("findings agree" if c.consistent else "findings contradict")
    return "(" + ", ".join(parts) + ")"


def fragility_text(found: list[Fragility], scheme: Scheme) -> str:
    """Fragility of every recommendation against its published strength, the ones a change would move first."""
    from ..analyses.fragility import STANDING
    measured = found[0].scheme if found else scheme.describe()
    lines = [f"Fragility, measured against the published strength on the level the evidence rows carry (printed "
             f"levels set aside), by scheme {measured}."]
    for standing, what in STANDING.items():
        items = [f for f in found if f.standing == standing]
        lines.append(f"{standing} ({len(items)}): {what}")
        if items and not items[0].changes:
            lines.append("  " + ", ".join(f.recommendation_id for f in items))
        lines += [f"  {f.recommendation_id}: {f.changes[0].describe()} ({len(f.changes)} of {f.tried} single-row "
                  f"changes do it)" for f in items if f.changes]
    return "\n".join(map(terminal_safe, lines))


def fragility_json(found: list[Fragility]) -> str:
    """Fragility as a JSON array."""
    return json.dumps([{"id": f.recommendation_id, "standing": f.standing, "fragile": f.fragile,
                        "within_reach": f.within_reach, "verdict": f.verdict, "tried": f.tried,
                        "summary": f.summary(), "scheme": f.scheme,
                        "changes": [{"kind": c.kind, "row": c.row + 1,
                                     "reference": c.study.reference if c.study else None,
                                     "level": list(c.level), "strength": list(c.strength),
                                     "verdict": list(c.verdict)} for c in f.changes]} for f in found],
                      ensure_ascii=False, indent=2)


def impact_text(study: NewStudy, matched: list[str], moved: list[Impact], scheme: Scheme) -> str:
    """What a new study would change, with the rule, under the scheme that graded it."""
    lines = [f"New study {study.key}: its {study.rows} apply to {len(matched)} "
             f"recommendations ({', '.join(matched) or 'none'}); {len(moved)} would move. "
             f"Graded by scheme {scheme.describe()}."]
    lines += [f"  {i.describe()}" for i in moved]
    return "\n".join(map(terminal_safe, lines))


def impact_json(moved: list[Impact]) -> str:
    """A new study's impact as a JSON array, each naming the scheme that graded it."""
    return json.dumps([_impact_row(i) for i in moved], ensure_ascii=False, indent=2)


def _change(before: str, after: str) -> str:
    """'* -> **', or the value alone when it does not change."""
    return f"{before} -> {after}" if before != after else before


def _impact_row(i: Impact) -> dict:
    """One impact as JSON: the recommendation, before and after, the rule and the scheme."""
    return {"id": i.recommendation_id, "before": {"level": i.before.derived_level,
            "strength": i.before.derived_strength, "verdict": i.before.comparison.verdict},
            "after": {"level": i.after.derived_level, "strength": i.after.derived_strength,
                      "verdict": i.after.comparison.verdict},
            "rule": i.after.rule(), "scheme": i.after.scheme,
            **({"discordant": {"before": i.before.profile.discordant, "after": i.after.profile.discordant}}
               if i.before.profile is not None and i.after.profile is not None else {})}


def cited_as(batch: Batch, key: str) -> str:
    """'Hansen 2024' — a record's first author and year, as a table names it; the whole batch for ''."""
    if not key:
        return "(the whole batch together)"
    bib = batch.bibliography
    name = (bib.people(key).get("author") or bib.people(key).get("editor") or [""])[0].strip()
    if name.startswith("{"):  # an organisation, as written
        first = name.strip("{}")
    else:  # a person's family name: 'Hansen, Kari' or 'Kari Hansen'
        first = name.split(",")[0] if "," in name else name.split(" ")[-1]
    return " ".join(x for x in (first, bib.fields(key).get("year", "")) if x) or key


def batch_impact_text(batch: Batch, moved: list[BatchImpact], scheme: Scheme) -> str:
    """What a batch of new studies would change, one table: each record alone, then the whole batch together."""
    studies = batch.studies()
    alone = {m.impact.recommendation_id for m in moved if m.key}
    together = {m.impact.recommendation_id for m in moved if not m.key}
    head = (f"Batch {batch.path.name}: {plural(len(batch.bibliography.keys), 'record')}, "
            f"{len(studies)} appraised in {plural(len(batch.appraisal), 'row')}; "
            f"{plural(len(alone), 'recommendation')} would move by one record alone, "
            f"{len(together)} more (or otherwise) by the whole batch together. "
            f"Graded by scheme {scheme.describe()}.")
    rows = [[m.key or "(all)", cited_as(batch, m.key), m.impact.recommendation_id,
             _change(m.impact.before.derived_level, m.impact.after.derived_level),
             _change(m.impact.before.derived_strength, m.impact.after.derived_strength),
             _change(m.impact.before.comparison.verdict, m.impact.after.comparison.verdict),
             m.impact.after.level.rule] for m in moved]
    table = _table(["record", "study", "recommendation", "level", "strength", "verdict", "rule"], rows) \
        if rows else "No recommendation would move."
    return "\n".join(terminal_safe(line) for line in [head, "", *table.split("\n")])


def batch_impact_json(batch: Batch, moved: list[BatchImpact]) -> str:
    """A batch's impact as a JSON array: each row the record's key ('' for the whole batch) and the change."""
    return json.dumps([{"key": m.key, "study": cited_as(batch, m.key), **_impact_row(m.impact)} for m in moved],
                      ensure_ascii=False, indent=2)


def etd_text(guideline: Guideline, histories: Mapping[str, EtdHistory], tallies: Mapping[str, Mapping]) -> str:
    """Each recommendation's Evidence-to-Decision framework as a reviewer reads it: each criterion's judgement,
    the conclusion, where it comes from, and the votes on each criterion where the panel voted."""
    from ..revisions.etd import CONCLUSION_WORDS
    etd = guideline.scheme.etd
    if etd is None:
        return (f"Scheme {guideline.scheme.describe()} declares no Evidence-to-Decision framework ([etd]); "
                "docs/schemes.md says how to add one.")
    out = []
    for rid, h in histories.items():
        r = h.current
        if r is None:
            out += [f"{rid}: no EtD recorded.", ""]
            continue
        saved = f"; {plural(len(h.saved), 'saved record')} in its history" if h.saved else ""
        out.append(f"{rid}: EtD {r.label()} ({r.rule}){saved}" + (f", seed lines {r.seed_lines}" if r.seed_lines
                                                                   else ""))
        votes = tallies.get(rid, {})
        for c in etd.criteria:
            j = r.criteria.get(c.key)
            line = f"  {c.name}: {j.judgement if j else 'not judged'}"
            if j and j.evidence:
                line += f" — {textwrap.shorten(j.evidence, 90, placeholder='…')}"
            t = votes.get(c.key)
            if t is not None:
                line += f"  [votes: {t.counted}; {t.outcome}" + (
                    f" {t.decided}" if t.decided else "") + f", {t.rule}]"
            out.append(line)
        said = [f"{CONCLUSION_WORDS[k]}: {v}" for k, v in r.conclusion.items() if v]
        out.append("  Conclusion: " + ("; ".join(said) if said else "none recorded"))
        t = votes.get("conclusion")
        if t is not None:
            out.append(f"  Votes on the strength: {t.counted}; {t.outcome}"
                       + (f" {t.decided}" if t.decided else "") + f" ({t.rule}: {t.because})")
        out.append("")
    out.append(f"Graded by scheme {guideline.scheme.describe()}.")
    return "\n".join(terminal_safe(x) for x in out)


def etd_json(histories: Mapping[str, EtdHistory], tallies: Mapping[str, Mapping]) -> str:
    """Each recommendation's EtD (its `etd` object as `grading reproduce --format json` gives it), its saved history
    and the votes on it."""
    return json.dumps([{"id": rid, "etd": h.current.as_dict() if h.current else None,
                        "history": [r.path.name for r in h.saved if r.path is not None],
                        "votes": {k: t.as_dict() for k, t in tallies.get(rid, {}).items()}}
                       for rid, h in histories.items()], ensure_ascii=False, indent=2)
