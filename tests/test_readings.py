"""Every reading of unstated appraisal: the fast range against trying every reading, and the guideline's cases."""

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from conftest import REPO, record, scheme
from grading import load_guideline
from grading.grade import Study, grade
from grading.grade.judge import as_read, judge
from grading.grade.readings import READ_QUALITIES, UNSTATED_DESIGNS, every_reading
from grading.vocab import DESIGNS

NORWAY = scheme()


def readings_of(study: Study) -> list[Study]:
    """Every way a row can be read: an unstated design or quality as any stated one, or as unstated."""
    if study.design == "consensus":
        return [study]
    designs = [study.design, *UNSTATED_DESIGNS.get(study.design, ())]
    qualities = [study.quality] if study.quality != "unclear" else ["unclear", *READ_QUALITIES]
    return [replace(study, design=d, quality=q) for d in designs for q in qualities]


def brute_force(rec, studies, sch):
    """Verdict and level of every reading, tried one by one: {reading: (verdict, level, strengths)}."""
    studies = as_read(rec, studies, sch)
    out = {}
    for combo in itertools.product(*(readings_of(s) for s in studies)):
        j = judge(rec, combo, sch)
        out[combo] = (j.comparison.verdict, j.level.value)
    return out


def pivotal_rows(rec, studies, sch, outcomes):
    """Rows whose reading changes the verdict beside some reading of the others."""
    studies = as_read(rec, studies, sch)
    rows = set()
    for i, s in enumerate(studies):
        others = [readings_of(t) if j != i else [None] for j, t in enumerate(studies)]
        for combo in itertools.product(*others):
            verdicts = {outcomes[combo[:i] + (r,) + combo[i + 1:]][0] for r in readings_of(s)}
            if len(verdicts) > 1:
                rows.add(i)
                break
    return rows


# Unstated quality and design are drawn often: they are what the readings vary.
rows = st.builds(Study, design=st.sampled_from([*DESIGNS, "unclear", "unclear", "rct", "systematic_review"]),
                 quality=st.sampled_from(["good", "poor", "unclear", "unclear", "unclear"]),
                 finding=st.sampled_from(["benefit", "no_effect", "harm", "conflicting", "unclear"]),
                 reference=st.integers(1, 400),
                 quality_text=st.sampled_from(["", "god dokumentasjon", "meget god dokumentasjon"]))
recs = st.builds(lambda d, s, lv, j, agree: record(direction=d, strength=s, level=lv, justification=j,
                                                    agree_benefit_harm=agree),
                 st.sampled_from(["for", "against", "none"]),
                 st.sampled_from(["strong", "moderate", "weak", "no_basis", "not_recommended", "strong/moderate",
                                  "moderate/weak", ""]),
                 st.sampled_from(["", "", "*", "**", "***"]), st.sampled_from(["", "Konsensus i gruppen."]),
                 st.sampled_from(["unrecorded", "yes", "no"]))
schemes = st.sampled_from([NORWAY, NORWAY.but(unclear_quality_is_good=True), NORWAY.but(contradiction_lowers=False),
                           NORWAY.but(printed_level_first=False), NORWAY.but(unclear_finding_supports=False)])


def small(studies) -> bool:
    n = 1
    for s in studies:
        n *= len(readings_of(s))
    return n <= 600


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(recs, st.lists(rows, min_size=1, max_size=5), schemes)
def test_the_fast_range_is_what_trying_every_reading_finds(rec, studies, sch):
    studies = tuple(studies)
    assume(small(studies))
    outcomes = brute_force(rec, studies, sch)
    r = every_reading(rec, studies, sch)
    event(f"{len(r.free)} free rows, {len(r.verdicts)} verdicts")
    assert set(r.verdicts) == {v for v, _ in outcomes.values()}
    assert set(r.levels) == {lv for _, lv in outcomes.values()}
    assert set(r.to_appraise) == pivotal_rows(rec, studies, sch, outcomes)
    assert set(r.printed_unreached) == {lv for lv in rec.published_levels if lv not in set(r.levels)}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(recs, st.lists(rows, min_size=0, max_size=5), schemes)
def test_every_outcome_names_a_reading_that_reaches_it(rec, studies, sch):
    studies = tuple(studies)
    assume(small(studies))
    g = grade(rec, studies, sch)
    r = g.readings
    # The default reading's verdict comes first, and the range holds the default reading's level and strength.
    assert r.outcomes[0].verdict == g.comparison.verdict and r.outcomes[0].changes == ()
    assert g.derived_level in r.levels
    assert all(any(d.value == s or s.startswith(d.value + " (") for s in r.strengths) for d in g.judged.strengths)
    for o in r.outcomes:  # applying an outcome's changes to the rows gives that outcome
        read = list(as_read(rec, studies, sch))
        for row, what, value in o.changes:
            read[row] = replace(read[row], **{what: value})
        assert judge(rec, tuple(read), sch).comparison.verdict == o.verdict


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(recs, st.lists(rows, min_size=1, max_size=4), schemes, st.data())
def test_appraising_a_row_to_appraise_can_change_the_verdict_and_no_other_can(rec, studies, sch, data):
    studies = tuple(studies)
    assume(small(studies))
    r = every_reading(rec, studies, sch)
    read = as_read(rec, studies, sch)
    for i, s in enumerate(read):
        # Appraise row i (every stated value it can take) under every reading of the other rows.
        verdicts_of = []
        for combo in itertools.product(*(readings_of(t) if j != i else [None] for j, t in enumerate(read))):
            verdicts_of.append({judge(rec, combo[:i] + (v,) + combo[i + 1:], sch).comparison.verdict
                                for v in readings_of(s)})
        assert (i in r.to_appraise) == any(len(v) > 1 for v in verdicts_of)
        if i in r.settles:  # appraising it alone settles the verdict, whatever it finds
            for v in readings_of(s):
                fixed = {judge(rec, combo[:i] + (v,) + combo[i + 1:], sch).comparison.verdict
                         for combo in itertools.product(*(readings_of(t) if j != i else [None]
                                                          for j, t in enumerate(read)))}
                assert len(fixed) == 1


def test_thirty_unstated_rows_take_no_time_at_all():
    # 30 rows of unstated design and quality: 21^30 readings, far too many to try; the walk over counts is quick.
    studies = tuple(Study("unclear", "unclear", f, n) for n, f in zip(range(1, 31), ["benefit", "no_effect"] * 15))
    r = every_reading(record(strength="strong", level=""), studies, NORWAY)
    assert set(r.levels) == {"***", "**", "*"} and r.certainty == "depends_on_appraisal"
    assert len(r.to_appraise) == 30


def test_bundled_recommendations_match_trying_every_reading_where_that_is_feasible():
    g = load_guideline(REPO)
    tried = 0
    for rec in g.records:
        studies = g.studies(rec.id)
        if not small(studies):
            continue
        outcomes = brute_force(rec, studies, g.scheme)
        r = every_reading(rec, studies, g.scheme)
        assert set(r.verdicts) == {v for v, _ in outcomes.values()}, rec.id
        assert set(r.levels) == {lv for _, lv in outcomes.values()}, rec.id
        tried += 1
    assert tried >= 40


@settings(max_examples=200, deadline=None)
@given(recs, st.lists(rows, min_size=0, max_size=6), schemes)
def test_the_quick_verdict_is_the_explained_one(rec, studies, sch):
    from grading.grade.readings import quick
    studies = tuple(studies)
    j, q = judge(rec, studies, sch), quick(rec, studies, sch)
    assert (q.level, q.verdict) == (j.level.value, j.comparison.verdict)
    assert q.strength.split(" (")[0] == j.strength.value


@settings(max_examples=200, deadline=None)
@given(recs, st.lists(rows, min_size=0, max_size=6), schemes)
def test_grading_over_every_reading_gives_the_default_reading_as_judge_does(rec, studies, sch):
    studies = tuple(studies)
    g, j = grade(rec, studies, sch), judge(rec, studies, sch)
    assert g.derived_level == j.level.value == g.level.value and g.level.rule == j.level.rule
    assert (g.levels_used, g.strengths, g.comparisons) == (j.levels_used, j.strengths, j.comparisons)
    assert (g.level_used, g.strength, g.comparison, g.level_source) == (j.level_used, j.strength, j.comparison,
                                                                       j.level_source)
    assert grade(rec, studies, sch, every=False).comparison == g.comparison


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recs, st.lists(rows, min_size=1, max_size=8), schemes, st.data())
def test_each_single_row_change_counted_from_the_classes_is_what_quick_gives_on_the_changed_rows(rec, studies, sch,
                                                                                                  data):
    from grading.analyses.fragility import row_changes
    from grading.grade.readings import quick, quick_each
    studies = tuple(studies)
    changes = list(row_changes(studies)) + [(None, i, data.draw(rows)) for i in range(len(studies))]
    fast = list(quick_each(rec, studies, [(i, new) for _, i, new in changes], sch))
    for (_, i, new), got in zip(changes, fast):
        changed = studies[:i] + ((new,) if new is not None else ()) + studies[i + 1:]
        assert got == quick(rec, changed, sch)
