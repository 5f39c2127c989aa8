#!/usr/bin/env bash
# A fresh virtualenv made with the Python's own pip (no pip upgrade: Python 3.11 ships pip 23.2)
# installs derisk from this checkout and runs `derisk --help` and a command that reads news.
# It reuses pip's cache, so it costs about the time of the install. Usage:
#   scripts/check_fresh_install.sh [python]      (default: python3.11, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-$(command -v python3.11 || command -v python3)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip --version
cp -r pyproject.toml README.md src "$tmp/"   # build from a copy: the checkout stays clean
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$tmp"
"$tmp/venv/bin/derisk" --help >/dev/null
"$tmp/venv/bin/derisk" news --help >/dev/null
"$tmp/venv/bin/python" -c "import lxml.html.clean, trafilatura; print('news extraction imports')"
echo "fresh install: ok"
