"""The `grading` command: validate, reproduce and audit a guideline folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import GradingError, ValidationError


def _load(args):
    from .guideline import load_guideline
    return load_guideline(args.root)


def cmd_validate(args) -> int:
    g = _load(args)
    for p in g.notices:
        print(f"notice: {p}", file=sys.stderr)
    print(f"{g.root}: valid — {len(g.recommendations)} recommendations, {len(g.evidence)} evidence rows, "
          f"{len(g.bibliography.data.entries)} references, {len(g.glossary)} glossary terms, {len(g.flags)} flags.")
    return 0


def cmd_reproduce(args) -> int:
    from .grade import reproduce
    from .report import gradings_json, gradings_table
    gradings = reproduce(_load(args))
    print(gradings_json(gradings) if args.format == "json" else gradings_table(gradings))
    return 0


def cmd_audit(args) -> int:
    from .audit import audit
    from .report import findings_json, findings_text
    findings = audit(_load(args))
    print(findings_json(findings) if args.format == "json" else findings_text(findings))
    return 0


def cmd_scheme(args) -> int:
    from .report import scheme_text
    print(scheme_text())
    return 0


def cmd_report(args) -> int:
    from .publish import format_for, publish
    guideline, revised = _load(args), None
    if args.revised:
        from .revise import apply_revisions
        revised = apply_revisions(guideline)
        for c in revised.conflicts:
            print(f"warning: left out, conflicts with an earlier revision: {c}", file=sys.stderr)
    fmt = args.format or format_for(args.output)
    path = publish(guideline, args.output, fmt, revised)
    n = len(revised.applied) if revised else 0
    edition = f"revised, {n} revision{'s' if n != 1 else ''} applied" if revised else "as published"
    print(f"wrote {path} ({fmt}, {edition})")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of the `grading` command."""
    p = argparse.ArgumentParser(prog="grading", description="Grade guideline recommendations against their "
                                "evidence (2007 Norwegian scheme).")
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
    rp = sub.add_parser("report", help="write the guideline's tables with the numbered reference list",
                        description="Write the guideline's three-column tables per section, with the numbered "
                                    "reference list, as a self-contained HTML page or as Markdown.")
    rp.add_argument("--root", type=Path, default=None, help=root_help)
    rp.add_argument("--format", choices=("html", "md"), default=None,
                    help="output format (default: from the output file name; .md is Markdown, else HTML)")
    rp.add_argument("--output", type=Path, required=True, help="file to write (replaced atomically)")
    rp.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    rp.set_defaults(func=cmd_report)
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
        print(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; nothing was graded.", file=sys.stderr)
        return 2
    except GradingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
