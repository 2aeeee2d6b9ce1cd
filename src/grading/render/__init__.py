"""Rendering: plain text and JSON for the terminal, Markdown and HTML reports, reference lists, plots."""
