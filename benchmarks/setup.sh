#!/bin/sh
# What `python -m benchmarks` needs beyond the virtualenv: the peers measured in
# the same run. Idempotent: installs only what is missing.
#   task-spooler (Debian's `task-spooler`; binary `tsp`, or `ts` elsewhere): the drain baseline.
#   py-spy (from PyPI, into .venv): the profiles docs/performance.md summarises.
set -eu
cd "$(dirname "$0")/.."
if ! command -v tsp >/dev/null 2>&1 && ! command -v ts >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y task-spooler || { apt-get update && apt-get install -y task-spooler; }
    else
        sudo apt-get install -y task-spooler
    fi
fi
if [ -x .venv/bin/pip ] && [ ! -x .venv/bin/py-spy ]; then
    .venv/bin/pip install py-spy
fi
