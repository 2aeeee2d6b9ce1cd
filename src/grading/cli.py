"""The `grading` command: validate, reproduce and audit a guideline folder."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .collector import quiet_collector
from .errors import GradingError, Problem, ValidationError

if TYPE_CHECKING:
    from .io.guideline import Guideline
    from .scheme import Scheme


def _say(text: str, *, err: bool = False, end: str = "\n") -> None:
    """Print an output with its control characters escaped: data printed raw could drive the terminal."""
    from .render.text import terminal_safe
    print(terminal_safe(text, lines=True), end=end, file=sys.stderr if err else sys.stdout)


def _say_line(text: str) -> None:
    """Print one line whatever its fields hold: a line break in a name or a title is escaped, never a new line."""
    from .render.text import terminal_safe
    print(terminal_safe(text), file=sys.stdout)


def _say_error(message: str) -> None:
    """Print an error: its own later lines indented, so no field inside it can forge a line of its own."""
    from .render.text import terminal_safe
    first, *rest = terminal_safe(message, lines=True).split("\n")
    print("\n".join([f"error: {first}", *(f"  {line}" for line in rest)]), file=sys.stderr)


def _problem(p: Problem) -> None:
    """Print one located problem on one line of stderr, whatever its found value holds."""
    from .render.text import terminal_safe
    print(f"{p.severity}: {terminal_safe(str(p))}", file=sys.stderr)


def _load(args: argparse.Namespace, scheme_option: str = "scheme") -> Guideline:
    """The guideline folder the command works on, graded by the scheme --scheme gives, else the one its
    guideline.toml names, else the default; the scheme says which."""
    from .io.guideline import load_guideline
    given = getattr(args, scheme_option, None)
    guideline = load_guideline(args.root, scheme=given)
    if given is None:
        return guideline
    from .scheme.load import given_origin
    option = "--" + scheme_option.replace("_", "-")
    return guideline.with_scheme(guideline.scheme.from_origin(given_origin(given, option)))


def _write(command: str, fmt: str, *args: object) -> None:
    """Print a command's output in one format, by the writer the registry of formats names."""
    from .render.formats import writer
    _say(writer(command, fmt)(*args), end="")


def cmd_validate(args: argparse.Namespace) -> int:
    from .render.text import plural
    from .revisions import conflicts, saved_revisions
    g = _load(args)
    for p in g.notices:
        _problem(p)
    revisions = saved_revisions(g)
    clashes = conflicts(g, revisions)
    appraisals = _validate_appraisals(g)
    for c in clashes:
        _say(f"warning: {c}", err=True)
    _say(f"{g.root}: valid — {plural(len(g.recommendations), 'recommendation')}, "
         f"{plural(len(g.evidence), 'evidence row')}, {plural(len(g.bibliography.data.entries), 'reference')}, "
         f"{plural(len(g.glossary), 'glossary term')}, {plural(len(g.flags), 'flag')}, "
         f"{plural(len(revisions), 'saved revision')} ({len(clashes)} in conflict). Scheme {g.scheme.describe()}.")
    _say(_validate_working_group(g))
    _say(appraisals)
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    guideline = _load(args)
    if args.appraised:  # graded with the group's counting appraisals applied; said on stderr beside JSON
        from .results import appraised_note, graded_edition
        result = graded_edition(guideline, None, (), appraised=True)  # the published edition: no revision read
        _write("reproduce", args.format, result.guideline, list(result.gradings))
        _say(f"Graded {appraised_note(result)}.", err=args.format == "json")
        return 0
    from .grade import reproduce
    _write("reproduce", args.format, guideline, reproduce(guideline))
    return 0


def cmd_etd(args: argparse.Namespace) -> int:
    from .analyses.agreement import agreements
    from .analyses.etd import etd_tallies
    from .revisions.etd import etd_histories, new_etd, save_etd
    guideline = _load(args)
    known = list(guideline.recommendations.index)
    if args.id is not None and args.id not in known:
        raise ValidationError([Problem("recommendation", "no such recommendation", found=args.id,
                                       allowed=", ".join(known[:8]) + (", …" if len(known) > 8 else ""))])
    if args.save is not None:
        if args.id is None or not args.author:
            raise ValidationError([Problem(str(args.save), "saving an EtD needs the recommendation and its author",
                                           allowed="grading etd ID --save FILE --author NAME")])
        from .revisions.record import read_json
        ok, data, problems = read_json(args.save, str(args.save), "a JSON object with criteria and conclusion "
                                       "(docs/etd.md)", "3 levels (record > criteria > criterion)")
        if not ok or not isinstance(data, dict):
            raise ValidationError(problems or [Problem(str(args.save), "the file does not hold a JSON object",
                                                       allowed="an object with criteria and conclusion")])
        record = new_etd(guideline.scheme, args.id, args.author, data.get("criteria", {}),
                         data.get("conclusion", {}), source=str(args.save))
        _say(f"saved {save_etd(guideline, record)}")
        return 0
    histories = etd_histories(guideline)
    if args.id is not None:
        histories = {args.id: histories[args.id]}
    found = agreements(guideline)
    tallies = {rid: etd_tallies(found[rid], guideline.scheme) for rid in histories if rid in found}
    _write("etd", args.format, guideline, histories, tallies)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    guideline = _load(args)
    if args.fragility:
        from .analyses.fragility import fragility_all
        _write("fragility", args.format, guideline, fragility_all(guideline))
        return 0
    from .analyses.audit import audit
    _write("audit", args.format, guideline, audit(guideline))
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from .analyses.impact import batch_impact, impact, load_batch, load_new_study
    if args.appraisal is None and not args.newstudy.is_file():  # a new-study folder: study.bib, appraisal.csv
        guideline = _load(args)
        study = load_new_study(args.newstudy, guideline)
        _write("impact", args.format, guideline, study, impact(guideline, study))
        return 0
    if args.appraisal is None:
        raise ValidationError([Problem(str(args.newstudy), "a file of new studies needs its appraisal table",
                                       allowed="--appraisal CSV (a key column naming each record, then the "
                                               "columns of a new study's appraisal.csv), or a new-study folder")])
    guideline = _load(args)
    if guideline.scheme.certainty is not None:  # a row rates a body of evidence, not one record of a batch
        raise ValidationError([Problem(str(args.appraisal), "a batch's appraisal rows are rows of evidence, and "
                                       f"this guideline is graded by certainty ({guideline.scheme.name})",
                                       allowed="a new-study folder per study: study.bib and outcomes.csv, the "
                                               "outcome rows as they read with the study added")])
    batch = load_batch(args.newstudy, args.appraisal, guideline)
    _write("impact-batch", args.format, guideline, batch, batch_impact(guideline, batch))
    return 0


def cmd_crosswalk(args: argparse.Namespace) -> int:
    from .analyses.crosswalk import crosswalk_frame
    from .scheme import load_scheme
    from .scheme.load import given_origin
    guideline = _load(args, "from_scheme")
    name = args.scheme or next(n for n in CROSSWALK_DEFAULT if n != guideline.scheme.name)
    target = load_scheme(name, given_origin(name) if args.scheme else "the crosswalk's default")
    _write("crosswalk", args.format, crosswalk_frame(guideline, target), name)
    return 0


def cmd_references(args: argparse.Namespace) -> int:
    from .errors import raise_if_errors
    from .io.bib import ENTRY_TYPES, NO_ENTRIES
    from .io.manifest import DEFAULT_STYLE
    from .io.references import load_references
    from .render.references import format_references
    from .render.text import plural
    title, lang = "References", None
    if args.bib:
        # Any reference list (.bib, .ris, CSL-JSON, MEDLINE, EndNote XML), numbered as it numbers itself. Any entry
        # type is read; one the style cannot format gets a note in the list instead of failing it. A repeated key
        # keeps its first entry, as BibTeX does.
        bib, problems = load_references(args.bib, str(args.bib), known_types=None, keep_first=True)
        raise_if_errors(problems)
        assert bib is not None
        refs = format_references(bib, style=args.style or DEFAULT_STYLE)
    else:
        # A guideline's list: numbered as its evidence cites it, in its manifest's style.
        guideline = _load(args)
        bib, problems = guideline.bibliography, list(guideline.notices)
        refs = format_references(bib, style=args.style or guideline.manifest.citation_style,
                                 numbering=guideline.numbering, root=guideline.root)
        title, lang = guideline.manifest.references_heading, guideline.manifest.language
    if not bib.data.entries:  # a list of nothing is a mistake: a file of comments, another format, a wrong path
        raise_if_errors([Problem(str(bib.path), NO_ENTRIES, line=1, allowed="one or more @type{key, ...} entries")])
    for p in problems:
        _problem(p)
    _write("references", args.format, refs, title, lang)
    failed = sum(1 for r in refs if not r.text)
    noted = sum(1 for r in refs if r.text and r.note)
    unknown = sorted({e.type.lower() for e in bib.data.entries.values()} - ENTRY_TYPES)
    _say(f"{plural(len(refs), 'entry', 'entries')}, {len(refs) - failed} formatted ({noted} of them with a note), "
         f"{failed} not formatted (a note says why)"
         + (f"; entry types unknown to BibTeX and biblatex: {', '.join(unknown)}" if unknown else ""), err=True)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .io.manifest import load_manifest
    from .io.scaffold import new_guideline
    model = "levels"
    if args.scheme:
        from .errors import raise_if_errors
        from .scheme import load_scheme
        model = load_scheme(args.scheme).model
        if args.example:
            raise_if_errors([Problem("grading new", "--example copies the bundled guideline with its own scheme",
                                     column="--scheme", found=str(args.scheme), allowed="--example or --scheme")])
    folder, files = new_guideline(args.folder, example=args.example, model=model)
    shown = ", ".join(str(f) for f in files[:6]) + (f", … ({len(files)} files)" if len(files) > 6 else "")
    if args.example:
        title = load_manifest(folder)[0].heading
        _say(f"wrote {folder}: a copy of the bundled guideline, {title} ({shown}).")
    else:
        _say(f"wrote {folder}: {shown}. Each table holds one example row, marked EXAMPLE; {folder / 'README.md'} "
              "says what to fill in.")
    _say(f"Check it with `grading validate --root {folder}`.")
    return 0


def _shown_scheme(args: argparse.Namespace) -> tuple[Scheme, Path | None]:
    """The scheme `grading scheme` shows, and the guideline folder it grades: --scheme, else the scheme the
    guideline.toml of the folder (--root, $GRADING_ROOT, or the folder around the current one) names, else the
    default."""
    from .errors import raise_if_errors
    from .scheme import DEFAULT, guideline_scheme, load_scheme
    if args.scheme:
        from .scheme.load import given_origin
        return load_scheme(args.scheme, given_origin(args.scheme)), None
    from .io.guideline import bundled_root
    root = args.root if args.root is not None else bundled_root()
    if root is None:
        return load_scheme(DEFAULT, "the default: no guideline folder here or above"), None
    if not root.is_dir():
        raise_if_errors([Problem(str(root), "is not a folder", allowed="a guideline folder (its guideline.toml "
                                 "names its scheme), or --scheme NAME or PATH")])
    from .io.manifest import load_manifest, scheme_problems
    manifest, problems = load_manifest(root)
    raise_if_errors([*problems, *scheme_problems(manifest, root)])  # errors only: notices pass
    return guideline_scheme(None, manifest.scheme, root), root


def cmd_scheme(args: argparse.Namespace) -> int:
    scheme, root = _shown_scheme(args)
    if args.copy is None:
        _write("scheme", args.format, scheme, root)
        return 0
    from .errors import OutputError
    from .io.files import write_atomic
    from .render.formats import scheme_toml
    if args.copy.exists() or args.copy.is_symlink():
        raise OutputError(args.copy, "it exists; a copy is written to a new file only")
    write_atomic(args.copy, scheme_toml(scheme, root))
    _say(f"wrote {args.copy}: a copy of scheme {scheme.describe()} to edit. Grade by it with `--scheme "
         f"{args.copy}`, or name it in guideline.toml (scheme = \"{args.copy.name}\", the copy beside it); "
         f"docs/schemes.md describes every key.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .io.guideline import read_paths
    from .render.formats import writer
    from .render.report import format_for
    guideline, revised, release = _load(args), None, None
    protect = read_paths(guideline)  # a release is read from inside the guideline folder, which stays protected
    if args.release and args.revised:
        raise GradingError("--release and --revised exclude each other: a release has its revisions applied")
    if args.release:
        guideline, release = _release(guideline, args.release)
    elif args.revised:
        from .revisions import apply_revisions
        revised = apply_revisions(guideline)
        for c in revised.conflicts:
            _say(f"warning: left out, conflicts with an earlier revision: {c}", err=True)
    fmt = args.format or format_for(args.output)
    path = writer("report", fmt)(guideline, args.output, revised, release, protect)
    n = len(revised.applied) if revised else 0
    edition = f"revised, {n} revision{'s' if n != 1 else ''} applied" if revised else \
        f"release {args.release}, with its change log" if release else "as published"
    _say(f"wrote {path} ({fmt}, {edition}) — graded by scheme {guideline.scheme.describe()}")
    return 0


# --- publishing for people and for machines: `grading site`, `grading export` (issue 16) ----------------------

def cmd_site(args: argparse.Namespace) -> int:
    from .render.site import build_site
    guideline = _load(args)
    site = build_site(guideline, args.out, revised=args.revised, release=args.release, appraised=args.appraised,
                      pdf=args.pdf)
    pdf = f" and the whole guideline as {site.pdf}" if site.pdf else ""
    _say_line(f"wrote {len(site.pages)} pages to {site.folder}/{pdf} ({site.edition}) — graded by scheme "
              f"{site.scheme}; open {site.index}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .render.formats import writer
    guideline = _load(args)
    path, counts = writer("export", args.format)(guideline, args.out, args.revised, args.appraised)
    shown = ", ".join(f"{n} {what}" for what, n in counts.items())
    _say_line(f"wrote {path} ({args.format}: {shown}) — graded by scheme {guideline.scheme.describe()}")
    return 0


def add_publish_commands(sub, root_help: str) -> None:
    """The `site` and `export` subcommands."""
    from .render.formats import formats
    sp = sub.add_parser("site", help="write the guideline as a static website that opens from disk",
                        description="Write a static website: a page per recommendation, indexes by section and "
                                    "topic and by phase and group, the evidence map, glossary, flags, scheme, "
                                    "references and audit, with search in the browser. It opens from file:// "
                                    "and loads nothing from outside.")
    sp.add_argument("out", type=Path, help="folder to write (new, empty, or a site built earlier: replaced whole)")
    sp.add_argument("--root", type=Path, default=None, help=root_help)
    sp.add_argument("--scheme", default=None, help=SCHEME_HELP)
    sp.add_argument("--release", default=None, metavar="NAME", help="build the release releases/NAME/ of the "
                                                                    "guideline folder, with its change log")
    sp.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    sp.add_argument("--appraised", action="store_true", help=APPRAISED_HELP)
    sp.add_argument("--pdf", action="store_true", help="also print the whole guideline to guideline.pdf in the "
                                                       "folder, with the machine's Chromium (docs/site.md)")
    sp.set_defaults(func=cmd_site)
    ep = sub.add_parser("export", help="write the guideline for other programs: FHIR R5 or the toolkit's JSON",
                        description="Write the whole guideline as one file: --format fhir gives one FHIR R5 "
                                    "Bundle (Citation, Composition and ArtifactAssessment resources, after "
                                    "HL7's EBM-on-FHIR guide); --format json the toolkit's own JSON "
                                    "(docs/export.md describes both).")
    ep.add_argument("out", type=Path, help="file to write (replaced atomically)")
    ep.add_argument("--format", choices=formats("export"), required=True)
    ep.add_argument("--root", type=Path, default=None, help=root_help)
    ep.add_argument("--scheme", default=None, help=SCHEME_HELP)
    ep.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    ep.add_argument("--appraised", action="store_true", help=APPRAISED_HELP)
    ep.set_defaults(func=cmd_export)


FORMAT_HELP = {"scheme": "text: the scheme's table, level rules, named rules and choices; toml: the scheme file "
                          "itself, as --copy writes it"}
APPRAISED_HELP = ("grade with the working group's counting appraisals in evidence/appraisals/ applied "
                  "(APPRAISAL-MAPS-QUALITY; docs/appraisals.md); without it, the quality the text states")
# The scheme `grading crosswalk` maps into when --scheme is not given: the first the guideline is not graded by.
CROSSWALK_DEFAULT = ("grade", "norway-2007")
SCHEME_HELP = ("the scheme to grade by: a bundled name (norway-2007) or a .toml path, e.g. an edited copy that "
               "`grading scheme --copy FILE` writes (default: the scheme guideline.toml names, else norway-2007; "
               "docs/schemes.md describes the format)")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the `grading` command."""
    from .render.formats import formats
    p = argparse.ArgumentParser(prog="grading", description="Grade guideline recommendations against their "
                                "evidence, by a grading scheme declared as data.")
    sub = p.add_subparsers(dest="command", required=True)
    root_help = ("guideline folder (default: $GRADING_ROOT, else the guideline folder around the current folder, "
                 "else the repository's bundled guideline)")
    for name, func, helptext, formatted in (
        ("validate", cmd_validate, "check a guideline folder; exit 0 when clean, 2 when not", False),
        ("reproduce", cmd_reproduce, "derive every level and strength and compare with the published grading",
         True),
        ("audit", cmd_audit, "list what a reviewer must look at", True),
        ("scheme", cmd_scheme, "print the grading scheme a guideline is graded by (its table) and every named "
                               "rule, or the scheme file itself to copy and edit", True),
    ):
        sp = sub.add_parser(name, help=helptext, description=helptext)
        sp.add_argument("--root", type=Path, default=None, help=root_help)
        if formatted:
            sp.add_argument("--format", choices=formats(name), default=formats(name)[0],
                            help=FORMAT_HELP.get(name))
        sp.set_defaults(func=func)
    subs = sub.choices
    subs["scheme"].add_argument("--scheme", default=None, help="a bundled scheme (norway-2007, cost-b13, grade) "
                                "or a .toml path (default: the scheme the guideline folder's guideline.toml names, "
                                "else norway-2007)")
    subs["scheme"].add_argument("--copy", type=Path, default=None, metavar="FILE",
                                help="write the scheme file to FILE (a new file) to edit: a working group's own "
                                     "copy, to pass with --scheme FILE or name in guideline.toml "
                                     "(docs/schemes.md describes the format)")
    subs["reproduce"].add_argument("--appraised", action="store_true", help=APPRAISED_HELP)
    ep = sub.add_parser("etd", help="the panel's Evidence-to-Decision framework per recommendation, or save one",
                        description="Show each recommendation's Evidence-to-Decision framework (the latest saved "
                                    "record in evidence/etd/, else what the guideline's text records), with the "
                                    "votes on each criterion; or, with --save FILE --author NAME, save a new record "
                                    "for one recommendation (never over an earlier one). docs/etd.md.")
    ep.add_argument("id", nargs="?", default=None, help="one recommendation's id (default: every one)")
    ep.add_argument("--root", type=Path, default=None, help=root_help)
    ep.add_argument("--format", choices=formats("etd"), default=formats("etd")[0])
    ep.add_argument("--save", type=Path, default=None, metavar="FILE",
                    help="a JSON file {criteria: {KEY: {judgement, evidence, considerations}}, conclusion: {...}}")
    ep.add_argument("--author", default="", help="who records the EtD (with --save)")
    ep.add_argument("--scheme", default=None, help=SCHEME_HELP)
    ep.set_defaults(func=cmd_etd)
    subs["audit"].add_argument("--fragility", action="store_true",
                               help="for each recommendation, the smallest single-row change that moves its grading")
    ip = sub.add_parser("impact", help="which recommendations a new study, or a batch of them, would move",
                        description="Given a new-study folder (study.bib with one entry — or study.ris, "
                                    ".json, .nbib, .xml — and appraisal.csv with its "
                                    "appraisal rows by topic), list every recommendation whose derived level, "
                                    "strength or verdict would change. Given a file of many records (.bib, .ris, "
                                    "CSL-JSON, MEDLINE or EndNote XML) and --appraisal CSV keyed by record, list in "
                                    "one table what each record alone and the whole batch together would move. "
                                    "Examples: docs/examples/new-study, docs/examples/new-studies.")
    ip.add_argument("newstudy", type=Path, help="the new-study folder, or a file of new studies' records")
    ip.add_argument("--appraisal", type=Path, default=None, metavar="CSV",
                    help="with a file of records: their appraisal rows, a `key` column naming each row's record "
                         "(its key or citation number) and the columns of a new study's appraisal.csv")
    ip.add_argument("--root", type=Path, default=None, help=root_help)
    ip.add_argument("--format", choices=formats("impact"), default=formats("impact")[0])
    ip.set_defaults(func=cmd_impact)
    for name in ("validate", "reproduce", "audit", "impact"):
        subs[name].add_argument("--scheme", default=None, help=SCHEME_HELP)
    cp = sub.add_parser("crosswalk", help="the guideline under another grading scheme, labelled as a mapping")
    cp.add_argument("--scheme", default=None, help="a bundled scheme (grade, cost-b13, norway-2007) or a .toml path "
                                                 "(default: grade; for a guideline graded by grade, norway-2007)")
    cp.add_argument("--from-scheme", default=None, help="the scheme the guideline's published grades are read by "
                                                        "(default: the scheme guideline.toml names, else "
                                                        "norway-2007)")
    cp.add_argument("--root", type=Path, default=None, help=root_help)
    cp.add_argument("--format", choices=formats("crosswalk"), default=formats("crosswalk")[0])
    cp.set_defaults(func=cmd_crosswalk)
    bp = sub.add_parser("references", help="render a reference list, numbered, from any .bib, .ris, CSL-JSON, "
                                           "MEDLINE or EndNote XML file",
                        description="Render a numbered reference list; an entry that cannot be formatted carries "
                                    "a one-line note instead of failing the list.")
    bp.add_argument("--bib", type=Path, default=None,
                    help="a reference list: .bib, .ris, .json/.csljson (CSL-JSON), .nbib/.medline/.txt (MEDLINE) or "
                         ".xml (EndNote XML), chosen by its suffix or, where that says otherwise, its content "
                         "(default: the guideline's own list, references.bib unless guideline.toml names another)")
    bp.add_argument("--root", type=Path, default=None, help=root_help)
    bp.add_argument("--format", choices=formats("references"), default=formats("references")[0])
    bp.add_argument("--style", default=None, help="a CSL style by name (vancouver, apa, american-medical-association, "
                    "...) or a .csl path (default: the guideline manifest's citation_style, else vancouver)")
    bp.set_defaults(func=cmd_references)
    np_ = sub.add_parser("new", help="write a new guideline folder to fill in (or a copy of the bundled one)",
                         description="Write a guideline folder that validates as it is: a commented manifest "
                                     "(guideline.toml), the tables with their headers and one example row each, an "
                                     "empty references.bib with a commented example entry, and a README of what to "
                                     "fill in. Refuses a folder that is not empty.")
    np_.add_argument("folder", type=Path, help="the folder to write (new, or empty)")
    np_.add_argument("--example", action="store_true",
                     help="copy the guideline bundled with the package instead of the empty template")
    np_.add_argument("--scheme", default=None,
                     help="the scheme to fill it in for: a bundled name or a .toml file; 'grade' writes a GRADE "
                          "guideline (evidence/outcomes.csv, the evidence profiles)")
    np_.set_defaults(func=cmd_new)
    rp = sub.add_parser("report", help="write the guideline's tables with the numbered reference list",
                        description="Write the guideline's three-column tables per section, with the numbered "
                                    "reference list, as a self-contained HTML page or as Markdown.")
    rp.add_argument("--root", type=Path, default=None, help=root_help)
    rp.add_argument("--format", choices=formats("report"), default=None,
                    help="output format (default: from the output file name; .md is Markdown, else HTML)")
    rp.add_argument("--output", type=Path, required=True, help="file to write (replaced atomically)")
    rp.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    rp.add_argument("--release", default=None, metavar="NAME",
                    help="render releases/NAME/ (see `grading release`) with its change log")
    rp.add_argument("--scheme", default=None, help=SCHEME_HELP)
    rp.set_defaults(func=cmd_report)
    _working_group_parsers(sub, root_help)
    add_publish_commands(sub, root_help)
    _appraisal_parsers(sub, root_help)
    return p


# --- the working group: panel, votes, releases (evidence/panel.csv, evidence/votes/, releases/) ----------------

def _validate_working_group(g: Guideline) -> str:
    """Check the panel, the votes and the texts' strength wording; print warnings, return the summary line."""
    from .analyses.agreement import load_votes_and_panel
    from .analyses.wording import check_wording, wording_problems
    from .revisions import apply_revisions
    from .revisions.votes import vote_conflicts
    panel, votes = load_votes_and_panel(g)
    revised = apply_revisions(g)
    clashes = vote_conflicts(votes, revised)
    for c in clashes:
        _say(f"warning: {c}", err=True)
    wrong = {w.recommendation_id: w for w in wording_problems(g.records, g.scheme)}
    wrong.update({w.recommendation_id: w for w in wording_problems(revised.guideline.records, g.scheme)})
    for w in wrong.values():
        _say(f"warning: {w} (WORDING-STATES-STRENGTH)", err=True)
    stating = sum(check_wording(r, g.scheme) is not None for r in revised.guideline.records)
    who = f"panel of {len(panel)}" if panel is not None else "no panel (evidence/panel.csv)"
    voted = len({v.recommendation_id for v in votes})
    return (f"Working group: {who}; {len(votes)} votes on {voted} recommendations ({len(clashes)} to look at). "
            f"Strength wording: {stating} texts name their strength, {len(wrong)} disagree with the recorded one.")


def _validate_appraisals(g: Guideline) -> str:
    """Read every saved appraisal file (a damaged one, an unknown instrument, domain, judgement or reference is a
    located error); return the summary line."""
    from .revisions.appraisals import load_appraisals, standings
    from .scheme.instruments import all_instruments, load_appraisal_rules
    instruments = all_instruments()
    appraisals = load_appraisals(g, instruments)
    where = standings(appraisals, load_appraisal_rules(g.scheme, instruments), instruments)
    counting = sum(s.counts is not None for s in where.values())
    return (f"Appraisals: {len(appraisals)} saved on {len(where)} references, {counting} counting "
            "(evidence/appraisals/).")


def _release(g: Guideline, name: str) -> tuple[Guideline, dict]:
    """A release folder of this guideline as a guideline, with its change log."""
    from .revisions.release import read_change_log, release_state
    state = release_state(g, name)
    return state.guideline, read_change_log(state.guideline.root / "changes.json")


def cmd_vote(args: argparse.Namespace) -> int:
    from .analyses.agreement import agreements
    from .revisions import apply_revisions
    from .revisions.votes import new_vote, save_vote
    g = _load(args)
    asked = {"validity": args.validity, "applicability": args.applicability, "benefit_harm": args.benefit_harm}
    etd = dict(item.split("=", 1) if "=" in item else (item, "") for item in args.etd)
    missing = [q for q, v in asked.items() if v is None]
    if missing and not etd:
        raise ValidationError([Problem("vote", "a vote answers the three questions, or judges EtD criteria",
                                       column=", ".join(f"--{q.replace('_', '-')}" for q in missing),
                                       allowed="yes, no or abstain each; or --etd KEY=JUDGEMENT")])
    vote = new_vote(g.scheme, args.recommendation, args.member, {q: v or "abstain" for q, v in asked.items()},
                    args.comment or "", args.strength, args.revision, etd=etd)
    path = save_vote(g, vote, apply_revisions(g) if args.revision else None)
    _say(f"saved {path}")
    a = agreements(g)[vote.recommendation_id]
    for q, t in a.tallies.items():
        _say(f"  {q:14} {t.yes} yes, {t.no} no, {t.abstain} abstain, {t.recused} recused: {t.explain()}")
    for b in a.ballots:
        if not b.counted:
            _say(f"  not counted: {b.vote.member} — {b.why_not}")
    if a.proposed:
        _say("  strengths proposed: " + ", ".join(f"{k} ({n})" for k, n in a.proposed.items()))
    if vote.etd:
        from .analyses.etd import etd_tallies
        for key, et in etd_tallies(a, g.scheme).items():
            _say(f"  EtD {key}: {et.counted}; {et.outcome}"
                 + (f" {et.decided}" if et.decided else "") + f" ({et.rule}: {et.because})")
    _say(f"Tallied by scheme {g.scheme.describe()}.")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .render.release import make_release
    from .revisions.release import read_change_log
    g = _load(args)
    path = make_release(g, args.name, args.note or "")
    log = read_change_log(path / "changes.json")
    counts = {k: sum(e["status"] == k for e in log["recommendations"]) for k in ("changed", "reaffirmed")}
    since = "the published guideline" if log["since"] == "published" else f"release {log['since']}"
    _say(f"wrote {path} (read-only): {counts['changed']} recommendations changed and {counts['reaffirmed']} "
          f"re-affirmed since {since}; {len(log['revisions'])} revisions and {len(log['votes'])} votes applied. "
          f"See {path / 'CHANGES.md'}. Graded by scheme {log['scheme']}.")
    return 0


def cmd_changes(args: argparse.Namespace) -> int:
    from .revisions.release import base_state, change_log, now_state
    g = _load(args)
    _write("changes", args.format, change_log(base_state(g, args.since), now_state(g), ""))
    return 0


def _working_group_parsers(sub, root_help: str) -> None:
    from .render.formats import formats
    vp = sub.add_parser("vote", help="cast a working-group member's vote on a recommendation",
                        description="Save one member's vote (yes, no or abstain on validity, applicability and "
                                    "benefit/harm) as a new file under evidence/votes/<id>/, then print the tally. "
                                    "A later vote by the same member supersedes the earlier one; both are kept.")
    vp.add_argument("recommendation", help="the recommendation id, e.g. 7.1.1-11")
    vp.add_argument("--member", required=True, help="the member's name as evidence/panel.csv writes it")
    for q in ("validity", "applicability", "benefit-harm"):
        vp.add_argument(f"--{q}", default=None, choices=("yes", "no", "abstain"),
                        help="required, unless the vote judges EtD criteria (--etd); then abstain by default")
    vp.add_argument("--etd", action="append", default=[], metavar="KEY=JUDGEMENT",
                    help="the member's judgement on one criterion of the scheme's Evidence-to-Decision framework "
                         "(repeatable; docs/etd.md), e.g. --etd \"desirable_effects=small\"")
    vp.add_argument("--strength", default=None, help="the strength the member proposes (optional)")
    vp.add_argument("--comment", default=None, help="why; required with a no")
    vp.add_argument("--revision", default=None, metavar="FILE",
                    help="the revision the vote is about: a file name in evidence/revisions/<id>/ (optional)")
    vp.set_defaults(func=cmd_vote)
    rl = sub.add_parser("release", help="freeze the guideline as it stands now, with a change log",
                        description="Write releases/NAME/: a guideline folder with the saved revisions and votes "
                                    "applied, read-only, with CHANGES.md and changes.json saying what changed since "
                                    "the previous release (or the published guideline). A name is used once.")
    rl.add_argument("name", help="the release's name, e.g. 2026-1")
    rl.add_argument("--note", default=None, help="a note for the change log")
    rl.set_defaults(func=cmd_release)
    cg = sub.add_parser("changes", help="the change log from a release (or the published guideline) to now",
                        description="What changed since a release: text, strength, level, evidence, the agreement "
                                    "tally, who revised and why; default: since the latest release, or since the "
                                    "published guideline when there is none.")
    cg.add_argument("--since", default=None, help="a release name, or 'published'")
    cg.add_argument("--format", choices=formats("changes"), default=formats("changes")[0])
    cg.set_defaults(func=cmd_changes)
    for sp in (vp, rl, cg):
        sp.add_argument("--root", type=Path, default=None, help=root_help)
        sp.add_argument("--scheme", default=None, help=SCHEME_HELP)


# What a command that stopped at a problem did not do: each says its own, none claims to have graded.
NOT_DONE = {"validate": "the guideline is not valid", "reproduce": "nothing was graded",
            "audit": "nothing was audited", "impact": "nothing was graded", "crosswalk": "nothing was mapped",
            "references": "no list was rendered", "report": "nothing was written", "scheme": "no scheme was shown",
            "new": "nothing was written", "vote": "no vote was saved", "release": "no release was written",
            "changes": "no change log was made", "site": "no site was written",
            "export": "nothing was exported"}


# --- the working group's appraisals (evidence/appraisals/, docs/appraisals.md) -------------------------------------

NOT_DONE.update({"appraise": "no appraisal was saved", "appraisals": "no appraisal was shown"})


def cmd_appraise(args: argparse.Namespace) -> int:
    from .analyses.appraisals import appraisal_loop
    from .revisions.appraisals import new_appraisal, parse_domains, save_appraisal
    from .scheme.instruments import all_instruments
    g = _load(args)
    instruments = all_instruments()
    appraisal = new_appraisal(args.reference, args.instrument, args.member, args.overall,
                              parse_domains(args.domain or ()), args.rationale or "", args.reconciled,
                              instruments=instruments)
    path = save_appraisal(g, appraisal, instruments=instruments)
    _say(f"saved {path}")
    loop = appraisal_loop(g, instruments=instruments)
    key = path.parent.name
    s = loop.standings[key]
    _say(f"  {'counts' if s.counts else 'does not count yet'}: {s.why}")
    for a in s.agreements:
        _say(f"  agreement: {a.describe()}")
    for settled in loop.settled:
        if any(a.reference == key for a in settled.by):
            _say(f"  {settled.recommendation_id}: {settled.describe(g, instruments)}")
    _say(f"Counted by {loop.rules.describe()}; graded by scheme {g.scheme.describe()}.")
    return 0


def cmd_appraisals(args: argparse.Namespace) -> int:
    from .analyses.appraisals import appraisal_loop
    from .scheme.instruments import all_instruments
    g = _load(args)
    instruments = all_instruments()
    _write("appraisals", args.format, g, appraisal_loop(g, instruments=instruments), instruments)
    return 0


def _appraisal_parsers(sub, root_help: str) -> None:
    from .render.formats import formats
    ap = sub.add_parser("appraise", help="save a member's appraisal of a reference with a named instrument",
                        description="Save one member's appraisal of one reference (its number or BibTeX key) with "
                                    "an instrument (amstar-2, rob-2, robins-i, agree-ii, quadas-2) as a new file "
                                    "under evidence/appraisals/<key>/; it sets the quality of the evidence rows "
                                    "citing the reference by the scheme's APPRAISAL-MAPS-QUALITY once it counts "
                                    "(APPRAISAL-RECONCILED). Nothing is overwritten.")
    ap.add_argument("reference", help="the reference's number or BibTeX key, e.g. 4 or ref004")
    ap.add_argument("--instrument", required=True, help="amstar-2, rob-2, robins-i, agree-ii or quadas-2")
    ap.add_argument("--member", required=True, help="the appraiser's name")
    ap.add_argument("--overall", required=True, help="the instrument's overall judgement, e.g. low")
    ap.add_argument("--domain", action="append", metavar="KEY=JUDGEMENT", help="one domain's judgement, e.g. "
                    "D1=low (repeat for each domain)")
    ap.add_argument("--rationale", default=None, help="why")
    ap.add_argument("--reconciled", action="store_true",
                    help="the appraisal the members agreed after appraising independently")
    ap.set_defaults(func=cmd_appraise)
    lp = sub.add_parser("appraisals", help="the group's appraisals: who, agreement (kappa), what counts, and the "
                        "verdicts they settled")
    lp.add_argument("--format", choices=formats("appraisals"), default=formats("appraisals")[0])
    lp.set_defaults(func=cmd_appraisals)
    for sp in (ap, lp):
        sp.add_argument("--root", type=Path, default=None, help=root_help)
        sp.add_argument("--scheme", default=None, help=SCHEME_HELP)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print located messages and exit 2, never a traceback."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a character gets an escape, not a crash
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
    args = parser().parse_args(argv)
    try:
        os.getcwd()
    except FileNotFoundError:
        _say_error("the current folder no longer exists (it was deleted or moved while this shell was in it); "
                   "change to an existing folder (e.g. `cd ~`) and run the command again; nothing was done")
        return 2
    try:
        with quiet_collector():  # a command is one short process: what it builds lives until it ends
            return args.func(args)
    except ValidationError as e:
        errors = [p for p in e.problems if p.severity == "error"]
        for p in e.problems:
            _problem(p)
        _say(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; "
             f"{NOT_DONE.get(args.command, 'nothing was done')}.", err=True)
        return 2
    except GradingError as e:
        _say_error(str(e))
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
