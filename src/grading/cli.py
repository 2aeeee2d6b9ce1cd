"""The `grading` command: validate, reproduce and audit a guideline folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import GradingError, Problem, ValidationError

if TYPE_CHECKING:
    from .io.guideline import Guideline


def _say(text: str, *, err: bool = False, end: str = "\n") -> None:
    """Print an output with its control characters escaped: data printed raw could drive the terminal."""
    from .render.text import terminal_safe
    print(terminal_safe(text, lines=True), end=end, file=sys.stderr if err else sys.stdout)


def _problem(p: Problem) -> None:
    """Print one located problem on one line of stderr, whatever its found value holds."""
    from .render.text import terminal_safe
    print(f"{p.severity}: {terminal_safe(str(p))}", file=sys.stderr)


def _load(args: argparse.Namespace) -> Guideline:
    """The guideline folder the command works on, graded by the one scheme it names (or its default)."""
    from .io.guideline import load_guideline
    return load_guideline(args.root, scheme=getattr(args, "scheme", None))


def cmd_validate(args: argparse.Namespace) -> int:
    from .render.text import plural
    from .revisions import conflicts, load_revisions
    g = _load(args)
    for p in g.notices:
        _problem(p)
    revisions = load_revisions(g.root, g.scheme)
    clashes = conflicts(g, revisions)
    for c in clashes:
        _say(f"warning: {c}", err=True)
    _say(f"{g.root}: valid — {plural(len(g.recommendations), 'recommendation')}, "
         f"{plural(len(g.evidence), 'evidence row')}, {plural(len(g.bibliography.data.entries), 'reference')}, "
         f"{plural(len(g.glossary), 'glossary term')}, {plural(len(g.flags), 'flag')}, "
         f"{plural(len(revisions), 'saved revision')} ({len(clashes)} in conflict). Scheme {g.scheme.describe()}.")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .grade import reproduce
    from .render.text import gradings_json, gradings_table
    gradings = reproduce(_load(args))
    _say(gradings_json(gradings) if args.format == "json" else gradings_table(gradings))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from .analyses.audit import audit
    from .render.text import findings_json, findings_text, fragility_json, fragility_text
    guideline = _load(args)
    if args.fragility:
        from .analyses.fragility import fragility_all
        found = fragility_all(guideline)
        _say(fragility_json(found) if args.format == "json" else fragility_text(found, guideline.scheme))
        return 0
    findings = audit(guideline)
    _say(findings_json(findings, guideline.scheme) if args.format == "json"
         else findings_text(findings, guideline.scheme))
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from .analyses.impact import impact, load_new_study, matched
    from .render.text import impact_json, impact_text
    guideline, study = _load(args), load_new_study(args.newstudy)
    moved = impact(guideline, study)
    _say(impact_json(moved) if args.format == "json"
         else impact_text(study, matched(guideline, study), moved, guideline.scheme))
    return 0


def cmd_crosswalk(args: argparse.Namespace) -> int:
    from .analyses.crosswalk import NOTE, crosswalk_frame
    from .io.guideline import load_guideline
    frame = crosswalk_frame(load_guideline(args.root, scheme=args.from_scheme), args.scheme)
    if args.format == "json":
        _say(frame.to_json(orient="records", force_ascii=False, indent=2))
    else:
        cols = ["id", "published_strength", "published_level", "level", "level_rule", "strength"]
        _say(frame[cols].fillna("-").to_string(index=False))
        _say(f"\nEvery {args.scheme} grade above is a {NOTE}.")
    return 0


def cmd_references(args: argparse.Namespace) -> int:
    from .errors import raise_if_errors
    from .io.bib import ENTRY_TYPES, load_bibliography
    from .io.guideline import bundled_root
    from .render.references import format_references, references_page, render_references
    from .render.text import plural
    path = args.bib or (args.root or bundled_root()) / "references.bib"
    # Any entry type is read; one the style cannot format gets a note in the list instead of failing it. A repeated
    # key keeps its first entry, as BibTeX does: one entry never fails the list.
    bib, problems = load_bibliography(path, str(path), known_types=None, keep_first=True)
    raise_if_errors(problems)
    assert bib is not None
    for p in problems:
        _problem(p)
    refs = format_references(bib)
    _say(references_page(refs) if args.format == "html" else render_references(refs, args.format), end="")
    failed = sum(1 for r in refs if not r.text)
    unknown = sorted({e.type.lower() for e in bib.data.entries.values()} - ENTRY_TYPES)
    _say(f"{plural(len(refs), 'entry', 'entries')}, {len(refs) - failed} formatted, {failed} with a note"
         + (f"; entry types unknown to BibTeX and biblatex: {', '.join(unknown)}" if unknown else ""), err=True)
    return 0


def cmd_scheme(args: argparse.Namespace) -> int:
    from .render.text import scheme_text
    from .scheme import DEFAULT, load_scheme
    _say(scheme_text(load_scheme(args.scheme or DEFAULT)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .render.report import format_for, publish
    guideline, revised = _load(args), None
    if args.revised:
        from .revisions import apply_revisions
        revised = apply_revisions(guideline)
        for c in revised.conflicts:
            _say(f"warning: left out, conflicts with an earlier revision: {c}", err=True)
    fmt = args.format or format_for(args.output)
    path = publish(guideline, args.output, fmt, revised)
    n = len(revised.applied) if revised else 0
    edition = f"revised, {n} revision{'s' if n != 1 else ''} applied" if revised else "as published"
    _say(f"wrote {path} ({fmt}, {edition}) — graded by scheme {guideline.scheme.describe()}")
    return 0


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
    return p


# What a command that stopped at a problem did not do: each says its own, none claims to have graded.
NOT_DONE = {"validate": "the guideline is not valid", "reproduce": "nothing was graded",
            "audit": "nothing was audited", "impact": "nothing was graded", "crosswalk": "nothing was mapped",
            "references": "no list was rendered", "report": "nothing was written", "scheme": "no scheme was shown"}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print located messages and exit 2, never a traceback."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as e:
        errors = [p for p in e.problems if p.severity == "error"]
        for p in e.problems:
            _problem(p)
        _say(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; {NOT_DONE[args.command]}.", err=True)
        return 2
    except GradingError as e:
        _say(f"error: {e}", err=True)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
