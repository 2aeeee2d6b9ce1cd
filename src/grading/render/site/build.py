"""Build the guideline's static website into a folder: pages from Jinja2 templates, the map, the search index."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import GradingError, OutputError
from ...grade import summary
from ...io.files import refuse_inputs
from ...io.guideline import Guideline, read_paths
from ...progress import progress
from ...results import GradedGuideline, appraised_note, graded
from ..csl import plain
from ..references import guideline_references
from . import pages as P
from .search import entries, script

HERE = Path(__file__).resolve().parent
MARKER = ".grading-site"  # written into every site folder: a folder without it is never replaced
# The reports' policy, opened only as far as the site needs: its own stylesheet, picture and scripts.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; base-uri 'none'; "
       "form-action 'self'")
MAP_FILE = "evidence-map.png"


@dataclass(frozen=True)
class Site:
    """A built site: its folder, the pages written, and the edition it shows."""

    folder: Path
    pages: tuple[str, ...]
    edition: str
    scheme: str

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    from ..changes import summary as summary_lines
    env.globals.update(csp=CSP, verdict_label=P.verdict_label, summary_lines=summary_lines)
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
               appraised: bool = False) -> Site:
    """Write the whole site for a guideline (as published, or `revised` by its saved revisions; `appraised`, with
    the group's counting appraisals applied) into `out`.

    With `release`, the release of that name (releases/NAME/, made by `grading release`) is built instead, with
    its change log; with `revised`, the change log is what the saved revisions and votes change since the latest
    release (or the published guideline)."""
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
        written, note = _write_all(guideline, built, revised, release, log, appraised)
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
                guideline.scheme.describe())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _edition(revised: bool, release: str | None) -> str:
    base = f"release {release}" if release else "as published"
    return base + (", with the saved revisions applied" if revised else "")


def _write_all(published: Guideline, folder: Path, revised_wanted: bool, release: str | None,
               log: dict | None, appraised: bool = False) -> tuple[list[str], str]:
    """Write every page and picture; return the pages written and what the appraisals applied (or '')."""
    result = graded(published, revised_wanted, appraised)
    guideline, revised = result.guideline, result.revised
    gradings = list(result.gradings)
    fragile = result.fragility
    findings = list(result.findings)
    refs = guideline_references(guideline)
    pages = P.rec_pages(guideline, gradings, fragile, findings, result.revisions, revised, result.diffs,
                        {r.number: r for r in refs}, result.agreements, result.voted, result.appraised_by)
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
    common = {
        "title": P.guideline_title(guideline), "scheme": guideline.scheme.describe(), "edition": edition,
        "file_of": file_of, "show_status": P.reconstructed(guideline), "has_changes": log is not None,
        "release": release, "lang": guideline.manifest.language,
    }
    present = set(guideline.recommendations["diagnostic_group"])
    groups = [g for g in groups_of(guideline) if g in present] + sorted(present - set(groups_of(guideline)))
    # (file, template, context) of every page, written in one loop below
    jobs: list[tuple[str, str, dict]] = [
        ("index.html", "index.html", {"sections": P.by_section(guideline, pages), "summary": summary(gradings),
                                      "n": len(pages)}),
        ("phases.html", "phases.html", {"groups": P.by_group_and_phase(pages, groups, phase_columns(guideline),
                                                                        _labels(guideline))}),
        ("map.html", "map.html", {"map_file": MAP_FILE}),
        ("glossary.html", "glossary.html", {"glossary": _records(guideline.glossary)}),
        ("flags.html", "flags.html", {"flags": _records(guideline.flags)}),
        ("scheme.html", "scheme.html", {"s": guideline.scheme, "choices": _choices(guideline.scheme),
                                        "rules": _level_rules(guideline.scheme)}),
        ("references.html", "references.html", {"refs": [(r, list(cited_by.get(r.number, ()))) for r in refs],
                                                "numbered_by": guideline.numbered_by}),
        ("audit.html", "audit.html", {"kinds": P.findings_by_kind(findings), "n": len(pages),
                                      "fragile": [fragile[p.id] for p in pages if fragile[p.id].fragile]}),
        ("search.html", "search.html", {}),
        ("appraisals.html", "appraisals.html", _appraisals(result, folder)),
    ]
    if log is not None:
        jobs.append(("changes.html", "changes.html", {"log": log, "groups": P.change_groups(log)}))
    for i, p in enumerate(pages):
        after = pages[i + 1] if i + 1 < len(pages) else None
        jobs.append((f"rec/{p.file}", "recommendation.html", {"p": p, "prev": pages[i - 1] if i else None,
                                                               "next": after}))
    env = _environment()
    (folder / "rec").mkdir()
    for name, template, context in progress(jobs, len(jobs), "building the site"):
        html = env.get_template(template).render(**common, **context, root="../" * name.count("/"), page=name)
        (folder / name).write_text(html, encoding="utf-8")
    _map(guideline, gradings, fragile, folder)
    _assets(folder, guideline, pages, refs, titles)
    return [name for name, _, _ in jobs], note


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
    fig.savefig(folder / MAP_FILE, dpi=100)


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
    (assets / "scheme.css").write_text("\n".join(css) + "\n", encoding="utf-8")
    index = entries(pages, guideline.glossary, refs, titles)
    (assets / "search-index.js").write_text(script(index), encoding="utf-8")


def _labels(guideline: Guideline) -> dict[str, str]:
    """English labels of the diagnostic groups and phases, from the manifest's vocabularies."""
    m = guideline.manifest
    return {v: label for column in ("diagnostic_group", "phase")
            for v, label in m.vocabularies.get(column, {}).items() if label and label != v}


def _ink(background: str) -> str:
    """Black or white text, whichever reads better on a '#rrggbb' background."""
    r, g, b = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    return "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"


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
