#!/usr/bin/env bash
# What the executor tests (tests/engines/) start: a one-node Slurm (Debian's slurmctld,
# slurmd, client and munge; slurmrestd with the JWT plugin for the REST path) and a
# local Ray head (ray[default] from PyPI, in the venv).
# Idempotent: a second run only checks what is there. scripts/setup.sh --test calls it.
#
#   scripts/setup-engines.sh
#
# The server itself needs neither: it talks to Slurm through its client commands and
# to Ray through the job REST API.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FORGATHER_VENV:-$PWD/.venv}
RAY_VERSION=2.60.0

say() { printf '\033[1m[setup-engines]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

missing=()
for cmd in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge slurmrestd:slurmrestd; do
  command -v "${cmd%%:*}" >/dev/null 2>&1 || missing+=("${cmd#*:}")
done
# slurmrestd's tests authenticate with JWT: slurmctld needs the auth/jwt plugin.
compgen -G "/usr/lib/*/slurm-wlm/auth_jwt.so" >/dev/null || missing+=(slurm-wlm-jwt-plugin)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  # The packages' post-install scripts try to start services; without systemd
  # they say so and go on (the tests start the daemons themselves).
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge slurmrestd slurm-wlm-jwt-plugin >/dev/null
fi

# The dist-info directory says which version is installed without importing ray (seconds).
if [ ! -x "$VENV/bin/ray" ] || ! compgen -G "$VENV/lib/python*/site-packages/ray-$RAY_VERSION.dist-info" >/dev/null; then
  say "pip install ray[default]==$RAY_VERSION"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "ray[default]==$RAY_VERSION"
fi
say "ready (slurm: $(command -v sbatch), slurmrestd: $(command -v slurmrestd), ray: $VENV/bin/ray)"
