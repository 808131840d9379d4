"""Executors on real engines: a one-node Slurm and a local Ray head, started by the tests."""
