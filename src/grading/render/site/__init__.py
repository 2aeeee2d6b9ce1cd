"""The guideline as a static website: a page per recommendation, indexes, the map, search in the browser.

Jinja2 templates (autoescaped) in `templates/`, a stylesheet and the search script in `static/`; `build_site`
writes the whole folder, which opens from disk and loads nothing from outside."""

from .build import CSP, Site, build_site

__all__ = ["CSP", "Site", "build_site"]
