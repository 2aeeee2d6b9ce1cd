"""Shared fixtures: the bundled guideline, and a builder for small guideline folders with bad input."""

from __future__ import annotations

import csv
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "docs" / "examples" / "neck-pain"  # the made-up guideline of one's own
SHARED = REPO.parent / "shared"
IN_CI = os.environ.get("CI", "").lower() == "true"

REC_HEADER = ["id", "section", "topic", "topic_en", "phase", "diagnostic_group", "text", "direction",
              "published_strength", "published_strength_text", "published_level", "justification",
              "agree_validity", "agree_applicability", "agree_benefit_harm", "judgement_note", "seed_lines"]
EV_HEADER = ["recommendation_id", "reference", "design", "quality", "quality_text", "finding", "effect_size",
             "outcomes", "documentation", "seed_lines"]


def rec(id="7.1.3-01", strength="weak", level="**", direction="for", justification="", **kw) -> dict:
    """A recommendations.csv row with sensible defaults."""
    row = dict(id=id, section=id.split("-")[0], topic="TOPIC", topic_en="Topic", phase="langvarig",
               diagnostic_group="uspesifikke korsryggsmerter", text="Det anbefales ...", direction=direction,
               published_strength=strength, published_strength_text="", published_level=level,
               justification=justification, agree_validity="unrecorded", agree_applicability="unrecorded",
               agree_benefit_harm="unrecorded", judgement_note="", seed_lines="1-2")
    row.update(kw)
    return row


def record(**kw):
    """A typed Recommendation with the defaults of rec()."""
    from grading import Recommendation
    return Recommendation.from_row(rec(**kw))


def scheme(name: str = "norway-2007"):
    """A bundled scheme object."""
    from grading import load_scheme
    return load_scheme(name)


def ev(rid="7.1.3-01", reference="91", design="rct", quality="good", finding="benefit", **kw) -> dict:
    """An evidence.csv row with sensible defaults."""
    row = dict(recommendation_id=rid, reference=reference, design=design, quality=quality, quality_text="",
               finding=finding, effect_size="unclear", outcomes="unclear", documentation="", seed_lines="3")
    row.update(kw)
    return row


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def bib_text(numbers) -> str:
    return "\n".join(f"@misc{{ref{n:03d},\n  refnumber = {{{n}}},\n  identification = {{unresolved}}\n}}\n"
                     for n in numbers)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Keep the tests' parsed-bibliography cache out of the user's ~/.cache (subprocesses inherit it too)."""
    old = os.environ.get("GRADING_CACHE_DIR")
    os.environ["GRADING_CACHE_DIR"] = str(tmp_path_factory.mktemp("grading-cache"))
    yield
    if old is None:
        os.environ.pop("GRADING_CACHE_DIR", None)
    else:
        os.environ["GRADING_CACHE_DIR"] = old


@pytest.fixture
def make_guideline(tmp_path):
    """Write a small guideline folder; return its root."""
    def make(recs=None, evidence=None, bib=None) -> Path:
        recs = [rec()] if recs is None else recs
        evidence = [ev()] if evidence is None else evidence
        write_csv(tmp_path / "evidence" / "recommendations.csv", REC_HEADER, recs)
        write_csv(tmp_path / "evidence" / "evidence.csv", EV_HEADER, evidence)
        if bib is None:
            bib = bib_text(sorted({int(e["reference"]) for e in evidence if e["reference"]}) or [1])
        (tmp_path / "references.bib").write_text(bib, encoding="utf-8")
        return tmp_path
    return make


def copy_guideline(dest: Path) -> Path:
    """A copy of the bundled guideline (its manifest, references.bib and the evidence tables) to revise freely."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "guideline.toml", dest / "guideline.toml")
    shutil.copy(REPO / "references.bib", dest / "references.bib")
    (dest / "evidence").mkdir(exist_ok=True)
    for table in (REPO / "evidence").glob("*.csv"):
        shutil.copy(table, dest / "evidence" / table.name)
    return dest


def require_shared() -> Path:
    """The shared folder beside the repository; skip outside CI when it is absent, fail under CI."""
    if not SHARED.is_dir():
        if IN_CI:
            pytest.fail(f"{SHARED} is missing under CI")
        pytest.skip(f"{SHARED} is absent on this machine")
    return SHARED


class Page(HTMLParser):
    """The start tags (with their attributes) and the text of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if "id" in a}

    def links(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]


def parse_html(text: str) -> Page:
    """A page parsed to its tags and text."""
    p = Page()
    p.feed(text)
    p.close()
    return p
