"""The `grading` command: validate, reproduce and audit a guideline folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .collector import quiet_collector
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
    from .revisions import conflicts, saved_revisions
    g = _load(args)
    for p in g.notices:
        _problem(p)
    revisions = saved_revisions(g)
    clashes = conflicts(g, revisions)
    for c in clashes:
        _say(f"warning: {c}", err=True)
    _say(f"{g.root}: valid — {plural(len(g.recommendations), 'recommendation')}, "
         f"{plural(len(g.evidence), 'evidence row')}, {plural(len(g.bibliography.data.entries), 'reference')}, "
         f"{plural(len(g.glossary), 'glossary term')}, {plural(len(g.flags), 'flag')}, "
         f"{plural(len(revisions), 'saved revision')} ({len(clashes)} in conflict). Scheme {g.scheme.describe()}.")
    _say(_validate_working_group(g))
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from .grade import reproduce
    from .render.text import gradings_json, gradings_table
    guideline = _load(args)
    gradings = reproduce(guideline)
    if args.format == "json":
        from .analyses.agreement import agreements
        _say(gradings_json(gradings, agreements(guideline)))  # `agreement` where the group has voted
    else:
        _say(gradings_table(gradings))
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
    guideline = _load(args)
    study = load_new_study(args.newstudy, guideline)
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
    from .io.bib import ENTRY_TYPES, NO_ENTRIES, load_bibliography
    from .io.manifest import DEFAULT_STYLE
    from .render.references import format_references, references_page, render_references
    from .render.text import plural
    title, lang = "References", None
    if args.bib:
        # Any .bib, numbered as it numbers itself. Any entry type is read; one the style cannot format gets a note
        # in the list instead of failing it. A repeated key keeps its first entry, as BibTeX does.
        bib, problems = load_bibliography(args.bib, str(args.bib), known_types=None, keep_first=True)
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
    _say(references_page(refs, title, lang) if args.format == "html" else render_references(refs, args.format),
         end="")
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
    folder, files = new_guideline(args.folder, example=args.example)
    shown = ", ".join(str(f) for f in files[:6]) + (f", … ({len(files)} files)" if len(files) > 6 else "")
    if args.example:
        title = load_manifest(folder)[0].heading
        _say(f"wrote {folder}: a copy of the bundled guideline, {title} ({shown}).")
    else:
        _say(f"wrote {folder}: {shown}. Each table holds one example row, marked EXAMPLE; {folder / 'README.md'} "
              "says what to fill in.")
    _say(f"Check it with `grading validate --root {folder}`.")
    return 0


def cmd_scheme(args: argparse.Namespace) -> int:
    from .render.text import scheme_text
    from .scheme import DEFAULT, load_scheme
    _say(scheme_text(load_scheme(args.scheme or DEFAULT)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .io.guideline import read_paths
    from .render.report import format_for, publish
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
    path = publish(guideline, args.output, fmt, revised, release, protect)
    n = len(revised.applied) if revised else 0
    edition = f"revised, {n} revision{'s' if n != 1 else ''} applied" if revised else \
        f"release {args.release}, with its change log" if release else "as published"
    _say(f"wrote {path} ({fmt}, {edition}) — graded by scheme {guideline.scheme.describe()}")
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
    root_help = ("guideline folder (default: $GRADING_ROOT, else the guideline folder around the current folder, "
                 "else the repository's bundled guideline)")
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
    np_.set_defaults(func=cmd_new)
    rp = sub.add_parser("report", help="write the guideline's tables with the numbered reference list",
                        description="Write the guideline's three-column tables per section, with the numbered "
                                    "reference list, as a self-contained HTML page or as Markdown.")
    rp.add_argument("--root", type=Path, default=None, help=root_help)
    rp.add_argument("--format", choices=("html", "md"), default=None,
                    help="output format (default: from the output file name; .md is Markdown, else HTML)")
    rp.add_argument("--output", type=Path, required=True, help="file to write (replaced atomically)")
    rp.add_argument("--revised", action="store_true", help="apply the saved revisions in evidence/revisions/")
    rp.add_argument("--release", default=None, metavar="NAME",
                    help="render releases/NAME/ (see `grading release`) with its change log")
    rp.add_argument("--scheme", default=None, help=SCHEME_HELP)
    rp.set_defaults(func=cmd_report)
    _working_group_parsers(sub, root_help)
    add_publish_commands(sub, root_help)
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
    vote = new_vote(g.scheme, args.recommendation, args.member,
                    {"validity": args.validity, "applicability": args.applicability, "benefit_harm": args.benefit_harm},
                    args.comment or "", args.strength, args.revision)
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
    import json

    from .render.changes import changes_markdown, changes_text
    from .revisions.release import base_state, change_log, now_state
    g = _load(args)
    log = change_log(base_state(g, args.since), now_state(g), "")
    if args.format == "json":
        _say(json.dumps(log, indent=2, ensure_ascii=False))
    else:
        _say(changes_markdown(log) if args.format == "md" else changes_text(log), end="")
    return 0


def _working_group_parsers(sub, root_help: str) -> None:
    vp = sub.add_parser("vote", help="cast a working-group member's vote on a recommendation",
                        description="Save one member's vote (yes, no or abstain on validity, applicability and "
                                    "benefit/harm) as a new file under evidence/votes/<id>/, then print the tally. "
                                    "A later vote by the same member supersedes the earlier one; both are kept.")
    vp.add_argument("recommendation", help="the recommendation id, e.g. 7.1.1-11")
    vp.add_argument("--member", required=True, help="the member's name as evidence/panel.csv writes it")
    for q in ("validity", "applicability", "benefit-harm"):
        vp.add_argument(f"--{q}", required=True, choices=("yes", "no", "abstain"))
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
    cg.add_argument("--format", choices=("text", "md", "json"), default="text")
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; user errors print located messages and exit 2, never a traceback."""
    args = parser().parse_args(argv)
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
        _say(f"error: {e}", err=True)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
