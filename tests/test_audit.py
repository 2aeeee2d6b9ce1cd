"""The audit split honestly, and the appraisal worklist, on the guideline's own cases."""

import json

import pytest

from conftest import REPO, ev, rec
from grading import load_guideline, reproduce
from grading.analyses.audit import KINDS, audit
from grading.analyses.worklist import worklist
from grading.cli import main


@pytest.fixture(scope="module")
def bundled():
    g = load_guideline(REPO)
    gs = reproduce(g)
    return g, gs, audit(g, gs)


def by_kind(findings, kind):
    return {f.subject: f for f in findings if f.kind == kind}


def test_certain_deviations_are_split_from_those_that_depend_on_appraisal(bundled):
    _, gs, found = bundled
    unjustified, justified = by_kind(found, "unjustified_deviation"), by_kind(found, "justified_deviation")
    depends = by_kind(found, "depends_on_appraisal")
    # Spinal mobility is a deviation under every reading; manipulation in acute pain is not: it depends on appraisal.
    assert "6.2-02" in unjustified and "7.1.1-10" not in unjustified and "7.1.1-10" in depends
    assert "7.2.1-04" in justified  # strong against manipulation at progressive deficit, reason stated (seed 2820)
    assert "appraise 4, 321, 129, 154" in depends["7.1.1-10"].detail
    assert depends["7.1.1-10"].extra["to_appraise"] == [4, 321, 129, 154]
    assert set(unjustified) == {g.id for g in gs if g.certain_deviation and not g.comparison.justified}
    assert set(depends) == {g.id for g in gs if g.certainty == "depends_on_appraisal"}


def test_the_audit_lists_its_sections_in_order_verdicts_then_worklist_then_references(bundled):
    _, _, found = bundled
    kinds = list(dict.fromkeys(f.kind for f in found))
    assert kinds == [k for k in KINDS if k in kinds]
    assert kinds.index("depends_on_appraisal") < kinds.index("appraise_first") < kinds.index("unresolved_reference")


def test_the_worklist_ranks_references_by_the_verdicts_their_appraisal_decides(bundled):
    _, gs, _ = bundled
    entries = worklist(gs)
    counts = [len(e.decides) for e in entries]
    assert counts == sorted(counts, reverse=True)
    top = {e.reference: e for e in entries}
    # The European guidelines (4) and the COST B13 guideline (321) stand behind the most undecided verdicts.
    assert {entries[0].reference, entries[1].reference} == {4, 321}
    assert "7.1.1-10" in top[4].decides and "7.1.1-10" in top[129].decides
    # Traction (7.1.1-16): the later review (42) decides it alone, whatever its appraisal finds.
    assert top[42].decides == ("7.1.1-16",) and top[42].settles == ("7.1.1-16",)
    # Every reference a verdict names to appraise is on the list, with that recommendation.
    for g in gs:
        for ref in g.to_appraise:
            key = ref if isinstance(ref, int) else f"{g.id} {ref}"
            assert g.id in top[key].decides


def test_the_worklist_is_in_the_audit_text_and_json(capsys):
    assert main(["audit", "--root", str(REPO)]) == 0
    out = capsys.readouterr().out
    assert "appraise_first (" in out and "  1. ref " in out and "depends_on_appraisal (" in out
    assert main(["audit", "--root", str(REPO), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    first = next(f for f in found if f["kind"] == "appraise_first")
    assert first["rank"] == 1 and first["decides"] and first["scheme"] == "norway-2007 (named by guideline.toml)"
    plain = next(f for f in found if f["kind"] == "uncited_reference")
    assert set(plain) == {"kind", "subject", "detail", "scheme"}


def test_a_guideline_with_everything_stated_has_no_worklist(make_guideline):
    g = load_guideline(make_guideline(recs=[rec(strength="strong", level="")],
                                      evidence=[ev(quality="good"), ev(reference="92", quality="poor")]))
    found = audit(g)
    assert by_kind(found, "appraise_first") == {} and by_kind(found, "depends_on_appraisal") == {}
    assert set(by_kind(found, "unjustified_deviation")) == {"7.1.3-01"}
