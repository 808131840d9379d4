"""Runs: provenance captured at dispatch, re-runs, metric comparison (LTTB) and exports."""
