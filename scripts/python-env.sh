#!/usr/bin/env bash
# Creates .venv with the pinned Python packages the tests and benchmarks use (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s requirements-test.txt .venv/.installed-requirements 2>/dev/null; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
  cp requirements-test.txt .venv/.installed-requirements
fi
