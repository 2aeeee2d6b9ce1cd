"""Time the toolkit at the bundled size and at synthetic sizes, as whole processes and in-process.

    python bench/run.py --size bundled --runs 3 [--size 1k ...] [--output results.md]
                        [--before SRC] [--processes-only]

With --before SRC (a `src` folder of another version of the package, e.g. an export of main), every warm
whole-process `grading` step runs a second time from SRC, taking turns with this version, for a before/after
ratio on the same machine at the same load. --processes-only leaves out the in-process steps (pybtex formatting
takes most of the 10k run).

Every figure is the median of --runs runs (a step that takes longer than LONG seconds runs once). Whole
processes run the installed `grading` command with a cache folder of their own; "cold" empties it before
each run. Peak memory is the child's ru_maxrss. Synthetic guidelines are written by bench/generate.py
into --data (default: the system temporary folder) and reused while generate.py is unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, beside this file)

LONG = 30.0  # seconds: a step slower than this is not repeated
SIZES = ("bundled", *generate.SIZES)


@dataclass(frozen=True)
class Result:
    """One measured step: the median time over its runs and, for a whole process, its peak memory."""

    step: str
    how: str  # process | in-process
    seconds: float
    runs: int
    peak_mib: float | None = None
    cpu_seconds: float | None = None  # user + system time of a whole process: less swayed by other load


@dataclass(frozen=True)
class Process:
    """A whole-process step: the command, what to do untimed before each run (empty the cache), and any
    environment variables of its own (PYTHONPATH for the version measured as 'before')."""

    step: str
    argv: list[str]
    before: Callable[[], None] | None = None
    env: dict[str, str] | None = None


# --- timing -----------------------------------------------------------------------------------------------

def timed(fn: Callable[[], object], runs: int, before: Callable[[], None] = lambda: None) -> tuple[float, int]:
    """Median seconds of fn over runs (one run when it is slower than LONG), calling `before` untimed each time."""
    times = []
    for _ in range(runs):
        before()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        if times[-1] > LONG:
            break
    return statistics.median(times), len(times)


def per_call(fn: Callable[[], object], calls: int = 200) -> float:
    """Median seconds of one call of a fast function, over many calls."""
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a whole process to its end; return its wall time, CPU time and peak resident memory in MiB."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a full pipe would stall the child
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # wait4, unlike wait, gives this child's own rusage
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err.read().decode(errors='replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports KiB


def processes(steps: list[Process], env: dict[str, str], runs: int) -> list[Result]:
    """Median wall and CPU time and largest peak memory of each step, the steps taking turns run by run.

    Taking turns spreads a change in the machine's other load over every step alike, which matters for
    a ratio such as reproduce against the bare imports.
    """
    for p in steps:
        if p.before is None:
            child(p.argv, {**env, **(p.env or {})})  # warm-up: page cache, bytecode and the cache, never timed
    runs_of: dict[str, list[tuple[float, float, float]]] = {p.step: [] for p in steps}
    for _ in range(runs):
        for p in steps:
            done = runs_of[p.step]
            if done and done[0][0] > LONG:
                continue
            if p.before:
                p.before()
            done.append(child(p.argv, {**env, **(p.env or {})}))
    return [Result(p.step, "process", statistics.median(r[0] for r in runs_of[p.step]), len(runs_of[p.step]),
                   max(r[2] for r in runs_of[p.step]), statistics.median(r[1] for r in runs_of[p.step]))
            for p in steps]


def grading_command() -> list[str]:
    """The installed `grading` command beside this interpreter, else the module."""
    script = Path(sys.executable).parent / "grading"
    return [str(script)] if script.exists() else [sys.executable, "-m", "grading.cli"]


# --- the steps ----------------------------------------------------------------------------------------------

WARM = ("reproduce", "reproduce --format json", "audit", "audit --fragility")  # also run from --before


def measure(size: str, root: Path, runs: int, cache: Path, before: Path | None = None,
            processes_only: bool = False) -> list[Result]:
    """Every step at one size, the cache living in `cache` (emptied where a step says cold)."""
    os.environ["GRADING_CACHE_DIR"] = str(cache)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "GRADING_ROOT", "PYTHONPATH")}

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    grading = grading_command()
    steps = [Process("python -c 'import pandas, pybtex' (baseline)", [sys.executable, "-c", "import pandas, pybtex"])]
    for command in ("validate", "reproduce"):
        argv = [*grading, command, "--root", str(root)]
        steps += [Process(f"grading {command}, warm cache", argv),
                  Process(f"grading {command}, cold cache", argv, empty_cache)]
    for command in WARM[1:]:
        steps.append(Process(f"grading {command}, warm cache", [*grading, *command.split(), "--root", str(root)]))
    if before is not None:  # the same commands from another version's source, taking turns with this one
        module = [sys.executable, "-m", "grading.cli"]
        # A cache of its own: the cold steps above empty this version's before each run, which would leave the
        # other version's "warm" runs parsing the .bib afresh.
        own = {"PYTHONPATH": str(before), "GRADING_CACHE_DIR": f"{cache}-before"}
        steps += [Process(f"before: grading {command}, warm cache", [*module, *command.split(), "--root", str(root)],
                          env=own) for command in WARM]
    measured = processes(steps, env, runs)
    return measured if processes_only else measured + in_process(root, runs, empty_cache)


def in_process(root: Path, runs: int, empty_cache: Callable[[], None]) -> list[Result]:
    """The steps timed inside one Python process."""
    from grading.analyses.fragility import fragility_all
    from grading.grade import grade, reproduce
    from grading.io.bib import load_bibliography
    from grading.io.cache import load_bibliography_cached
    from grading.io.guideline import OPTIONAL_FILES, REQUIRED_FILES, load_guideline
    from grading.io.tables import read_table, table_spec
    from grading.render import references as formatted
    from grading.render.references import format_entries as format_references
    from grading.render.references import format_references_cached

    bib_path = root / "references.bib"
    out: list[Result] = []

    def step(name: str, fn: Callable[[], object], before: Callable[[], None] = lambda: None) -> None:
        seconds, n = timed(fn, runs, before)
        out.append(Result(name, "in-process", seconds, n))

    step("load bibliography: pybtex parse, no cache", lambda: load_bibliography(bib_path))
    step("load bibliography: cold cache (parse and write)", lambda: load_bibliography_cached(bib_path),
         before=empty_cache)
    step("load bibliography: warm cache", lambda: load_bibliography_cached(bib_path))
    guideline = load_guideline(root)
    tables = [root / rel for rel in REQUIRED_FILES[1:] + OPTIONAL_FILES if (root / rel).is_file()]
    step("load and validate the tables", lambda: [read_table(p, str(p.relative_to(root)),
                                                             table_spec(p.name, guideline.scheme)) for p in tables])
    step("load_guideline, warm cache", lambda: load_guideline(root))
    step("reproduce (every recommendation), the default reading only", lambda: reproduce(guideline, every=False))
    step("reproduce (every recommendation), over every reading", lambda: reproduce(guideline))
    step("reproduce over every reading, and to_appraise of every recommendation",
         lambda: [g.to_appraise for g in reproduce(guideline)])
    step("fragility of every recommendation", lambda: fragility_all(guideline))

    rid = guideline.recommendations["id"].iloc[len(guideline.recommendations) // 2]
    rec = guideline.recommendation(rid)
    scheme = guideline.scheme
    studies = guideline.studies(rid)
    changed = (dataclasses.replace(studies[0], quality="poor" if studies[0].quality == "good" else "good"),
               *studies[1:]) if studies else studies

    def rederive_with_lookup():
        row = guideline.recommendation(rid)
        rows = list(guideline.studies(rid))
        if rows:
            rows[0] = changed[0]
        return grade(row, tuple(rows), scheme)

    out.append(Result("re-derive one recommendation after one change: grade(rec, studies, scheme)", "in-process",
                      per_call(lambda: grade(rec, changed, scheme)), 200))
    out.append(Result("re-derive one recommendation, with its rows looked up in the guideline", "in-process",
                      per_call(rederive_with_lookup), 200))

    bib = guideline.bibliography
    shown = sorted(guideline.cited(rid))
    step("format the whole reference list, no cache", lambda: format_references(bib))

    def forget() -> None:
        formatted._FORMATTED.clear()  # what a new process starts from

    step("format the whole reference list, cold cache", lambda: format_references_cached(bib),
         before=lambda: (empty_cache(), forget()))
    step("format the whole reference list, warm cache (new process)", lambda: format_references_cached(bib),
         before=forget)
    step("format the whole reference list, warm cache (same process)", lambda: format_references_cached(bib))
    step(f"format one recommendation's references ({len(shown)}), no cache", lambda: format_references(bib, shown))
    step(f"format one recommendation's references ({len(shown)}), warm cache (same process)",
         lambda: format_references_cached(bib, shown))
    return out


# --- data, machine, report ----------------------------------------------------------------------------------

def designs_of(src: Path) -> tuple[str, ...]:
    """The evidence designs another version's vocabulary (its grading/vocab.py) allows, read without importing it."""
    import ast
    tree = ast.parse((src / "grading" / "vocab.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DESIGNS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise SystemExit(f"{src}/grading/vocab.py declares no DESIGNS")


def guideline_for(size: str, data: Path, before: Path | None = None) -> Path:
    """The bundled guideline, or a synthetic one written (once per version of generate.py) into `data`; with
    `before`, its evidence drawn only from designs both versions know, so both read the same valid input."""
    if size == "bundled":
        return REPO
    spec = generate.SIZES[size]
    designs = tuple(d for d in generate.DESIGNS if before is None or d in designs_of(before))
    root = data / (size if before is None else f"{size}-common")
    stamp = json.dumps({"size": dataclasses.asdict(spec), "designs": designs, "generator": hashlib.sha256(
        Path(generate.__file__).read_bytes()).hexdigest()})
    manifest = root / ".bench-manifest.json"
    if not (manifest.is_file() and manifest.read_text() == stamp):
        shutil.rmtree(root, ignore_errors=True)
        generate.generate(root, spec, designs=designs)
        manifest.write_text(stamp)
    return root


def check_generator(folder: Path, env: dict[str, str]) -> None:
    """A small synthetic guideline validates clean, and one with bad cells fails with exactly those problems."""
    for bad in (0, 5):
        root = generate.generate(folder / f"check-{bad}", generate.Size(40, 120, 3), bad=bad, seed=bad)
        done = subprocess.run([*grading_command(), "validate", "--root", str(root)], env=env, capture_output=True,
                              text=True)
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        if (done.returncode, len(errors)) != ((2, bad) if bad else (0, 0)):
            raise SystemExit(f"bench/generate.py with bad={bad}: validate exited {done.returncode} with "
                             f"{len(errors)} errors:\n{done.stderr}")


def machine() -> dict[str, str]:
    """What the figures depend on: cores, memory, CPU, load, Python and library versions."""
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    return {"nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
            "memory": first("/proc/meminfo", "MemTotal"), "cpu": first("/proc/cpuinfo", "model name"),
            "load average (1, 5, 15 min)": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "os": platform.platform(), "python": platform.python_version(),
            **{lib: version(lib) for lib in ("pandas", "numpy", "pybtex")}}


def _fmt_seconds(s: float) -> str:
    return f"{s * 1000:.2f} ms" if s < 0.01 else f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def table(size: str, root: Path, results: list[Result]) -> str:
    """The results of one size as a Markdown table."""
    lines = [f"### {size}", "", f"Guideline: `{root}`", "",
             "| step | how | median | runs | CPU (median) | peak RSS |", "|---|---|---:|---:|---:|---:|"]
    for r in results:
        peak = f"{r.peak_mib:.0f} MiB" if r.peak_mib is not None else ""
        cpu = _fmt_seconds(r.cpu_seconds) if r.cpu_seconds is not None else ""
        lines.append(f"| {r.step} | {r.how} | {_fmt_seconds(r.seconds)} | {r.runs} | {cpu} | {peak} |")
    return "\n".join(lines) + "\n"


def targets(by_size: dict[str, list[Result]]) -> str:
    """The issue's targets against the figures measured here (only those whose size was run)."""
    def get(size: str, prefix: str) -> Result | None:
        return next((r for r in by_size.get(size, []) if r.step.startswith(prefix)), None)

    rows: list[tuple[str, str, bool | None]] = []
    base, repro = get("bundled", "python -c"), get("bundled", "grading reproduce, warm")
    if base and repro:
        ratio = repro.seconds / base.seconds
        cpu = f"; CPU time {repro.cpu_seconds / base.cpu_seconds:.2f} ×" if repro.cpu_seconds and base.cpu_seconds \
            else ""
        rows.append(("`grading reproduce`, bundled, ≤ 1.3 × `import pandas, pybtex`",
                     f"{_fmt_seconds(repro.seconds)} / {_fmt_seconds(base.seconds)} = {ratio:.2f} ×{cpu}",
                     ratio <= 1.3))
    for size in by_size:
        for command, limit in (("reproduce", 1.5), ("reproduce --format json", None), ("audit", None),
                               ("audit --fragility", None)):
            now, then = get(size, f"grading {command}, warm"), get(size, f"before: grading {command}, warm")
            if now and then:
                cpu = f"; CPU time {now.cpu_seconds / then.cpu_seconds:.2f} ×" \
                    if now.cpu_seconds and then.cpu_seconds else ""
                what = f"≤ {limit} × the version before" if limit else "against the version before (no target)"
                rows.append((f"`grading {command}`, {size}, warm cache, {what}",
                             f"{_fmt_seconds(now.seconds)} / {_fmt_seconds(then.seconds)} = "
                             f"{now.seconds / then.seconds:.2f} ×{cpu}",
                             None if limit is None else now.seconds / then.seconds <= limit))
    fragile = get("10k", "grading audit --fragility, warm")
    if fragile:
        rows.append(("`grading audit --fragility`, 10k, warm cache, < 5 s", _fmt_seconds(fragile.seconds),
                     fragile.seconds < 5))
    for size, limit in (("bundled", 0.005), ("10k", 0.020)):
        for prefix, what in (("re-derive one recommendation after", "grade() alone"),
                             ("re-derive one recommendation, with", "with its rows looked up")):
            r = get(size, prefix)
            if r:
                rows.append((f"re-derive one recommendation, {size}, < {limit * 1000:.0f} ms ({what})",
                             _fmt_seconds(r.seconds), r.seconds < limit))
    for size in by_size:
        cold, warm = get(size, "load bibliography: pybtex"), get(size, "load bibliography: warm")
        if cold and warm:
            rows.append((f"warm bibliography load ≥ 20 × faster than a pybtex parse ({size})",
                         f"{_fmt_seconds(cold.seconds)} / {_fmt_seconds(warm.seconds)} = "
                         f"{cold.seconds / warm.seconds:.0f} ×", cold.seconds / warm.seconds >= 20))
    big = get("10k", "grading reproduce, warm")
    if big:
        rows.append(("`grading reproduce`, 10k, warm cache, < 5 s", _fmt_seconds(big.seconds), big.seconds < 5))
        peak = max(r.peak_mib or 0 for r in by_size["10k"])
        rows.append(("peak memory, 10k (largest child process, cold cache included), < 1 GiB", f"{peak:.0f} MiB",
                     peak < 1024))
    lines = ["| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'—' if ok is None else 'yes' if ok else '**no**'} |" for t, m, ok in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", choices=SIZES, action="append", help="bundled, 1k or 10k; may be repeated "
                   "(default: bundled)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "grading-bench",
                   help="where synthetic guidelines are written")
    p.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    p.add_argument("--before", type=Path, help="a src folder of another version: its warm whole-process steps run "
                   "too, taking turns with this version's")
    p.add_argument("--processes-only", action="store_true", help="leave out the in-process steps")
    a = p.parse_args(argv)
    sizes = a.size or ["bundled"]
    info = machine()
    by_size: dict[str, list[Result]] = {}
    sections = []
    with tempfile.TemporaryDirectory(prefix="grading-bench-cache-") as caches:
        check_generator(Path(caches), {**os.environ, "GRADING_CACHE_DIR": str(Path(caches) / "check")})
        for size in sizes:
            root = guideline_for(size, a.data, a.before)
            by_size[size] = measure(size, root, a.runs, Path(caches) / size, a.before, a.processes_only)
            sections.append(table(size, root, by_size[size]))
            print(sections[-1], flush=True)
    info["load average at the end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report = "\n".join([
        "## Targets", "", targets(by_size), "## Results", "", *sections, "## Machine", "",
        *(f"- {k}: {v}" for k, v in info.items()), "",
        f"Command: `python bench/run.py {' '.join(f'--size {s}' for s in sizes)} --runs {a.runs}"
        + (f" --before {a.before}" if a.before else "") + (" --processes-only" if a.processes_only else "") + "`",
        ""])
    print(report)
    if a.output:
        a.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
