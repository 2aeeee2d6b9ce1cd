"""Bundled `grading reproduce` against the `python -c "import pandas, pybtex"` floor, in many interleaved runs.

    python bench/floor.py [--runs 31] [--before SRC]

The floor and `grading reproduce` (and, with --before SRC, the same command from another version's `src` folder)
take turns, run by run, as whole processes with a warm cache of their own. It prints the median and the fastest
run of each and their ratios to the floor. On a machine whose cores are shared, the medians move by ±15 % from one
invocation to the next while the fastest runs, the least disturbed by other load, move by a few per cent:
docs/benchmarks.md gives both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import REPO, child, grading_command  # noqa: E402  (bench/run.py, beside this file)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=31)
    p.add_argument("--before", type=Path, help="a src folder of another version, run as a third step")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grading-bench-floor-") as caches:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GRADING_ROOT",
                                                                  "PYTHONPATH")}
        steps = {"import pandas, pybtex (the floor)": ([sys.executable, "-c", "import pandas, pybtex"], env),
                 "grading reproduce": ([*grading_command(), "reproduce", "--root", str(REPO)],
                                       {**env, "GRADING_CACHE_DIR": f"{caches}/now"})}
        if a.before is not None:
            steps["before: grading reproduce"] = (
                [sys.executable, "-m", "grading.cli", "reproduce", "--root", str(REPO)],
                {**env, "PYTHONPATH": str(a.before), "GRADING_CACHE_DIR": f"{caches}/before"})
        for argv_, env_ in steps.values():
            child(argv_, env_)  # warm-up: page cache, bytecode and the cache, never timed
        wall: dict[str, list[float]] = {name: [] for name in steps}
        cpu: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(a.runs):
            for name, (argv_, env_) in steps.items():
                seconds, cpu_seconds, _ = child(argv_, env_)
                wall[name].append(seconds)
                cpu[name].append(cpu_seconds)
    floor = next(iter(steps))
    print(f"{a.runs} interleaved runs each; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    print("| step | median | fastest | CPU (median) | median / floor | fastest / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in steps:
        med, fast = statistics.median(wall[name]), min(wall[name])
        print(f"| {name} | {med * 1000:.0f} ms | {fast * 1000:.0f} ms | {statistics.median(cpu[name]) * 1000:.0f} ms "
              f"| {med / statistics.median(wall[floor]):.2f} × | {fast / min(wall[floor]):.2f} × |")


if __name__ == "__main__":
    main()
