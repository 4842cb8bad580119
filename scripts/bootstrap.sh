#!/usr/bin/env bash
# Create .venv and install flowgen (with optional extras) into it. Idempotent: a stamp keyed by
# pyproject.toml and the extras skips the install when nothing changed.
#   scripts/bootstrap.sh            # runtime only (generate, validate, score, …)
#   scripts/bootstrap.sh train,dev  # plus training and test tooling (what CI uses)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
extras="${1:-}"
py="${PYTHON:-python3}"

if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "flowgen needs Python >= 3.11 (found: $("$py" --version 2>&1)); set PYTHON=/path/to/python3.11" >&2
  exit 2
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv

key="$( (cat pyproject.toml; echo "$extras") | sha256sum | cut -c1-16)"
stamp=".venv/.flowgen-installed-$key"
[ -f "$stamp" ] && exit 0

echo "flowgen: installing into .venv (first run only; a few minutes)…" >&2
# -qq: errors only; a machine-wide pip config may otherwise print a warning per package.
pip_q=(.venv/bin/pip install -qq --disable-pip-version-check)
# torch first and pinned: 2.13.0 resolves to the CPU wheel where one is provided locally; an
# unpinned torch would pull several GB of CUDA packages.
"${pip_q[@]}" torch==2.13.0
spec="."
[ -n "$extras" ] && spec=".[$extras]"
"${pip_q[@]}" -e "$spec"
# xgrammar's metadata requires triton (~1 GB, GPU-only); the CPU path needs only its own wheel
# and apache-tvm-ffi, so install those without dependencies.
"${pip_q[@]}" --no-deps xgrammar==0.2.8 apache-tvm-ffi==0.1.15.post2
rm -f .venv/.flowgen-installed-*
touch "$stamp"
