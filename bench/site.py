"""Time publishing: `grading site` and `grading export` as whole processes, warm and cold cache.

    python bench/site.py [--size bundled|1k|10k ...] [--runs 3] [--output results.md]

Uses bench/run.py's timing (median of --runs runs, the steps taking turns, a warm-up run first, each with
a cache folder of its own). The issue's target: the bundled site builds in under 10 s with a warm cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/run.py, beside this file)

SITE_TARGET = 10.0  # seconds, bundled guideline, warm cache


def steps(root: Path, out: Path, cache: Path) -> list[run.Process]:
    """The publishing steps at one size, writing into `out`."""
    grading = run.grading_command()

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    site = [*grading, "site", str(out / "site"), "--root", str(root)]
    return [run.Process("grading site, warm cache", site),
            run.Process("grading site, cold cache", site, empty_cache),
            run.Process("grading export --format fhir, warm cache",
                        [*grading, "export", "--format", "fhir", str(out / "g.fhir.json"), "--root", str(root)]),
            run.Process("grading export --format json, warm cache",
                        [*grading, "export", "--format", "json", str(out / "g.json"), "--root", str(root)])]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--size", choices=run.SIZES, action="append", help="bundled, 1k or 10k (default: bundled)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "grading-bench",
                   help="where synthetic guidelines are written")
    p.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    a = p.parse_args(argv)
    sections, met = [], []
    with tempfile.TemporaryDirectory(prefix="grading-bench-site-") as work:
        for size in a.size or ["bundled"]:
            root = run.guideline_for(size, a.data)
            cache = Path(work) / f"cache-{size}"
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GRADING_ROOT")}
            env.update(GRADING_CACHE_DIR=str(cache), GRADING_PROGRESS="0")
            out = Path(work) / size
            out.mkdir()
            results = run.processes(steps(root, out, cache), env, a.runs)
            sections.append(run.table(size, root, results))
            print(sections[-1], flush=True)
            warm = results[0]
            if size == "bundled":
                met.append(f"| `grading site`, bundled, warm cache, < {SITE_TARGET:.0f} s | "
                           f"{run._fmt_seconds(warm.seconds)} | {'yes' if warm.seconds < SITE_TARGET else '**no**'} |")
    sizes = " ".join(f"--size {s}" for s in a.size or ["bundled"])
    report = "\n".join(["## Publishing targets", "", "| target | measured | met |", "|---|---|---|", *met, "",
                        *sections, f"Command: `python bench/site.py {sizes} --runs {a.runs}`", ""])
    print(report)
    if a.output:
        a.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
