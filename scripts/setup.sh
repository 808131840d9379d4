#!/usr/bin/env bash
# Idempotent set-up for a fresh clone: system packages, the virtualenv, the
# JupyterLab front end and the package itself. A second run only checks stamps.
#
#   scripts/setup.sh            # what `scripts/lab` needs: JupyterLab, and the train and
#                               # inference extras (CPU PyTorch, transformers) the
#                               # example workspace trains and chats with
#   scripts/setup.sh --test     # plus test tools and Chromium for UI tests
#
# PyTorch is pinned (torch==2.13.0). pip takes it from wherever pip is set up to look
# (a local wheel cache, or PyPI); FORGATHER_TORCH_INDEX=<url> adds one more index to
# search, e.g. PyTorch's CPU-only wheels, so a machine without a GPU does not fetch
# the CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${FORGATHER_VENV:-$ROOT/.venv}
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

need_cmd() { command -v "$1" >/dev/null 2>&1; }

# -- system packages ----------------------------------------------------------
apt_pkgs=()
need_cmd node || apt_pkgs+=(nodejs)
need_cmd npm || apt_pkgs+=(npm)
if [ "$WITH_TEST" = 1 ] && [ ! -x /usr/bin/chromium ]; then apt_pkgs+=(chromium); fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  say "apt-get install ${apt_pkgs[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi

# -- python ---------------------------------------------------------------------
PYTHON=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PATH="$VENV/bin:$PATH"

stamp_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# -- front end: rebuilt only when its sources change ------------------------------
# The Lab extension (forgather_lab/labextension/) and the notebook widgets' bundle
# (forgather_lab/widgets/static/forgather.{js,css}) come from one `npm run build:prod`,
# which also fails when src/generated/openapi.ts is stale against docs/openapi.json.
fe_stamp=$(find labextension/src labextension/style labextension/schema labextension/scripts \
  labextension/package.json labextension/package-lock.json labextension/tsconfig.json \
  labextension/eslint.config.mjs labextension/.prettierrc.json labextension/.prettierignore \
  docs/openapi.json -type f -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)
if [ "$(cat forgather_lab/labextension/.stamp 2>/dev/null)" != "$fe_stamp" ] \
  || [ ! -f forgather_lab/widgets/static/forgather.js ] \
  || [ ! -f forgather_lab/widgets/static/forgather.css ]; then
  if [ ! -x "$VENV/bin/jupyter-builder" ]; then
    say "installing the JupyterLab builder"
    "$PY" -m pip install -q "jupyterlab>=4.4,<5"
  fi
  say "building the JupyterLab extension and the notebook widgets"
  (cd labextension && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build:prod)
  echo "$fe_stamp" > forgather_lab/labextension/.stamp
  # `pip install -e` below copies the extension into the venv once; a rebuild after
  # that install must replace the copy, or JupyterLab keeps serving the old one.
  installed="$VENV/share/jupyter/labextensions/forgather-lab"
  if [ -d "$installed" ] && [ ! -L "$installed" ]; then
    rm -rf "$installed"
    cp -r forgather_lab/labextension "$installed"
    cp install.json "$installed/install.json"
  fi
fi

# -- the package -------------------------------------------------------------------
# The example workspace's first run trains (train) and chats (inference): a fresh
# clone gets both, so Run… on the tiny Llama works without another install.
extras=lab,train,inference
[ "$WITH_TEST" = 1 ] && extras=lab,train,inference,test
py_hash="$(stamp_of pyproject.toml)"
py_stamp="$py_hash-$extras"
have="$(cat "$VENV/.forgather-stamp" 2>/dev/null || true)"
pip_index=()
[ -n "${FORGATHER_TORCH_INDEX:-}" ] && pip_index=(--extra-index-url "$FORGATHER_TORCH_INDEX")
# An install with the test extra also satisfies the plain one.
if [ "$have" != "$py_stamp" ] && [ "$have" != "$py_hash-lab,train,inference,test" ]; then
  say "pip install -e .[$extras]"
  "$PY" -m pip install -q --disable-pip-version-check "${pip_index[@]}" -e ".[$extras]" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$PY" -c "import forgather_lab" # fail loudly if the install did not take
  "$PY" -c "import torch, transformers" # the example trainer and the inference server
  echo "$py_stamp" > "$VENV/.forgather-stamp"
fi
# The executor tests' engines (a one-node Slurm, a local Ray head): tests/engines/.
[ "$WITH_TEST" = 1 ] && FORGATHER_VENV="$VENV" "$ROOT/scripts/setup-engines.sh"
# The JupyterHub tests' configurable-http-proxy (npm): tests/hub/.
[ "$WITH_TEST" = 1 ] && "$ROOT/scripts/setup-hub.sh"
say "ready ($VENV)"
