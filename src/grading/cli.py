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
