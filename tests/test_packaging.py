"""The project's promises about itself: layout, dependencies in step, README's two commands."""

import re
import tomllib

import yaml

from conftest import REPO

NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")


def names(specs):
    return {NAME.match(s).group(1).lower().replace("_", "-") for s in specs if isinstance(s, str)}


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pip_side = names(project["dependencies"]) | names(project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_side = names(d for d in env["dependencies"] if isinstance(d, str)) - {"python", "pip"}
    assert pip_side == conda_side


def test_promised_top_level_layout_exists():
    for path in ("notebooks", "evidence", "references.bib", "src/grading", "tests", "environment.yml",
                 "pyproject.toml", "README.md", ".ci/run"):
        assert (REPO / path).exists(), path


def test_readme_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    commands = [line for line in blocks[0].splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[1].strip() in (REPO / ".ci/run").read_text()


def test_readme_reports_the_reproduction_the_code_produces():
    from grading import load_guideline, reproduce
    from grading.grade import summary
    gradings = reproduce(load_guideline(REPO))
    s = summary(gradings)
    graded = sum(g.published_strength is not None for g in gradings)
    printed = sum(len(g.published_levels) for g in gradings)
    certain = s["certain_deviations_justified"] + s["certain_deviations_unjustified"]
    default = s["stronger_than_evidence"] + s["weaker_than_evidence"]
    section = (REPO / "README.md").read_text().split("## What the reproduction shows", 1)[1].split("\n## ", 1)[0]
    section = " ".join(section.split())
    for claim in (f"({s['recommendations']} recommendations, {graded} of them graded)",
                  f"**{s['certain_agree']}** agree with the strength their evidence carries under every reading",
                  f"**{certain}** deviate from it under every reading, of which "
                  f"**{s['certain_deviations_justified']}** carry a justification recorded in the guideline and "
                  f"**{s['certain_deviations_unjustified']}** carry none",
                  f"**{s['depends_on_appraisal']}** depend on appraisal nobody wrote down",
                  f"**{s['certain_not_comparable']}** are not comparable",
                  f"**{s['printed_levels_unreached']}** of the {printed} levels the guideline prints "
                  f"(on {s['printed_levels']} recommendations) lie beyond every reading of their cited evidence",
                  f"**{s['levels_derived_where_none_printed']}** levels are derived",
                  f"**{s['agree']}** agree and **{default}** deviate ({s['stronger_than_evidence']} stronger and "
                  f"{s['weaker_than_evidence']} weaker than their evidence; **{s['deviations_justified']}** with a "
                  f"justification, **{s['deviations_unjustified']}** without)",
                  f"of the {s['printed_levels']} printed levels {s['printed_levels_reproduced']} are reproduced"):
        assert claim in section, claim


def test_readme_reports_the_lenient_reading_the_code_produces():
    from grading import load_guideline, reproduce
    from grading.grade import summary
    g = load_guideline(REPO)
    strict = summary(reproduce(g))
    s = summary(reproduce(g, g.scheme.but(unclear_quality_is_good=True)))
    text = " ".join((REPO / "README.md").read_text().split())
    assert (f"turns the {strict['agree']} agreements under the default reading into {s['agree']}, with "
            f"{s['stronger_than_evidence']} gradings stronger and {s['weaker_than_evidence']} weaker") in text
    # What holds under every reading does not depend on how one reads unstated quality.
    assert all(strict[k] == s[k] for k in ("certain_agree", "certain_deviations_justified",
                                          "certain_deviations_unjustified", "depends_on_appraisal"))
    assert (f"what holds under every reading ({strict['certain_agree']} agreements, "
            f"{strict['certain_deviations_justified'] + strict['certain_deviations_unjustified']} deviations, "
            f"{strict['depends_on_appraisal']} depending on appraisal) does not change") in text

