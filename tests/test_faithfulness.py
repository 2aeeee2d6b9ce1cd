"""Faithful data: every extracted row's words come from the seed lines it names (read in place from ../shared/)."""

import csv
import re

import pytest

from conftest import REPO, require_shared

SEED = "seed/000_ba3045fe6a0d0dbf.txt"


def normalise(text: str) -> str:
    """Lower case, letters only, and the ligatures the extraction lost (fi, fl) dropped on both sides.

    The seed's damaged characters (ø as ł, é as Ø, å as ¯, fi/fl as �) then compare equal to their repairs.
    """
    text = text.lower().replace("fi", "").replace("fl", "")
    return re.sub(r"[^a-z ]+", "", re.sub(r"[\s\-/]+", " ", text))


def seed_text(lines: list[str], spec: str) -> str:
    out = []
    for part in spec.split(";"):
        a, _, b = part.partition("-")
        out += lines[int(a) - 1:int(b or a)]
    return normalise(" ".join(out))


@pytest.fixture(scope="module")
def seed_lines():
    return (require_shared() / SEED).read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("table,column", [("recommendations.csv", "text"), ("evidence.csv", "documentation"),
                                          ("recommendations.csv", "justification"), ("glossary.csv", "definition"),
                                          ("flags.csv", "flag")])
def test_extracted_words_come_from_the_seed_lines_they_name(seed_lines, table, column):
    far = []
    with open(REPO / "evidence" / table, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            words = [w for w in normalise(row[column]).split() if len(w) >= 3]
            if not words:
                continue
            source = seed_text(seed_lines, row["seed_lines"])
            glued = source.replace(" ", "")  # words split over a line break ("opprett- holde")
            missing = [w for w in words if w not in source.split() and w not in glued]
            if len(missing) > 0.1 * len(words):
                far.append((row.get("id") or row.get("recommendation_id") or row.get("term"), missing[:6]))
    assert far == []


def test_seed_lines_lie_within_the_seed(seed_lines):
    for table in ("recommendations.csv", "evidence.csv", "glossary.csv", "flags.csv"):
        with open(REPO / "evidence" / table, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for part in row["seed_lines"].split(";"):
                    a, _, b = part.partition("-")
                    assert 1 <= int(a) <= int(b or a) <= len(seed_lines), (table, row["seed_lines"])


def seed_phrase_text(lines: list[str], spec: str) -> tuple[str, str]:
    """The named seed lines normalised as running text, and the same with words split at a line break rejoined."""
    raw = []
    for part in spec.split(";"):
        a, _, b = part.partition("-")
        raw += lines[int(a) - 1:int(b or a)]
    text = "\n".join(raw)
    return normalise(text), normalise(re.sub(r"-[ \t]*\n[ \t]*", "", text))


def test_quality_text_is_the_seeds_words_word_for_word(seed_lines):
    # quality_text quotes the phrase the quality rests on: the seed's words in the seed's order, nothing added
    # or left out between them (only the damaged characters repaired), on the seed lines the row names.
    far = []
    with open(REPO / "evidence" / "evidence.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            phrase = " ".join(normalise(row["quality_text"]).split())
            if not phrase:
                continue
            if not any(f" {phrase} " in f" {' '.join(s.split())} " for s in seed_phrase_text(seed_lines,
                                                                                           row["seed_lines"])):
                far.append((row["recommendation_id"], row["reference"], row["quality_text"]))
    assert far == []


def test_published_level_words_are_the_seeds_words_word_for_word(seed_lines):
    # published_level_words quotes what the text says of a recommendation's documentation as a whole ("god
    # dokumentasjon", "motstridende dokumentasjon"): the seed's words in the seed's order, on the row's seed lines.
    far = []
    with open(REPO / "evidence" / "recommendations.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            phrase = " ".join(normalise(row["published_level_words"]).split())
            if not phrase:
                continue
            if not any(f" {phrase} " in f" {' '.join(s.split())} " for s in seed_phrase_text(seed_lines,
                                                                                           row["seed_lines"])):
                far.append((row["id"], row["published_level_words"]))
    assert far == []


def test_a_level_in_words_names_the_level_its_words_name():
    # published_level_words_level is the Table 1 level the words name (evidence/notes/stated-appraisal.md): never
    # without words, the same for the same words, and never copied into published_level (what the table prints).
    by_words: dict[str, set[str]] = {}
    with open(REPO / "evidence" / "recommendations.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            words, level = row["published_level_words"], row["published_level_words_level"]
            assert level in ("***", "**", "*", ""), row["id"]
            assert words or not level, row["id"]
            if words:
                by_words.setdefault(words.lower(), set()).add(level)
            if row["section"] in ("7.1.1", "7.1.2"):
                assert row["published_level"] == "" and row["published_levels"] == "", row["id"]
    assert {w: levels for w, levels in by_words.items() if len(levels) > 1} == {}


STARS = re.compile(r"(?<!\*)\*{1,3}(?!\*)")


def printed_stars(lines: list[str], spec: str) -> list[str]:
    """The level marks (`***`, `**`, `*`) standing on the named seed lines, in line order."""
    out = []
    for part in spec.split(";"):
        a, _, b = part.partition("-")
        for line in lines[int(a) - 1:int(b or a)]:
            out += STARS.findall(line)
    return out


def test_a_printed_level_stands_on_the_rows_seed_lines(seed_lines):
    missing = []
    with open(REPO / "evidence" / "recommendations.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            stars = printed_stars(seed_lines, row["seed_lines"])
            if row["published_level"] and row["published_level"] not in stars:
                missing.append((row["id"], row["published_level"]))
            # published_levels: every level the row prints, one per documentation point, in the source's order
            it = iter(stars)
            if not all(level in it for level in filter(None, row.get("published_levels", "").split(";"))):
                missing.append((row["id"], row["published_levels"]))
    assert missing == []


def test_published_level_is_the_highest_of_the_printed_levels():
    # published_level keeps the highest level the row prints (published_levels holds them all, evidence/README.md);
    # a row printing one level has it in both columns, a row printing none has neither.
    rank = {"*": 1, "**": 2, "***": 3}
    with open(REPO / "evidence" / "recommendations.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            levels = [v for v in row["published_levels"].split(";") if v]
            assert all(v in rank for v in levels), row["id"]
            assert row["published_level"] == (max(levels, key=rank.get) if levels else ""), row["id"]
