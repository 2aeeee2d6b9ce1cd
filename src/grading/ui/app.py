"""The Revise app: Voilà serving the Revise notebook with the package's own page template (ui/share/voila/templates/
grading), Voilà's lab template without the stylesheets it fetches from cdn.jsdelivr.net, so the app loads nothing
from outside the machine. `python -m grading.ui.app [NOTEBOOK] [VOILA OPTIONS]` runs it (`make app`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

SHARE = Path(__file__).resolve().parent / "share"  # a Jupyter data folder: voila/templates/grading
TEMPLATE = "grading"
REVISE_NOTEBOOK = "3-revise.ipynb"


def voila_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment Voilà finds the package's template in: JUPYTER_PATH with the package's data folder first."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE), env.get("JUPYTER_PATH", "")) if p)
    return env


def voila_command(notebook: Path | str, options: Sequence[str] = ()) -> list[str]:
    """The command serving a notebook as the app, with the package's template; `options` go to Voilà."""
    return [sys.executable, "-m", "voila", str(notebook), f"--template={TEMPLATE}", *options]


def default_notebook() -> Path:
    """The Revise notebook of the current folder, else of its notebooks/ folder."""
    here = Path.cwd()
    return next((p for p in (here / REVISE_NOTEBOOK, here / "notebooks" / REVISE_NOTEBOOK) if p.is_file()),
                here / REVISE_NOTEBOOK)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the Revise notebook (or the notebook named first) as the app; return Voilà's exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    notebook = Path(args.pop(0)) if args and not args[0].startswith("-") else default_notebook()
    if not notebook.is_file():
        print(f"No notebook to serve: {notebook} is missing.", file=sys.stderr)
        return 2
    return subprocess.call(voila_command(notebook, args), env=voila_environment())


if __name__ == "__main__":
    sys.exit(main())
