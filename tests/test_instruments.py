"""Appraisal instruments as data (AMSTAR 2, RoB 2, ROBINS-I, AGREE II, QUADAS-2) and the scheme's rules for
appraisals (APPRAISAL-MAPS-QUALITY, APPRAISAL-RECONCILED), each file read with located errors."""

from __future__ import annotations

import pytest

from grading import load_scheme
from grading.errors import ValidationError
from grading.scheme.instruments import (
    MAPS_QUALITY,
    RECONCILED,
    all_instruments,
    bundled_instruments,
    load_appraisal_rules,
    load_instrument,
)


def test_the_five_instruments_ship_with_their_domains_and_judgements():
    assert bundled_instruments() == ("agree-ii", "amstar-2", "quadas-2", "rob-2", "robins-i")
    rob2 = load_instrument("rob-2")
    assert [d.key for d in rob2.domains] == ["D1", "D2", "D3", "D4", "D5"]
    assert rob2.overall == ("low", "some_concerns", "high") and rob2.designs == ("rct",)
    robins = load_instrument("robins-i")
    assert len(robins.domains) == 7 and "no_information" in robins.overall
    amstar = load_instrument("amstar-2")
    assert len(amstar.domains) == 16
    assert [d.key for d in amstar.domains if d.critical] == ["Q2", "Q4", "Q7", "Q9", "Q11", "Q13", "Q15"]
    assert amstar.domain("Q2").judgements == ("yes", "partial_yes", "no")
    assert amstar.domain("Q1").judgements == ("yes", "no")
    assert amstar.overall == ("high", "moderate", "low", "critically_low")
    assert load_instrument("quadas-2").overall == ("low", "high", "unclear")
    agree = load_instrument("agree-ii")
    assert len(agree.domains) == 6 and agree.domain("D3").judgements == tuple("1234567")
    assert agree.label("some_other") == "some other" and rob2.label("some_concerns") == "some concerns"


def test_an_unknown_instrument_is_a_located_error():
    with pytest.raises(ValidationError) as e:
        load_instrument("rob-3")
    p = e.value.problems[0]
    assert p.column == "instrument" and p.found == "rob-3" and "rob-2" in p.allowed


def test_a_misspelt_key_in_an_instrument_file_names_its_line(tmp_path):
    text = (load_instrument("rob-2").path.read_text(encoding="utf-8")
            .replace('key = "D3"', 'kee = "D3"'))
    path = tmp_path / "my-tool.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_instrument(path)
    lines = text.splitlines()
    kee = next(i for i, line in enumerate(lines, 1) if line.startswith("kee"))
    found = {(p.line, p.column) for p in e.value.problems}
    assert (kee, "domains.kee") in found


def test_norway_2007_maps_every_overall_judgement_to_a_quality_by_a_named_rule():
    rules = load_appraisal_rules(load_scheme("norway-2007"))
    assert not rules.default and set(rules.rules) == {MAPS_QUALITY, RECONCILED}
    assert "not Table 1's words" in rules.rules[MAPS_QUALITY].says
    for name, inst in all_instruments().items():
        assert set(rules.quality[name]) == set(inst.overall), name
    assert rules.maps("rob-2", "low") == "good" and rules.maps("rob-2", "some_concerns") == "poor"
    assert rules.maps("robins-i", "no_information") == "unclear"
    assert rules.appraisers_needed == 1


def test_a_scheme_without_appraisal_rules_gets_the_default_labelled_as_such():
    rules = load_appraisal_rules(load_scheme("grade"))
    assert rules.default and "default" in rules.describe()


def test_an_appraisal_rules_file_beside_a_scheme_is_read_and_checked(tmp_path):
    scheme_file = tmp_path / "mine.toml"
    scheme_file.write_text(load_scheme("norway-2007").path.read_text(encoding="utf-8"), encoding="utf-8")
    rules_text = load_appraisal_rules(load_scheme()).path.read_text(encoding="utf-8")
    beside = tmp_path / "mine.appraisal.toml"
    beside.write_text(rules_text.replace('some_concerns = "poor"', 'some_concerns = "fine"'), encoding="utf-8")
    with pytest.raises(ValidationError) as e:
        load_appraisal_rules(load_scheme(scheme_file))
    p = e.value.problems[0]
    line = next(i for i, t in enumerate(beside.read_text().splitlines(), 1) if "fine" in t)
    assert (p.line, p.column, p.found) == (line, "quality.rob-2.some_concerns", "fine")
    beside.write_text(rules_text.replace('some_concerns = "poor"', 'some_concerns = "good"'), encoding="utf-8")
    assert load_appraisal_rules(load_scheme(scheme_file)).maps("rob-2", "some_concerns") == "good"
