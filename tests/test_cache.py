"""The on-disk cache: a hit gives what a parse gives, and a changed, corrupt or unwritable cache never misleads."""

import json

import pytest

from conftest import REPO, ev, rec
from grading import load_guideline, reproduce
from grading.io import cache
from grading.io.bib import load_bibliography
from grading.io.cache import LazyEntries, cache_dir, cache_path, load_bibliography_cached
from grading.io.manifest import citation_style_file
from grading.render import references as formatted
from grading.render.references import cache_kind, format_references_cached
from grading.render.references import format_entries as format_references

BIB = """@article{a,
  refnumber = {1},
  identification = {verified},
  author = {Lærum, Even and Brox, Jens Ivar and van der Storheim, Jr, Kjersti},
  title = {Korsryggsmerter: med og uten {nerverotaffeksjon}},
  journal = {Tidsskrift for Den norske legeforening},
  year = {2007},
  doi = {10.1000/xyz}
}

@Book{b,
  refnumber = {2},
  identification = {likely},
  editor = {Koes, B.},
  title = {Back pain},
  publisher = {Springer},
  year = {2001}
}

@report{c,
  refnumber = {3},
  identification = {maybe},
  author = {{Statens beredning}},
  title = {Ont i ryggen},
  institution = {SBU},
  date = {2000-05}
}

@misc{d,
  refnumber = {x4},
  identification = {unresolved},
  seed_context = {studies cited in 7.1}
}
"""


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """A cache in a fresh folder that takes files of any size; returns the folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRADING_CACHE_DIR", str(folder))
    monkeypatch.setattr(cache, "MIN_CACHED_BYTES", 0)
    monkeypatch.setattr(formatted, "_FORMATTED", {})
    return folder


def write_bib(tmp_path, text=BIB):
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return path


def same(a, b):
    """Two loads agree on everything a caller can see."""
    (bib_a, problems_a), (bib_b, problems_b) = a, b
    assert problems_a == problems_b
    assert (bib_a.by_number, bib_a.lines, bib_a.sha256, bib_a.path) == (bib_b.by_number, bib_b.lines, bib_b.sha256,
                                                                      bib_b.path)
    assert list(bib_a.data.entries) == list(bib_b.data.entries)
    assert bib_a.data == bib_b.data
    for key, entry in bib_a.data.entries.items():
        other = bib_b.data.entries[key.upper()]
        assert (entry.key, entry.type, entry.original_type) == (other.key, other.type, other.original_type)
        assert list(entry.fields.items()) == list(other.fields.items())
        assert {r: [str(p) for p in ps] for r, ps in entry.persons.items()} == \
            {r: [str(p) for p in ps] for r, ps in other.persons.items()}
    assert format_references(bib_a) == format_references(bib_b)


def test_a_warm_hit_returns_what_a_parse_returns(tmp_path, cached):
    path = write_bib(tmp_path)
    plain = load_bibliography(path, "refs.bib")
    assert [p.column for p in plain[1]] == ["identification", "refnumber"]  # problems are cached too
    cold = load_bibliography_cached(path, "refs.bib")
    assert cache_path("bib", plain[0].sha256).is_file()
    warm = load_bibliography_cached(path, "refs.bib")
    assert isinstance(warm[0].data.entries, LazyEntries)
    same(plain, cold)
    same(plain, warm)


def test_the_file_name_and_known_types_are_applied_after_the_cache(tmp_path, cached):
    path = write_bib(tmp_path)
    load_bibliography_cached(path)
    _, problems = load_bibliography_cached(path, "other.bib", known_types={"article"})
    assert {p.file for p in problems} == {"other.bib"}
    assert [p.found for p in problems if p.column == "type"] == ["@book", "@report", "@misc"]


def test_a_changed_file_misses(tmp_path, cached):
    path = write_bib(tmp_path)
    first, _ = load_bibliography_cached(path)
    path.write_text(BIB.replace("Back pain", "Neck pain"), encoding="utf-8")
    second, _ = load_bibliography_cached(path)
    assert second.sha256 != first.sha256
    assert second.data.entries["b"].fields["title"] == "Neck pain"
    assert len(list(cached.glob("bib-*.jsonl"))) == 2


@pytest.mark.parametrize("spoil", [
    lambda raw: raw[: len(raw) // 2],  # a torn write
    lambda raw: b"\x00\xff" + raw,  # not JSON
    lambda raw: raw.replace(b"Back pain", b"Neck pain"),  # valid JSON, changed body
    lambda raw: raw.replace(b'"format": 1', b'"format": 0'),  # another format
    lambda raw: b"",  # empty
])
def test_a_corrupt_cache_file_is_rebuilt_not_trusted(tmp_path, cached, spoil):
    path = write_bib(tmp_path)
    plain = load_bibliography(path)
    load_bibliography_cached(path)
    file = cache_path("bib", plain[0].sha256)
    file.write_bytes(spoil(file.read_bytes()))
    rebuilt = load_bibliography_cached(path)
    same(plain, rebuilt)
    assert not isinstance(rebuilt[0].data.entries, LazyEntries)  # parsed again
    assert isinstance(load_bibliography_cached(path)[0].data.entries, LazyEntries)  # and the file rewritten


def test_a_well_formed_cache_of_the_wrong_shape_is_rebuilt(tmp_path, cached):
    path = write_bib(tmp_path)
    plain = load_bibliography(path)
    cache.write_lines("bib", plain[0].sha256, [json.dumps({"starts": 1})])  # right checksum, wrong content
    same(plain, load_bibliography_cached(path))


@pytest.mark.parametrize("where", ["GRADING_CACHE_DIR", "HOME"])
def test_an_unwritable_cache_still_loads(tmp_path, monkeypatch, where):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(cache, "MIN_CACHED_BYTES", 0)
    monkeypatch.delenv("GRADING_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv(where, str(blocker / "cache"))
    path = write_bib(tmp_path)
    for _ in range(2):
        same(load_bibliography(path), load_bibliography_cached(path))
    assert not list(tmp_path.glob("**/*.jsonl")) and not list(tmp_path.glob("**/*.tmp"))


def test_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADING_CACHE_DIR", str(tmp_path / "g"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "g"
    monkeypatch.delenv("GRADING_CACHE_DIR")
    assert cache_dir() == tmp_path / "x" / "grading"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert cache_dir() == tmp_path / "h" / ".cache" / "grading"


def test_cache_files_are_json_lines_and_no_temporary_file_is_left(tmp_path, cached):
    path = write_bib(tmp_path)
    bib, _ = load_bibliography_cached(path)
    format_references_cached(bib)
    files = list(cached.iterdir())
    assert sorted(f.name.split("-")[0] for f in files) == ["bib", "refs"]
    for f in files:
        for line in f.read_text(encoding="utf-8").split("\n"):
            json.loads(line)


def test_small_files_are_parsed_without_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADING_CACHE_DIR", str(tmp_path / "cache"))
    bib, _ = load_bibliography_cached(write_bib(tmp_path))
    assert len(BIB) < cache.MIN_CACHED_BYTES and not (tmp_path / "cache").exists()
    assert bib.by_number == {1: "a", 2: "b", 3: "c"}


def test_formatted_references_are_cached_per_content_and_style(tmp_path, cached):
    path = write_bib(tmp_path)
    bib, _ = load_bibliography(path)
    expected = format_references(bib)
    assert format_references_cached(bib, [3, 1]) == format_references(bib, [3, 1])
    assert format_references_cached(bib) == expected
    formatted._FORMATTED.clear()  # a new process: read from disk
    assert format_references_cached(bib, [2, 9, 2]) == format_references(bib, [2, 9, 2])
    assert format_references_cached(bib, style="apa") == format_references(bib, style="apa")
    assert format_references(bib, style="apa") != expected  # another style, formatted and kept apart
    file = cache_path(cache_kind(citation_style_file("vancouver")), bib.sha256)
    file.write_bytes(file.read_bytes().replace(b"Springer", b"Elsevier"))
    formatted._FORMATTED.clear()
    assert format_references_cached(bib) == expected


def test_the_bundled_guideline_loads_the_same_from_the_cache(cached):
    plain = load_bibliography(REPO / "references.bib", "references.bib")
    load_bibliography_cached(REPO / "references.bib", "references.bib")
    warm = load_bibliography_cached(REPO / "references.bib", "references.bib")
    assert isinstance(warm[0].data.entries, LazyEntries)
    same(plain, warm)


def test_load_guideline_reads_through_the_cache(make_guideline, cached):
    root = make_guideline(recs=[rec()], evidence=[ev(reference="91"), ev(reference="92", quality="poor")])
    first = reproduce(load_guideline(root))
    again = load_guideline(root)
    assert isinstance(again.bibliography.data.entries, LazyEntries)
    assert [g.as_dict() for g in reproduce(again)] == [g.as_dict() for g in first]


@pytest.mark.parametrize("broken", ["@article{e,\n  refnumber = {5}\n  title = {No comma}\n}\n",
                                    "@article{a,\n  refnumber = {6}\n}\n", "@article{f,\n  title = {open\n"])
def test_syntax_problems_come_back_from_the_cache_with_their_lines(tmp_path, cached, broken):
    path = write_bib(tmp_path, BIB + "\n" + broken)
    plain = load_bibliography(path)
    assert [p for p in plain[1] if "syntax" in p.message or "duplicate" in p.message]
    load_bibliography_cached(path)
    warm = load_bibliography_cached(path)
    if plain[0] is None:
        assert warm == plain
    else:
        same(plain, warm)


def test_only_the_most_recently_used_files_are_kept(tmp_path, cached, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 3)
    path = write_bib(tmp_path)
    first, _ = load_bibliography_cached(path)
    for n in range(5):
        path.write_text(BIB.replace("Back pain", f"Back pain {n}"), encoding="utf-8")
        load_bibliography_cached(path)
    assert len(list(cached.glob("bib-*.jsonl"))) == 3
    assert not cache_path("bib", first.sha256).exists()
