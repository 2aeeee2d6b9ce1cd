"""The toolkit's own version, as outputs name what made them."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def toolkit_version() -> str:
    """The installed grading package's version, or 'unknown'."""
    try:
        return version("grading")
    except PackageNotFoundError:
        return "unknown"
