"""Notebook jobs: an ``.ipynb`` run headless on the pool, papermill-style parameters."""
