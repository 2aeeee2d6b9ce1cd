"""`python -m grading`: the command line, as the `grading` command runs it."""

from .cli import main

raise SystemExit(main())
