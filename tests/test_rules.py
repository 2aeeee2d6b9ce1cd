"""One evaluation of a scheme's level rules: the direct derivation (one reading of the rows) and the walk over
every reading (counts of classes of rows) ask the same evaluator, so a rule that reads one more field of a row is
read the same way on both paths. Schemes with rules drawn at random, and an evaluator taught to read one more
field, give the same level, strength and verdict on both."""

import itertools
from dataclasses import replace
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import record, scheme
from grading.grade import Study, derive_level, grade
from grading.grade import rules as level_rules_module
from grading.grade.judge import as_read, judge
from grading.grade.readings import READ_QUALITIES, UNSTATED_DESIGNS, every_reading, quick
from grading.scheme import Clause, LevelRule
from grading.vocab import DESIGNS

NORWAY = scheme()
SETS = tuple(NORWAY.sets)
LEVELS = NORWAY.level_codes

rows = st.builds(Study, design=st.sampled_from([*DESIGNS, "unclear", "unclear", "rct", "systematic_review"]),
                 quality=st.sampled_from(["good", "poor", "unclear", "unclear"]),
                 finding=st.sampled_from(["benefit", "no_effect", "harm", "conflicting", "unclear"]),
                 reference=st.integers(1, 400),
                 quality_text=st.sampled_from(["", "god dokumentasjon", "meget god dokumentasjon"]))
recs = st.builds(lambda d, s, lv, j, agree: record(direction=d, strength=s, level=lv, justification=j,
                                                    agree_benefit_harm=agree),
                 st.sampled_from(["for", "against", "none"]),
                 st.sampled_from(["strong", "moderate", "weak", "no_basis", "not_recommended", "moderate/weak", ""]),
                 st.sampled_from(["", "", "*", "**", "***"]), st.sampled_from(["", "Konsensus i gruppen."]),
                 st.sampled_from(["unrecorded", "yes", "no"]))
clauses = st.builds(Clause,
                    at_least=st.dictionaries(st.sampled_from(SETS), st.integers(1, 3), max_size=2),
                    quality=st.sets(st.sampled_from(["good", "poor", "unclear"]), min_size=1).map(frozenset),
                    stated=st.booleans(), consistent=st.sampled_from([None, True, False]))
level_rules = st.lists(st.builds(LevelRule, st.sampled_from(["L-VERY-GOOD", "L-GOOD", "CONTRADICTION-LOWERS"]),
                                 st.sampled_from(LEVELS), st.lists(clauses, min_size=1, max_size=2).map(tuple)),
                       min_size=1, max_size=4)
readings_of_scheme = st.sampled_from([{}, {"unclear_quality_is_good": True}, {"contradiction_lowers": False},
                                      {"printed_level_first": False}])


def drawn_scheme(rules, choices):
    """NORWAY with these level rules first, then its own last rule (which holds for any evidence)."""
    return replace(NORWAY.but(**choices), level_rules=(*rules, NORWAY.level_rules[-1]))


def readings_of(study: Study) -> list[Study]:
    if study.design == "consensus":
        return [study]
    designs = [study.design, *UNSTATED_DESIGNS.get(study.design, ())]
    qualities = [study.quality] if study.quality != "unclear" else ["unclear", *READ_QUALITIES]
    return [replace(study, design=d, quality=q) for d in designs for q in qualities]


def small(studies) -> bool:
    n = 1
    for s in studies:
        n *= len(readings_of(s))
    return n <= 300


def same_on_both_paths(rec, studies, sch):
    """The walk's default reading, the quick verdict and every reading's levels, against the direct derivation."""
    j = judge(rec, studies, sch)
    g = grade(rec, studies, sch)
    assert (g.derived_level, g.level.rule, g.level.counted) == (j.level.value, j.level.rule, j.level.counted)
    assert (g.levels_used, g.strengths, g.comparisons) == (j.levels_used, j.strengths, j.comparisons)
    q = quick(rec, studies, sch)
    assert (q.level, q.verdict) == (j.level.value, j.comparison.verdict)
    if small(studies):
        read = as_read(rec, studies, sch)
        direct = {derive_level(combo, sch).value for combo in itertools.product(*map(readings_of, read))}
        verdicts = {judge(rec, combo, sch).comparison.verdict for combo in itertools.product(*map(readings_of, read))}
        r = every_reading(rec, studies, sch)
        assert set(r.levels) == direct
        assert set(r.verdicts) == verdicts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(recs, st.lists(rows, min_size=0, max_size=5), level_rules, readings_of_scheme)
def test_rules_drawn_at_random_give_the_same_result_on_the_direct_path_and_over_every_reading(rec, studies, rules,
                                                                                                 choices):
    same_on_both_paths(rec, tuple(studies), drawn_scheme(rules, choices))


def _admits_no_harm(row, name, qi, clause, top):
    """The one clause evaluator, taught to read one more field: a row that found harm is never counted."""
    return _ADMITS(row, name, qi, clause, top) and row.finding != "harm"


_ADMITS = level_rules_module._admits


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(recs, st.lists(rows, min_size=1, max_size=5), readings_of_scheme)
def test_a_rule_that_reads_one_more_field_reads_it_on_both_paths(rec, studies, choices):
    studies = tuple(studies)
    with mock.patch.object(level_rules_module, "_admits", _admits_no_harm):
        sch = NORWAY.but(**choices)  # a fresh object: nothing worked out under the unpatched evaluator
        same_on_both_paths(rec, studies, sch)


def test_the_extra_field_changes_what_both_paths_derive():
    # One good RCT that found harm: level ** as declared; never counted when the evaluator reads the finding.
    rec = record(strength="moderate", level="")
    studies = (Study("rct", "good", "harm", 1),)
    assert derive_level(studies, NORWAY).value == "**"
    with mock.patch.object(level_rules_module, "_admits", _admits_no_harm):
        sch = NORWAY.but()
        assert derive_level(studies, sch).value == "*"
        assert grade(rec, studies, sch).derived_level == "*"
        assert quick(rec, studies, sch).level == "*"
        assert every_reading(rec, studies, sch).levels == ("*",)


def test_a_scheme_with_a_stated_clause_reads_the_text_alike_on_both_paths():
    # A rule that counts only rows the text calls very good, whatever their quality: an unstated row counts.
    stated = LevelRule("L-VERY-GOOD", "***", (Clause({"good_design": 1}, frozenset({"good", "poor", "unclear"}),
                                                      stated=True),))
    sch = drawn_scheme([stated], {})
    rec = record(strength="strong", level="")
    studies = (Study("unclear", "unclear", "benefit", 1, "meget god dokumentasjon"),)
    assert derive_level(studies, sch).value == "*"  # 'unclear' design is in no set
    assert set(every_reading(rec, studies, sch).levels) == {"***", "*"}  # any design of good_design: ***
    same_on_both_paths(rec, studies, sch)
