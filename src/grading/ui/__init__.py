"""The interface for people who do not code: ipywidgets for the notebooks and the Voilà app."""
