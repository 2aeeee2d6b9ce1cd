"""Analyses over a graded guideline: audit, fragility, a new study's impact, a crosswalk, the notebooks' tables."""
