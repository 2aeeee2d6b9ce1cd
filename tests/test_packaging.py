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
    n_c = s["not_comparable"]
    section = (REPO / "README.md").read_text().split("## What the reproduction shows", 1)[1].split("\n## ", 1)[0]
    section = " ".join(section.split())
    for claim in (f"({s['recommendations']} recommendations, {graded} of them graded)", f"**{s['agree']}** agree",
                  f"**{s['stronger_than_evidence'] + s['weaker_than_evidence']}** deviate",
                  f"{s['stronger_than_evidence']} stronger and {s['weaker_than_evidence']} weaker",
                  f"**{s['deviations_justified']}** carry a justification",
                  f"**{s['deviations_unjustified']}** carry none",
                  f"**{n_c}** {'is' if n_c == 1 else 'are'} not comparable",
                  f"**{s['levels_derived_where_none_printed']}** levels",
                  f"of the {s['printed_levels']} levels the guideline prints, {s['printed_levels_reproduced']} are"):
        assert claim in section, claim


def test_readme_reports_the_lenient_reading_the_code_produces():
    from grading import load_guideline, reproduce
    from grading.grade import summary
    g = load_guideline(REPO)
    s = summary(reproduce(g, g.scheme.but(unclear_quality_is_good=True)))
    text = " ".join((REPO / "README.md").read_text().split())
    assert (f"turns the {summary(reproduce(load_guideline(REPO)))['agree']} agreements into {s['agree']}, with "
            f"{s['stronger_than_evidence']} gradings stronger and {s['weaker_than_evidence']} weaker") in text
