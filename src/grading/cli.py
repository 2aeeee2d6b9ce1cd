"""The `grading` command: validate, reproduce and audit a guideline folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GradingError, ValidationError

if TYPE_CHECKING:
    from .io.guideline import Guideline


def _load(args: argparse.Namespace) -> Guideline:
    """The guideline folder the command works on, graded by the one scheme it names (or its default)."""
    from .io.guideline import load_guideline
    return load_guideline(args.root, scheme=getattr(args, "scheme", None))


def cmd_validate(args: argparse.Namespace) -> int:
    from .revisions import conflicts, load_revisions
    g = _load(args)
    for p in g.notices:
        print(f"notice: {p}", file=sys.stderr)
    revisions = load_revisions(g.root, g.scheme)
    clashes = conflicts(g, revisions)
    for c in clashes:
        print(f"warning: {c}", file=sys.stderr)
    print(f"{g.root}: valid — {len(g.recommendations)} recommendations, {len(g.evidence)} evidence rows, "
          f"{len(g.bibliography.data.entries)} references, {len(g.glossary)} glossary terms, {len(g.flags)} flags, "
          f"{len(revisions)} saved revisions ({len(clashes)} in conflict). Scheme {g.scheme.describe()}.")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .grade import reproduce
    from .render.text import gradings_json, gradings_table
    gradings = reproduce(_load(args))
    print(gradings_json(gradings) if args.format == "json" else gradings_table(gradings))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from .analyses.audit import audit
    from .render.text import findings_json, findings_text, fragility_json, fragility_text
    guideline = _load(args)
    if args.fragility:
        from .analyses.fragility import fragility_all
        found = fragility_all(guideline)
        print(fragility_json(found) if args.format == "json" else fragility_text(found, guideline.scheme))
        return 0
    findings = audit(guideline)
    print(findings_json(findings, guideline.scheme) if args.format == "json"
          else findings_text(findings, guideline.scheme))
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from .analyses.impact import impact, load_new_study, matched
    from .render.text import impact_json, impact_text
    guideline, study = _load(args), load_new_study(args.newstudy)
    moved = impact(guideline, study)
    print(impact_json(moved) if args.format == "json"
          else impact_text(study, matched(guideline, study), moved, guideline.scheme))
    return 0


def cmd_crosswalk(args: argparse.Namespace) -> int:
    from .analyses.crosswalk import NOTE, crosswalk_frame
    from .io.guideline import load_guideline
    frame = crosswalk_frame(load_guideline(args.root, scheme=args.from_scheme), args.scheme)
    if args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False, indent=2))
    else:
        cols = ["id", "published_strength", "published_level", "level", "level_rule", "strength"]
        print(frame[cols].fillna("-").to_string(index=False))
        print(f"\nEvery {args.scheme} grade above is a {NOTE}.")
    return 0


def cmd_references(args: argparse.Namespace) -> int:
    from .errors import raise_if_errors
    from .io.bib import ENTRY_TYPES, load_bibliography
    from .io.guideline import bundled_root
    from .render.references import format_references, render_references
    path = args.bib or (args.root or bundled_root()) / "references.bib"
    # Any entry type is read; one the style cannot format gets a note in the list instead of failing it.
    bib, problems = load_bibliography(path, str(path), known_types=None)
    raise_if_errors(problems)
    assert bib is not None
    for p in problems:
        print(f"notice: {p}", file=sys.stderr)
    refs = format_references(bib)
    print(render_references(refs, args.format), end="")
    failed = sum(1 for r in refs if not r.text)
    unknown = sorted({e.type.lower() for e in bib.data.entries.values()} - ENTRY_TYPES)
    print(f"{len(refs)} entries, {len(refs) - failed} formatted, {failed} with a note"
          + (f"; entry types unknown to BibTeX and biblatex: {', '.join(unknown)}" if unknown else ""),
          file=sys.stderr)
    return 0


def cmd_scheme(args: argparse.Namespace) -> int:
    from .render.text import scheme_text
    from .scheme import DEFAULT, load_scheme
    print(scheme_text(load_scheme(args.scheme or DEFAULT)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .render.report import format_for, publish
    guideline, revised = _load(args), None
    if args.revised:
        from .revisions import apply_revisions
        revised = apply_revisions(guideline)
        for c in revised.conflicts:
            print(f"warning: left out, conflicts with an earlier revision: {c}", file=sys.stderr)
    fmt = args.format or format_for(args.output)
    path = publish(guideline, args.output, fmt, revised)
    n = len(revised.applied) if revised else 0
    edition = f"revised, {n} revision{'s' if n != 1 else ''} applied" if revised else "as published"
    print(f"wrote {path} ({fmt}, {edition}) — graded by scheme {guideline.scheme.describe()}")
    return 0


# --- publishing for people and for machines: `grading site`, `grading export` (issue 16) ----------------------

def cmd_site(args: argparse.Namespace) -> int:
    from .render.site import build_site
    guideline = _load(args)
    site = build_site(guideline, args.out, revised=args.revised, release=args.release)
    print(f"wrote {len(site.pages)} pages to {site.folder}/ ({site.edition}) — graded by scheme {site.scheme}; "
          f"open {site.index}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .render.export import export
    guideline = _load(args)
    path, counts = export(guideline, args.out, args.format, revised=args.revised)
    shown = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"wrote {path} ({args.format}: {shown}) — graded by scheme {guideline.scheme.describe()}")
    return 0


def add_publish_commands(sub, root_help: str) -> None:
    """The `site` and `export` subcommands."""
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
    sp.set_defaults(func=cmd_site)
    ep = sub.add_parser("export", help="write the guideline for other programs: FHIR R5 or the toolkit's JSON",
                        description="Write the whole guideline as one file: --format fhir gives one FHIR R5 "
                                    "Bundle (Citation, Composition and ArtifactAssessment resources, after "
                                    "HL7's EBM-on-FHIR guide); --format json the toolkit's own JSON "
                                    "(docs/export.md describes both).")
    ep.add_argument("out", type=Path, help="file to write (replaced atomically)")
    ep.add_argument("--format", choices=("fhir", "json"), required=True)
    ep.add_argument("--root", type=Path, default=None, help=root_help)
    ep.add_argument("--scheme", default=None, help=SCHEME_HELP)
    ep.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    ep.set_defaults(func=cmd_export)


SCHEME_HELP = ("the scheme to grade by: a bundled name (norway-2007) or a .toml path, e.g. an edited copy of "
               "src/grading/scheme/bundled/norway-2007.toml (default: norway-2007)")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the `grading` command."""
    p = argparse.ArgumentParser(prog="grading", description="Grade guideline recommendations against their "
                                "evidence, by a grading scheme declared as data.")
    sub = p.add_subparsers(dest="command", required=True)
    root_help = "guideline folder (default: the guideline bundled in this repository)"
    for name, func, helptext, formats in (
        ("validate", cmd_validate, "check a guideline folder; exit 0 when clean, 2 when not", None),
        ("reproduce", cmd_reproduce, "derive every level and strength and compare with the published grading",
         ("table", "json")),
        ("audit", cmd_audit, "list what a reviewer must look at", ("text", "json")),
        ("scheme", cmd_scheme, "print the grading scheme (Table 1) and every named rule", None),
    ):
        sp = sub.add_parser(name, help=helptext, description=helptext)
        sp.add_argument("--root", type=Path, default=None, help=root_help)
        if formats:
            sp.add_argument("--format", choices=formats, default=formats[0])
        sp.set_defaults(func=func)
    subs = sub.choices
    subs["scheme"].add_argument("--scheme", default=None, help="a bundled scheme (norway-2007, cost-b13, grade) "
                                "or a .toml path (default: norway-2007)")
    subs["audit"].add_argument("--fragility", action="store_true",
                               help="for each recommendation, the smallest single-row change that moves its grading")
    ip = sub.add_parser("impact", help="which recommendations a new study would move",
                        description="Given a new-study folder (study.bib with one entry, appraisal.csv with its "
                                    "appraisal rows by topic), list every recommendation whose derived level, "
                                    "strength or verdict would change. Example: docs/examples/new-study.")
    ip.add_argument("newstudy", type=Path, help="the new-study folder")
    ip.add_argument("--root", type=Path, default=None, help=root_help)
    ip.add_argument("--format", choices=("text", "json"), default="text")
    ip.set_defaults(func=cmd_impact)
    for name in ("validate", "reproduce", "audit", "impact"):
        subs[name].add_argument("--scheme", default=None, help=SCHEME_HELP)
    cp = sub.add_parser("crosswalk", help="the guideline under another grading scheme, labelled as a mapping")
    cp.add_argument("--scheme", default="grade", help="a bundled scheme (grade, cost-b13, norway-2007) or a "
                                                      ".toml path (default: grade)")
    cp.add_argument("--from-scheme", default=None, help="the scheme the guideline's published grades are read by "
                                                        "(default: norway-2007)")
    cp.add_argument("--root", type=Path, default=None, help=root_help)
    cp.add_argument("--format", choices=("table", "json"), default="table")
    cp.set_defaults(func=cmd_crosswalk)
    bp = sub.add_parser("references", help="render a reference list, numbered, from any .bib",
                        description="Render a numbered reference list; an entry that cannot be formatted carries "
                                    "a one-line note instead of failing the list.")
    bp.add_argument("--bib", type=Path, default=None, help="a .bib file (default: the guideline's references.bib)")
    bp.add_argument("--root", type=Path, default=None, help=root_help)
    bp.add_argument("--format", choices=("text", "html", "md"), default="text")
    bp.set_defaults(func=cmd_references)
    rp = sub.add_parser("report", help="write the guideline's tables with the numbered reference list",
                        description="Write the guideline's three-column tables per section, with the numbered "
                                    "reference list, as a self-contained HTML page or as Markdown.")
    rp.add_argument("--root", type=Path, default=None, help=root_help)
    rp.add_argument("--format", choices=("html", "md"), default=None,
                    help="output format (default: from the output file name; .md is Markdown, else HTML)")
    rp.add_argument("--output", type=Path, required=True, help="file to write (replaced atomically)")
    rp.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    rp.add_argument("--scheme", default=None, help=SCHEME_HELP)
    rp.set_defaults(func=cmd_report)
    add_publish_commands(sub, root_help)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print located messages and exit 2, never a traceback."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as e:
        errors = [p for p in e.problems if p.severity == "error"]
        for p in e.problems:
            print(f"{p.severity}: {p}", file=sys.stderr)
        print(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; nothing was done.", file=sys.stderr)
        return 2
    except GradingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
