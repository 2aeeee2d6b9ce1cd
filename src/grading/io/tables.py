"""A guideline's tables: reading CSV (spreadsheet exports too) into pandas and validating each cell."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import Problem
from ..records import READER_FIELDS
from ..vocab import AGREEMENT, DESIGNS, DIRECTIONS, EFFECT_SIZES, FINDINGS, QUALITIES
from .files import decode_utf8, read_bytes
from .labels import ID_ALLOWED, SECTION_ALLOWED, fold_label, is_label, is_rec_id, under_section
from .manifest import SEPARATORS, Manifest

if TYPE_CHECKING:
    from ..scheme import Scheme

# ASCII digits only, and \Z rather than $ (which also matches before a final newline: '7.1.3-02\n' is no id).
SEED_LINES = re.compile(r"^\d+(-\d+)?(;\d+(-\d+)?)*\Z", re.ASCII)
# A reference cell: an entry's citation number (its refnumber) or its BibTeX key, as a reference manager writes it.
REFERENCE = re.compile(r"^(?:[0-9]+|[^\s,{}()\"#%'=\\~]+)\Z")
NEUTRAL = Manifest()


@dataclass(frozen=True)
class Column:
    """A column of a table: whether it may be empty and which values it allows."""

    name: str
    check: Callable[[str], bool] | None = None
    allowed: str | None = None
    required: bool = False  # a value must be present
    optional: bool = False  # the column itself may be absent


def _enum(values, empty: bool = False) -> tuple[Callable[[str], bool], str]:
    vals = tuple(values)
    text = ", ".join(vals) + (", or empty" if empty else "")
    return (lambda v: v in vals or (empty and v == "")), text


def _multi(values, sep: str = ";") -> tuple[Callable[[str], bool], str]:
    vals = tuple(values)
    return (lambda v: v != "" and all(p.strip() in vals for p in v.split(sep))), \
        ", ".join(vals) + f" (several joined by '{sep}')"


def _col(name, spec=None, required=False, optional=False) -> Column:
    check, allowed = spec if spec else (None, None)
    return Column(name, check, allowed, required, optional)


def _optional(name: str, manifest: Manifest, spec=None) -> Column:
    """One of OPTIONAL_COLUMNS: a column the table may leave out unless the manifest promises it."""
    return _col(name, spec, optional=not manifest.requires(name))


def _vocabulary(column: str, manifest: Manifest, empty: bool):
    """The check of a column whose values the manifest's [vocabularies] may list; any text where it lists none."""
    values = manifest.values(column)
    if values is None:
        return None
    sep = SEPARATORS.get(column)
    check, allowed = _multi(values, sep) if sep else _enum(values)
    if not empty:
        return check, allowed + f", from [vocabularies] {column} in guideline.toml"
    return (lambda v: v == "" or check(v)), allowed + f", or empty, from [vocabularies] {column} in guideline.toml"


_yes_no = _enum(AGREEMENT)


def _seed_lines(v: str) -> bool:
    return bool(SEED_LINES.match(v)) and all(int(a) <= int(b) for a, _, b in
                                             (p.partition("-") for p in v.split(";") if "-" in p))


_seed = (_seed_lines, "line numbers and ranges a-b (a <= b) joined by ';', e.g. 2082-2094;2131")
# Digits of another script ('²', '٢', '２') are neither a citation number nor, being digits, a fair key.
_reference = ((lambda v: v == "" or bool(REFERENCE.match(v)) and not (v.isdigit() and not v.isascii())),
              "an entry's BibTeX key (e.g. hansen2021) or its citation number (refnumber, in digits 0-9), or empty")


SCOPES = ("section",)  # evidence.csv's scope: '' (this recommendation's evidence) or a whole section's basis


def evidence_spec(manifest: Manifest = NEUTRAL) -> tuple[Column, ...]:
    """The columns of evidence.csv; its outcomes are the manifest's vocabulary (any text where it has none)."""
    return (
        _col("recommendation_id", required=True),
        _col("reference", _reference),
        _col("design", _enum(DESIGNS), True),
        _col("quality", _enum(QUALITIES), True),
        _col("quality_text"),
        _col("finding", _enum(FINDINGS), True),
        _col("effect_size", _enum(EFFECT_SIZES), True),
        _col("outcomes", _vocabulary("outcomes", manifest, empty=False), True),
        _col("documentation"),
        _optional("seed_lines", manifest, _seed),
        # 'section': the text speaks of the basis of a whole section ("Vurderingene under er bygget på ... (4;321)"),
        # not of this recommendation's evidence: the row is shown, never graded.
        _col("scope", _enum(SCOPES, empty=True), optional=True),
    )


EVIDENCE_SPEC: tuple[Column, ...] = evidence_spec()
EVIDENCE_COLUMNS = tuple(c.name for c in EVIDENCE_SPEC)

# The working group's panel (evidence/panel.csv): who votes, their declared interests, what they do not vote on.
# Whether a recused entry names a recommendation id or topic is checked against the guideline (io/panel.py).
PANEL_SPEC = (_col("member", required=True), _col("role", required=True), _col("interests"),
              _col("recused", ((lambda v: all(p.strip() for p in v.split(";"))),
                               "topics or recommendation ids joined by ';', e.g. MANIPULASJON;7.1.3-02, or empty")))


def glossary_spec(manifest: Manifest = NEUTRAL) -> tuple[Column, ...]:
    """The columns of glossary.csv."""
    return (_col("term", required=True), _col("term_en"), _col("definition", required=True),
            _optional("seed_lines", manifest, _seed))


def flags_spec(manifest: Manifest = NEUTRAL) -> tuple[Column, ...]:
    """The columns of flags.csv."""
    return (_col("colour", _enum(("red", "yellow", "green")), True), _col("flag", required=True),
            _col("flag_en"), _col("section", ((lambda v: v == "" or is_label(v)), SECTION_ALLOWED + ", or empty")),
            _optional("seed_lines", manifest, _seed))


GLOSSARY_SPEC, FLAGS_SPEC = glossary_spec(), flags_spec()


def recommendations_spec(scheme: Scheme, manifest: Manifest = NEUTRAL) -> tuple[Column, ...]:
    """The columns of recommendations.csv; its levels and strengths are the scheme's, its diagnostic groups and
    phases the manifest's vocabularies (any text where it has none)."""
    strength = ((lambda v: v == "" or scheme.is_valid_strength(v)), scheme.allowed_strengths())
    return (
        _col("id", (is_rec_id, ID_ALLOWED), True),
        _col("section", (is_label, SECTION_ALLOWED), True),
        _col("topic", required=True), _col("topic_en", required=True),
        _col("phase", _vocabulary("phase", manifest, empty=True)),
        _col("diagnostic_group", _vocabulary("diagnostic_group", manifest, empty=False), True),
        _col("text", required=True),
        _col("direction", _enum(DIRECTIONS), True),
        _col("published_strength", strength),
        _optional("published_strength_text", manifest),
        _col("published_level", _enum(scheme.level_codes, empty=True)),
        _col("published_levels", ((lambda v: v == "" or all(p in scheme.level_codes for p in v.split(";"))),
                                  f"levels of {', '.join(scheme.level_codes)} joined by ';' (one per documentation "
                                  "point), or empty"), optional=True),
        _col("published_level_words", optional=True),  # the text's words on its documentation as a whole
        _col("published_level_words_level", _enum(scheme.level_codes, empty=True), optional=True),
        _col("justification"),
        _col("agree_validity", _yes_no, True), _col("agree_applicability", _yes_no, True),
        _col("agree_benefit_harm", _yes_no, True),
        _optional("judgement_note", manifest),
        _optional("seed_lines", manifest, _seed),
        # what a reader gets beside the recommendation (evidence/README.md); empty where the group writes none
        *(_col(name, optional=True) for name in READER_FIELDS if name != "translation_language"),
        _col("translation_language", ((lambda v: v == "" or re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", v)
                                       is not None), "a language tag such as en or nb, or empty"), optional=True),
        # A certainty model (GRADE): the situation named that allows a strong recommendation on low certainty.
        _col("paradigm", _enum(tuple(p.code for p in scheme.certainty.paradigms) if scheme.certainty else (),
                               empty=True), optional=True),
        _col("source", optional=True),  # where in its source the row comes from (a guideline not from the seed)
    )


DOWN_JUDGEMENTS = ("not_serious", "serious", "very_serious", "unclear")
EFFECT_DIRECTIONS = ("benefit", "harm", "no_difference", "unclear")


def outcomes_spec(scheme: Scheme, manifest: Manifest = NEUTRAL) -> tuple[Column, ...]:
    """The columns of outcomes.csv (a certainty model's evidence profiles); the domains and their judgements are
    the scheme's [certainty] table's."""
    c = scheme.certainty
    designs = (*c.start, "unclear") if c else ("rct", "observational", "unclear")
    down = tuple(c.down) + ("unclear",) if c else DOWN_JUDGEMENTS
    up = tuple(c.up) + ("unclear",) if c else ("no", "yes", "very_large", "unclear")
    importance = (*c.importance, "unclear") if c else ("critical", "important", "not_important", "unclear")
    levels = scheme.level_codes
    number = ((lambda v: v == "" or v.replace(",", "").isdigit()), "a whole number, or empty")
    return (
        _col("recommendation_id", required=True),
        _col("outcome", required=True),
        _col("importance", _enum(importance), True),
        _col("comparison"),
        _col("design", _enum(designs), True),
        _col("studies", ((lambda v: v == "" or all(REFERENCE.match(p.strip()) for p in v.split(";"))),
                         "reference keys or citation numbers joined by ';', or empty")),
        _col("n_studies", number), _col("participants", number),
        *(_col(d, _enum(down), True) for d in (c.domains_down if c else ())),
        *(_col(d, _enum(up), True) for d in (c.domains_up if c else ())),
        _col("effect_direction", _enum(EFFECT_DIRECTIONS), True),
        _col("relative_effect"), _col("absolute_effect"), _col("narrative"),
        _col("published_certainty", _enum(levels, empty=True)),
        _col("footnotes"), _col("source"),
    )


def table_spec(file_name: str, scheme: Scheme, manifest: Manifest = NEUTRAL) -> tuple[Column, ...] | None:
    """The column specification of one of a guideline's tables, by file name (None for another file)."""
    specs = {"recommendations.csv": lambda: recommendations_spec(scheme, manifest),
             "evidence.csv": lambda: evidence_spec(manifest), "glossary.csv": lambda: glossary_spec(manifest),
             "flags.csv": lambda: flags_spec(manifest), "panel.csv": lambda: PANEL_SPEC,
             "outcomes.csv": lambda: outcomes_spec(scheme, manifest)}
    return specs[file_name]() if file_name in specs else None


def _decode(raw: bytes, name: str, problems: list[Problem]) -> str | None:
    text = decode_utf8(raw, name, problems, bom_notice=True,
                       allowed="UTF-8; in a spreadsheet, save as 'CSV UTF-8' (a Latin-1 or Windows export cannot "
                               "be told apart from other encodings safely)")
    if text is not None and "\r\n" in text:
        problems.append(Problem(name, "read Windows line endings (CRLF)", severity="notice"))
        text = text.replace("\r\n", "\n")
    elif text is not None and "\r" in text and "\n" not in text:
        # Old Excel for Mac ends lines with CR alone; with no LF anywhere that reading is unambiguous.
        problems.append(Problem(name, "read old Mac line endings (CR only)", severity="notice"))
        text = text.replace("\r", "\n")
    return text


def read_table(path: Path, name: str | None = None, spec: tuple[Column, ...] | None = None
               ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one table (checked against `spec` when given); return it with every problem found (None if unreadable)."""
    name = name or path.name
    problems: list[Problem] = []
    raw = read_bytes(path, name, problems)
    if raw is None:
        return None, problems
    text = _decode(raw, name, problems)
    if text is None:
        return None, problems
    if not text.strip():
        return None, problems + [Problem(name, "the file is empty", line=1,
                                         allowed="a header row naming the columns, then data rows")]
    header = text.split("\n", 1)[0]
    sep = ","
    if header.count(";") > header.count(",") and "," not in header:
        sep = ";"
        problems.append(Problem(name, "read ';' as the column separator (a spreadsheet export)", line=1,
                                severity="notice"))
    rows, starts, last = [], [], 0
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        for r in reader:
            rows.append(r)
            starts.append(last + 1)
            last = reader.line_num
    except csv.Error as e:
        return None, problems + [Problem(name, f"the CSV cannot be parsed: {e}", line=reader.line_num)]
    columns = [c.strip() for c in rows[0]]
    width = len(columns)
    seen: dict[str, int] = {}
    twice = []
    for i, c in enumerate(columns, start=1):
        if c and c in seen:
            twice.append(Problem(name, f"column '{c}' is named twice (columns {seen[c]} and {i})", line=1,
                                 column=c, found=c, allowed="each column name once"))
        seen.setdefault(c, i)
    if twice:
        return None, problems + twice  # which of the two holds the value? The table cannot be read cell by cell.
    unnamed = [i for i, c in enumerate(columns) if not c]
    if unnamed:
        problems.append(Problem(name, f"{len(unnamed)} column{'s' if len(unnamed) != 1 else ''} without a name in "
                                "the header (a spreadsheet's trailing separators?) ignored", line=1,
                                severity="notice"))
    named = [i for i, c in enumerate(columns) if c]
    data, lines = [], []
    for i, r in enumerate(rows[1:], start=1):
        cells = [cell.strip() for cell in r]
        if not any(cells):
            continue  # a blank row
        if len(cells) != width:
            problems.append(Problem(name, f"the row has {len(r)} cells but the header names {width} columns",
                                    line=starts[i], row=i, found=sep.join(r)[:60], allowed=f"{width} cells"))
            cells = (cells + [""] * width)[:width]
        data.append(cells if len(named) == width else [cells[j] for j in named])
        lines.append(starts[i])
    frame = pd.DataFrame(data, columns=[columns[i] for i in named], dtype=object).fillna("")
    frame["_line"] = lines
    frame["_row"] = range(1, len(frame) + 1)
    if spec:
        problems += check_columns(frame, spec, name)
    return frame, problems


def check_columns(frame: pd.DataFrame, spec: tuple[Column, ...], name: str) -> list[Problem]:
    """Problems with a table's columns and cells against its specification."""
    problems = []
    present = set(frame.columns)
    known = {c.name for c in spec}
    for col in spec:
        if col.name not in present and not col.optional:
            near = [c for c in present - known if c.lower().replace(" ", "_") == col.name
                    or _close(c, col.name)]
            hint = f" (is '{near[0]}' a misspelling of it?)" if near else ""
            problems.append(Problem(name, f"required column '{col.name}' is missing{hint}", line=1,
                                    column=col.name, allowed=", ".join(c.name for c in spec)))
    for extra in sorted(present - known - {"_line", "_row"}):
        problems.append(Problem(name, f"unknown column '{extra}' is ignored", line=1, column=extra,
                                severity="notice"))
    for col in spec:
        if col.name not in present:
            continue
        values = frame[col.name]
        # Each distinct value is checked once; only the rows holding a bad one are visited.
        bad = {v for v in set(values.tolist())
               if (v == "" and col.required) or (v != "" and col.check and not col.check(v))}
        if not bad:
            continue
        hit = values.isin(bad)
        for value, line, row in zip(values[hit], frame["_line"][hit], frame["_row"][hit]):
            if value == "":
                if col.required:
                    problems.append(Problem(name, "a value is required", line=line, row=row, column=col.name,
                                            found="", allowed=col.allowed or "any text"))
            elif col.check and not col.check(value):
                problems.append(Problem(name, "unknown value", line=line, row=row, column=col.name,
                                        found=value, allowed=col.allowed))
    return problems


def _close(a: str, b: str) -> bool:
    """True when two column names differ by at most two edits (a misspelt header)."""
    a, b = a.lower(), b.lower()
    if abs(len(a) - len(b)) > 2:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= 2


def recommendation_problems(frame: pd.DataFrame, scheme: Scheme, name: str) -> list[Problem]:
    """Cells of one row of recommendations.csv that contradict each other: an id not under its section, a
    published_level that is not the highest of published_levels."""
    problems = []
    cols = set(frame.columns)
    if {"id", "section"} <= cols:
        for rid, section, line, row in zip(frame["id"], frame["section"], frame["_line"], frame["_row"]):
            if is_rec_id(rid) and is_label(section) and not under_section(rid, section):
                problems.append(Problem(name, "the id does not start with the row's section", line=line, row=row,
                                        column="id", found=rid, allowed=f"{section}-<nn>"))
    if {"published_level", "published_levels"} <= cols:
        rank = {g.code: g.rank for g in scheme.levels}
        for level, levels, line, row in zip(frame["published_level"], frame["published_levels"], frame["_line"],
                                            frame["_row"]):
            parts = [p for p in levels.split(";") if p]
            if not all(p in rank for p in parts) or (level and level not in rank):
                continue  # reported as an unknown value
            highest = max(parts, key=rank.__getitem__) if parts else ""
            if parts and level != highest:  # an empty published_levels (or none) leaves published_level as it is
                problems.append(Problem(name, "published_level is not the highest of published_levels", line=line,
                                        row=row, column="published_level", found=level,
                                        allowed=f"{highest} (published_levels {levels})"))
    return problems


def duplicate_problems(frame: pd.DataFrame, column: str, name: str) -> list[Problem]:
    """Problems for values of `column` that appear on more than one row."""
    if column not in frame.columns:
        return []
    dup = frame[frame.duplicated(column, keep="first") & (frame[column] != "")]
    first = frame.drop_duplicates(column).set_index(column)["_line"]
    return [Problem(name, f"duplicate {column} (first on line {first[v]})", line=line, row=row, column=column,
                    found=v, allowed=f"each {column} once")
            for v, line, row in zip(dup[column], dup["_line"], dup["_row"])]


def folded_duplicate_problems(frame: pd.DataFrame, column: str, name: str) -> list[Problem]:
    """Problems for values of `column` that differ from an earlier row's only in case or Unicode normalisation
    (`A.1-01` and `a.1-01`): an id names folders, and Windows and macOS take the two for one folder."""
    if column not in frame.columns:
        return []
    first: dict[str, tuple[str, int]] = {}
    out = []
    for value, line, row in zip(frame[column], frame["_line"], frame["_row"]):
        if not value:
            continue
        folded = fold_label(value)
        seen, at = first.setdefault(folded, (value, line))
        if seen != value:
            out.append(Problem(name, f"the {column} differs from the {column} on line {at} ('{seen}') only in case "
                                     "or in how an accent is encoded: Windows and macOS take their folders for one",
                               line=line, row=row, column=column, found=value,
                               allowed=f"each {column} once, in any case"))
    return out


def _repeated_references(frame: pd.DataFrame, key_of: Callable[[str], str | None]) -> dict[int, int]:
    """Position of each row that names a reference its recommendation already cited -> position of the first.

    A number and a key naming one entry (`12` and the key of the entry whose refnumber is 12) are one reference:
    cells are compared by the entry `key_of` finds (a cell it finds none for, by itself). Rows with an empty
    reference (consensus, a basis phrase) are never repeats of each other."""
    if not {"recommendation_id", "reference"} <= set(frame.columns):
        return {}
    first: dict[tuple[str, str], int] = {}
    repeats: dict[int, int] = {}
    for i, (rid, ref) in enumerate(zip(frame["recommendation_id"], frame["reference"])):
        ref = str(ref).strip()
        if not ref:
            continue
        entry = (str(rid), (key_of(ref) or ref).lower())
        if entry in first:
            repeats[i] = first[entry]
        else:
            first[entry] = i
    return repeats


def counted_rows(rows: pd.DataFrame, key_of: Callable[[str], str | None]) -> pd.DataFrame:
    """The evidence rows grading counts: none that speaks of a whole section's basis (scope 'section'), and each
    reference once per recommendation (once_per_reference)."""
    if "scope" in rows.columns and (rows["scope"] == "section").any():
        rows = rows[rows["scope"] != "section"]
    return once_per_reference(rows, key_of)


def once_per_reference(rows: pd.DataFrame, key_of: Callable[[str], str | None]) -> pd.DataFrame:
    """The evidence rows grading counts: for each recommendation one row per reference, the first (a level rule
    asking for two trials never counts one trial twice); rows with an empty reference all stay. The rows
    themselves when none repeats."""
    repeats = _repeated_references(rows, key_of)
    if not repeats:
        return rows
    return rows.iloc[[i for i in range(len(rows)) if i not in repeats]]


def repeated_reference_problems(frame: pd.DataFrame, key_of: Callable[[str], str | None],
                                name: str) -> list[Problem]:
    """A warning for each evidence row naming a reference its recommendation already cited (grading counts the
    first row only: once_per_reference)."""
    repeats = _repeated_references(frame, key_of)
    if not repeats:
        return []
    refs, lines, rows = list(frame["reference"]), list(frame["_line"]), list(frame["_row"])
    rids = list(frame["recommendation_id"])
    out = []
    for i, j in repeats.items():
        same = "" if refs[i] == refs[j] else f" as '{refs[j]}'"
        out.append(Problem(name, f"{rids[i]} cites this reference twice (first on line {lines[j]}{same}): "
                                 "grading counts the first row only", line=lines[i], row=rows[i], column="reference",
                           found=refs[i], allowed="each reference once per recommendation", severity="warning"))
    return out
