"""The design `study` and the findings `no_difference` and `insufficient` (issue 21): each row that carries one
stands on seed lines holding the words that state it. evidence/notes/designs-and-findings.md lists the rows and the
readings."""

import csv
import re

import pytest

from conftest import REPO, require_shared
from grading import load_guideline
from test_faithfulness import SEED, normalise, seed_phrase_text

# "studie", "studier", "en studie", "én senere studie" (the seed prints é as Ø): the text calls the source a study.
STUDY_WINDOW = 300  # characters of running text before the citation that the word may stand in
COMPARISON = ("forskjell", "samme resultat", "ikke bedre", "bedre enn", "likeverdig", "tilsvarende", "lik effekt",
              "sammenlignbar")
INSUFFICIENCY = ("ikke kan trekke konklusjoner", "grunnlaget for å konkludere er mangelfullt", "utilstrekkelig",
                 "ikke tilstrekkelig", "manglende dokumentasjon", "usikker nøyaktighet",
                 "usikker diagnostisk betydning")


@pytest.fixture(scope="module")
def seed_lines():
    return (require_shared() / SEED).read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def evidence():
    with open(REPO / "evidence" / "evidence.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def guideline():
    return load_guideline(REPO)


def raw_text(lines: list[str], spec: str) -> str:
    out = []
    for part in spec.split(";"):
        a, _, b = part.partition("-")
        out += lines[int(a) - 1:int(b or a)]
    return "\n".join(out)


def cited(group: str) -> set[str]:
    """The reference numbers of one citation, '(104-106;162)' -> {'104', '105', '106', '162'}; a number broken over a
    line ('2\\n50') is joined again."""
    out: set[str] = set()
    for part in re.sub(r"\s+", "", group).split(";"):
        a, _, b = part.partition("-")
        if a.isdigit() and (not b or b.isdigit()):
            out |= {str(n) for n in range(int(a), int(b or a) + 1)}
    return out


def phrase_in(seed: tuple[str, str], phrase: str) -> bool:
    p = " ".join(normalise(phrase).split())
    return any(f" {p} " in f" {' '.join(s.split())} " for s in seed)


def test_every_study_row_is_called_a_study_near_its_citation(seed_lines, evidence):
    study = [r for r in evidence if r["design"] == "study"]
    assert study
    far = []
    for r in study:
        text = raw_text(seed_lines, r["seed_lines"])
        near = False
        for m in re.finditer(r"\(([\d;\-\s]+)\)", text):
            if r["reference"] in cited(m.group(1)):
                before = text[max(0, m.start() - STUDY_WINDOW):m.start()].lower()
                near = near or "studie" in before
        if not near:
            far.append((r["recommendation_id"], r["reference"]))
    assert far == []


def test_every_no_difference_row_states_a_comparison(seed_lines, evidence):
    rows = [r for r in evidence if r["finding"] == "no_difference"]
    assert rows
    far = [(r["recommendation_id"], r["reference"]) for r in rows
           if not any(phrase_in(seed_phrase_text(seed_lines, r["seed_lines"]), w) for w in COMPARISON)]
    assert far == []


def test_every_insufficient_row_states_that_the_evidence_is_too_little(seed_lines, evidence):
    rows = [r for r in evidence if r["finding"] == "insufficient"]
    assert rows
    far = [(r["recommendation_id"], r["reference"]) for r in rows
           if not any(phrase_in(seed_phrase_text(seed_lines, r["seed_lines"]), w) for w in INSUFFICIENCY)]
    assert far == []


def row(guideline, rec_id, ref):
    (found,) = [r for r in guideline.rows(rec_id) if r.reference == str(ref)]
    return found


def test_named_cases(guideline):
    # 7.2.1-01: "ingen signifikant forskjell … mellom pasienter som holder sengen og pasienter som er i lett
    # aktivitet (119;143)" (2827-2832): no difference from another active measure, not no effect.
    for ref in (119, 143):
        assert row(guideline, "7.2.1-01", ref).finding == "no_difference"
    # 7.1.3-02: "gir samme resultat som kirurgi i form av avstivning" (2726-2731).
    assert row(guideline, "7.1.3-02", 219).finding == "no_difference"
    # 7.1.1-25: "grunnlaget for å konkludere er mangelfullt (180)" (2442-2444); 7.1.1-21: "man ikke kan trekke
    # konklusjoner vedrørende massasje … (4)" (2415-2417).
    assert row(guideline, "7.1.1-25", 180).finding == "insufficient"
    assert row(guideline, "7.1.1-21", 4).finding == "insufficient"
    # 7.1.1-25 ref 4 stays no_effect: "ikke har bedre effekt enn placebo/sham" (2440-2442) names placebo.
    assert row(guideline, "7.1.1-25", 4).finding == "no_effect"
    # 7.1.1-23 and 7.1.1-24: "Én senere studie av god kvalitet … (237)" (2428-2430), "… (13)" (2435-2437).
    assert row(guideline, "7.1.1-23", 237).design == "study"
    assert row(guideline, "7.1.1-24", 13).design == "study"
    # The palpation rows of 6.2-03: "usikker nøyaktighet … usikker diagnostisk betydning (4;285;321)" (1628-1632);
    # the designs stay (4 and 321 the European guidelines, 285 a systematic review).
    assert [(r.design, r.finding) for r in (row(guideline, "6.2-03", ref) for ref in (4, 285, 321))] == \
        [("guideline", "insufficient"), ("systematic_review", "insufficient"), ("guideline", "insufficient")]
