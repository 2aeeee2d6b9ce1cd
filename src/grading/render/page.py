"""The one frame of every HTML page the toolkit writes: escaped title, inline style only, a strict CSP."""

from __future__ import annotations

import html

# Nothing but the inline style may load or run, whatever the data hold.
CSP = "default-src 'none'; style-src 'unsafe-inline'"
IMAGES = "img-src data:"  # added for a page with inlined pictures: a data: address is inside the page itself


def html_page(title: str, body: str, *, css: str = "", lang: str | None = None, images: bool = False) -> str:
    """A self-contained HTML page around `body` (already escaped HTML): no scripts, no external assets; with
    `images`, pictures inlined as data: addresses may show (they load nothing)."""
    esc = html.escape
    opening = f'<html lang="{esc(lang, quote=True)}">' if lang else "<html>"
    csp = CSP + ("; " + IMAGES if images else "")
    return "\n".join(["<!DOCTYPE html>", opening, "<head>", '<meta charset="utf-8">',
                      f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      f"<title>{esc(title)}</title>", f"<style>{css}</style>", "</head>", "<body>",
                      body.rstrip("\n"), "</body>", "</html>"]) + "\n"
