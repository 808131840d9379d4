#!/usr/bin/env bash
# What the JupyterHub tests (tests/hub/) start besides the venv's jupyterhub (the `test`
# extra): configurable-http-proxy from npm, in a directory of its own. Idempotent: a
# second run only checks that it is there. scripts/setup.sh --test calls it.
#
#   scripts/setup-hub.sh      # into $FORGATHER_HUB_PROXY_DIR (default ~/.cache/forgather-lab/hub-proxy)
#
# The Forgather service itself needs no proxy: the Hub starts it (docs/jupyterhub.md).
set -euo pipefail
cd "$(dirname "$0")/.."
CHP_VERSION=4.6.3
DIR=${FORGATHER_HUB_PROXY_DIR:-$HOME/.cache/forgather-lab/hub-proxy}
BIN="$DIR/node_modules/.bin/configurable-http-proxy"

say() { printf '\033[1m[setup-hub]\033[0m %s\n' "$*"; }

if [ ! -x "$BIN" ] || ! grep -q "\"version\": \"$CHP_VERSION\"" "$DIR/node_modules/configurable-http-proxy/package.json" 2>/dev/null; then
  say "npm install configurable-http-proxy@$CHP_VERSION into $DIR"
  mkdir -p "$DIR"
  (cd "$DIR" && npm install --no-audit --no-fund --loglevel=error --no-save "configurable-http-proxy@$CHP_VERSION")
fi
say "ready (proxy: $BIN)"
