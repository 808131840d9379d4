"""The performance harness: ``python -m benchmarks`` runs every benchmark.

Each figure is a latency or a ratio against a baseline measured in the same
run (these machines are shared and noisy), printed next to the issue's target
(met / not met, never asserted) and written to ``benchmarks/results/latest.json``.
"""
