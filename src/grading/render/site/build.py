"""Build the guideline's static website into a folder: pages from Jinja2 templates, the map, the search index."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ...errors import GradingError, OutputError
from ...grade import summary
from ...io.files import refuse_inputs
from ...io.guideline import Guideline, read_paths
from ...progress import progress
from ...results import GradedGuideline, appraised_note, graded
from ...vocab import DIRECTIONS
from ..csl import plain
from ..references import guideline_references
from . import pages as P
from .pdf import PDF_FILE, print_pdf
from .search import entries, script

HERE = Path(__file__).resolve().parent
MARKER = ".grading-site"  # written into every site folder: a folder without it is never replaced
# The reports' policy, opened only as far as the site needs: its own stylesheet, picture and scripts.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; base-uri 'none'; "
       "form-action 'self'")
MAP_FILE = "evidence-map.png"
# biblatex's language names (langid) as the language tags of HTML's lang
LANGUAGE_TAGS = {"english": "en", "american": "en-US", "british": "en-GB", "norwegian": "no", "norsk": "no",
                 "nynorsk": "nn", "bokmal": "nb", "bokmål": "nb", "swedish": "sv", "danish": "da", "german": "de",
                 "ngerman": "de", "french": "fr", "dutch": "nl", "finnish": "fi", "spanish": "es", "italian": "it"}


@dataclass(frozen=True)
class Site:
    """A built site: its folder, the pages written, and the edition it shows."""

    folder: Path
    pages: tuple[str, ...]
    edition: str
    scheme: str
    pdf: Path | None = None  # the whole guideline as PDF, where asked for (--pdf)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def _environment(guideline: Guideline):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    from ..changes import summary as summary_lines
    from ..plots import level_label
    labels = _labels(guideline)

    def phase_words(rec) -> str:
        """A recommendation's phases with their English labels: 'akutt (acute), subakutt (subacute)'."""
        return ", ".join(f"{ph} ({labels[ph]})" if ph in labels else ph for ph in rec.phases) or "no phase named"

    def strength_parts(value: str | None) -> tuple[str, ...]:
        try:
            return tuple(guideline.scheme.parse_strength(value))
        except GradingError:
            return ()

    codes = P.code_words(guideline)
    env.filters["worded"] = lambda text: P.worded(text, codes)
    env.globals.update(csp=CSP, verdict_label=P.verdict_label, summary_lines=summary_lines, phase_words=phase_words,
                       strength_parts=strength_parts, reference_note=P.reference_note,
                       strength_words=lambda v: P.strength_words(guideline, v),
                       map_level=lambda g: level_label(g.level_used, g.level_source))
    return env


def _check_target(out: Path, guideline: Guideline, protect: tuple[Path, ...] = ()) -> None:
    """Refuse a folder that holds anything but an earlier site, and one that holds the guideline's files."""
    root = guideline.root.resolve()
    target = out.resolve()
    if target == root or target in root.parents:
        raise OutputError(out, f"it holds the guideline folder {guideline.root}; give a new folder such as site/")
    if target.is_relative_to(root / "evidence"):
        raise OutputError(out, "it is inside the guideline's evidence/ folder; give a folder such as site/")
    if target.exists() and not target.is_dir():
        raise OutputError(out, "it is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(out, f"the folder is not empty and is not a site built by `grading site` (no {MARKER} "
                               "file); give an empty or new folder")
    refuse_inputs(out, protect)  # and never inside what the guideline is read from (its releases, a scheme file)


def _replace_folder(built: Path, out: Path) -> None:
    """Put the built folder where `out` is, replacing an earlier site; a reader sees the old or the new."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "site")
    os.replace(built, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(guideline: Guideline, out: Path | str, *, revised: bool = False, release: str | None = None,
               appraised: bool = False, pdf: bool = False) -> Site:
    """Write the whole site for a guideline (as published, or `revised` by its saved revisions; `appraised`, with
    the group's counting appraisals applied) into `out`.

    With `release`, the release of that name (releases/NAME/, made by `grading release`) is built instead, with
    its change log; with `revised`, the change log is what the saved revisions and votes change since the latest
    release (or the published guideline). With `pdf`, the print page is also printed by Chromium to
    guideline.pdf in the folder (render/site/pdf.py)."""
    from ...revisions.release import base_state, change_log, now_state, read_change_log, release_state
    out = Path(out)
    if out.is_symlink():  # a link to a served site: the site is written where it points, and the link stays
        out = Path(os.path.realpath(out))
    log: dict | None = None
    protect = read_paths(guideline)  # of the guideline folder, also when a release inside it is built
    if release is not None:
        if revised:
            raise GradingError("--release and --revised exclude each other: a release has its revisions applied")
        guideline = release_state(guideline, release).guideline
        log = read_change_log(guideline.root / "changes.json")
    elif revised:
        log = change_log(base_state(guideline, None), now_state(guideline), "")
    _check_target(out, guideline, (*protect, *read_paths(guideline)))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        built = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as e:  # a read-only or missing place: nothing was written
        raise OutputError(out, f"cannot write a folder beside it in {out.parent}: {e.strerror or e}") from None
    try:
        written, note = _write_all(guideline, built, revised, release, log, appraised, pdf)
        if pdf:
            print_pdf(built / "print.html", built / PDF_FILE)
        (built / MARKER).write_text("A site built by `grading site`; `grading site` may replace this folder.\n",
                                    encoding="utf-8")
        os.chmod(built, 0o755 & ~_umask())
        _replace_folder(built, out)
    except OSError as e:
        shutil.rmtree(built, ignore_errors=True)
        raise OutputError(out, str(e.strerror or e)) from None
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return Site(out, tuple(written), ", ".join(filter(None, (_edition(revised, release), note))),
                guideline.scheme.describe(), out / PDF_FILE if pdf else None)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _edition(revised: bool, release: str | None) -> str:
    base = f"release {release}" if release else "as published"
    return base + (", with the saved revisions applied" if revised else "")


def _write_all(published: Guideline, folder: Path, revised_wanted: bool, release: str | None,
               log: dict | None, appraised: bool = False, pdf: bool = False) -> tuple[list[str], str]:
    """Write every page and picture; return the pages written and what the appraisals applied (or '')."""
    result = graded(published, revised_wanted, appraised)
    guideline, revised = result.guideline, result.revised
    gradings = list(result.gradings)
    fragile = result.fragility
    findings = list(result.findings)
    refs = guideline_references(guideline)
    etds, etd_votes = _etds(result)
    pages = P.rec_pages(guideline, gradings, fragile, findings, result.revisions, revised, result.diffs,
                        {r.number: r for r in refs}, result.agreements, result.voted, result.appraised_by,
                        etds, etd_votes)
    cited_by = guideline.citing
    file_of = {p.id: p.file for p in pages}
    titles = {r.number: plain(guideline.bibliography.field_of(r.key, "title")) for r in refs if r.key}
    edition = _edition(revised_wanted, release)
    if revised is not None:
        edition += f" ({len(revised.applied)} of {len(revised.revisions)} revisions applied, " \
                   f"{len(revised.conflicts)} conflicting changes left out)"
    note = appraised_note(result)
    if note:
        edition += f", {note}"
    from ...analyses.explore import groups as groups_of
    from ..plots import phase_columns
    from ..version import toolkit_version
    version = f"release {release}" if release else f"built {date.today().isoformat()}, grading {toolkit_version()}"
    common = {
        "title": P.guideline_title(guideline), "scheme": guideline.scheme.describe(), "edition": edition,
        "file_of": file_of, "show_status": P.reconstructed(guideline), "has_changes": log is not None,
        "release": release, "lang": guideline.manifest.language, "version": f"grading {toolkit_version()}",
        "ref_lang": _reference_languages(guideline, refs), "pdf_file": PDF_FILE if pdf else "",
    }
    about = P.about(guideline, edition, version)
    columns = phase_columns(guideline)
    sections = P.by_section(guideline, pages)
    ref_list = [(r, list(cited_by.get(r.number, ()))) for r in refs]
    present = set(guideline.recommendations["diagnostic_group"])
    groups = [g for g in groups_of(guideline) if g in present] + sorted(present - set(groups_of(guideline)))
    # (file, template, context) of every page, written in one loop below
    jobs: list[tuple[str, str, dict]] = [
        ("index.html", "index.html", {"sections": sections, "n": len(pages), "about": about,
                                      "filters": _filters(guideline, sections, groups, columns)}),
        ("phases.html", "phases.html", {"groups": P.by_group_and_phase(pages, groups, columns,
                                                                        _labels(guideline))}),
        ("map.html", "map.html", {"map_file": MAP_FILE, "grid": P.evidence_grid(guideline, pages, columns),
                                  "column_labels": [_phase_label(guideline, c) for c in columns],
                                  "legend": [(i, g.code, g.english or g.code, g.norwegian)
                                             for i, g in enumerate(guideline.scheme.strengths)]}),
        ("glossary.html", "glossary.html", {"glossary": _records(guideline.glossary)}),
        ("flags.html", "flags.html", {"flags": _records(guideline.flags)}),
        ("scheme.html", "scheme.html", {"s": guideline.scheme, "choices": _choices(guideline.scheme),
                                        "rules": _level_rules(guideline.scheme)}),
        ("references.html", "references.html", {"refs": ref_list, "numbered_by": guideline.numbered_by}),
        ("audit.html", "audit.html", {"kinds": P.findings_by_kind(findings), "n": len(pages),
                                      "fragile": [fragile[p.id] for p in pages if fragile[p.id].fragile],
                                      "summary": summary(gradings), "standings": P.standings(pages)}),
        ("print.html", "print.html", {"sections": sections, "about": about, "refs": ref_list}),
        ("search.html", "search.html", {}),
        ("appraisals.html", "appraisals.html", _appraisals(result, folder)),
    ]
    if log is not None:
        jobs.append(("changes.html", "changes.html", {"log": log, "groups": P.change_groups(log)}))
    for i, p in enumerate(pages):
        after = pages[i + 1] if i + 1 < len(pages) else None
        jobs.append((f"rec/{p.file}", "recommendation.html", {"p": p, "prev": pages[i - 1] if i else None,
                                                               "next": after}))
    env = _environment(guideline)
    (folder / "rec").mkdir()
    for name, template, context in progress(jobs, len(jobs), "building the site"):
        html = env.get_template(template).render(**common, **context, root="../" * name.count("/"), page=name)
        (folder / name).write_text(html, encoding="utf-8")
    _map(guideline, gradings, fragile, folder)
    _assets(folder, guideline, pages, refs, titles)
    return [name for name, _, _ in jobs], note


def _etds(result: GradedGuideline) -> tuple[Mapping, dict]:
    """Each recommendation's Evidence-to-Decision history (the saved records of the edition's folder, else what the
    text records) and the votes on its criteria, where the scheme declares a framework."""
    from ...analyses.etd import etd_tallies
    scheme = result.guideline.scheme
    if scheme.etd is None:
        return {}, {}
    histories = result.etds
    votes = {rid: etd_tallies(a, scheme) for rid, a in result.agreements.items()}
    return histories, {rid: t for rid, t in votes.items() if t}


def _appraisals(result: GradedGuideline, folder: Path) -> dict:
    """The appraisals page's context; its pictures written beside it as PNG files."""
    from ..appraisal_plots import pictures
    from ..appraisals import NO_APPRAISALS, TABLE_HEADINGS, agreement_lines, appraisal_rows, appraisals_intro
    shown = pictures(result)
    for p in shown:
        p.figure.savefig(folder / p.file, dpi=100)
    settled = [f for f in result.findings if f.kind == "settled_by_appraisal"]
    return {"rows": appraisal_rows(result), "headings": TABLE_HEADINGS, "agreements": agreement_lines(result),
            "pictures": shown, "settled": settled, "none_saved": NO_APPRAISALS,
            "intro": appraisals_intro(result) if result.appraisals else ""}


def _map(guideline: Guideline, gradings, fragile, folder: Path) -> None:
    """The evidence map as a picture, fragile gradings outlined."""
    from ..plots import evidence_map
    fig = evidence_map(guideline, gradings, fragile={k for k, f in fragile.items() if f.fragile})
    fig.savefig(folder / MAP_FILE, dpi=100, bbox_inches="tight")  # the title and legend whole, never clipped


def _assets(folder: Path, guideline: Guideline, pages, refs, titles) -> None:
    from ..plots import strength_colours
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    for f in (HERE / "static").iterdir():
        if f.is_file():
            shutil.copyfile(f, assets / f.name)
    # Badge colours follow the evidence map's, strongest first; a stylesheet, as the policy allows no inline style.
    colours = list(strength_colours(guideline.scheme).values())
    css = [f".badge.strength.rank-{i} {{ background: {c}; color: {_ink(c)}; }}" for i, c in enumerate(colours)]
    if any(p.sof for p in pages):  # great_tables' stylesheet for the Summary of Findings tables (certainty model)
        from ..sof import sof_css
        css.append(sof_css())
    (assets / "scheme.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    index = entries(pages, guideline.glossary, refs, titles)
    (assets / "search-index.js").write_text(script(index), encoding="utf-8")


def _labels(guideline: Guideline) -> dict[str, str]:
    """English labels of the diagnostic groups and phases, from the manifest's vocabularies."""
    m = guideline.manifest
    return {v: label for column in ("diagnostic_group", "phase")
            for v, label in m.vocabularies.get(column, {}).items() if label and label != v}


def luminance(colour: str) -> float:
    """The relative luminance of a '#rrggbb' colour (WCAG 2)."""
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two '#rrggbb' colours (1 to 21; AA asks 4.5 for text)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _ink(background: str) -> str:
    """Black or white text, whichever contrasts more with a '#rrggbb' background (WCAG 2)."""
    return "#000000" if contrast(background, "#000000") >= contrast(background, "#ffffff") else "#ffffff"


def _phase_label(guideline: Guideline, phase: str) -> str:
    """A phase as the map's column heads it: 'akutt (acute)'."""
    from ..plots import phase_label
    return phase_label(guideline, phase).replace("\n", " ")


def _filters(guideline: Guideline, sections, groups: list[str], columns: list[str]
             ) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The front page's filters: (name, label, [(value, text)]) for section, phase, group, strength, direction."""
    labels = _labels(guideline)
    scheme = guideline.scheme
    return [("section", "Section", [(s.key, f"{s.key} {s.title}".strip()) for s in sections]),
            ("phase", "Phase", [(c, f"{c} ({labels[c]})" if c in labels else c) for c in columns if c]),
            ("group", "Diagnostic group", [(g, f"{g} ({labels[g]})" if g in labels else g) for g in groups]),
            ("strength", "Published strength", [(g.code, g.english or g.code) for g in scheme.strengths]),
            ("direction", "Direction", [(d, P.DIRECTION_WORDS[d]) for d in DIRECTIONS])]


def _reference_languages(guideline: Guideline, refs) -> dict[int, str]:
    """Reference number -> its entry's language tag (biblatex `langid` or `language`), where the entry gives one."""
    out = {}
    for r in refs:
        if not r.key:
            continue
        value = plain(guideline.bibliography.field_of(r.key, "langid") or
                      guideline.bibliography.field_of(r.key, "language") or "").strip()
        tag = LANGUAGE_TAGS.get(value.lower(), value)
        if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
            out[r.number] = tag
    return out


def _records(table) -> list[dict[str, str]]:
    if table is None or table.empty:
        return []
    return [{k: "" if v is None else str(v) for k, v in row.items() if not str(k).startswith("_")}
            for row in table.to_dict("records")]


def _choices(scheme) -> list[tuple[str, str]]:
    from ..text import _value
    return [(name, _value(getattr(scheme.choices, name))) for name in type(scheme.choices).names()]


def _level_rules(scheme) -> list[tuple[str, str, str]]:
    from ..text import clause_text
    return [(r.name, r.level, " or ".join(clause_text(c) for c in r.clauses)) for r in scheme.level_rules]
