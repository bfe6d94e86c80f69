#!/usr/bin/env bash
# Create the Python venv with the interpreter .python-version names (pyenv), if missing.
set -euo pipefail
version=$1 venv=$2
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))"; then
  exit 0
fi
python=""
for candidate in "python$version" "$(command -v pyenv >/dev/null && pyenv prefix "$version" 2>/dev/null)/bin/python"; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  echo "error: Python $version not found. Install it (e.g. 'pyenv install $version') and run again." >&2
  exit 1
fi
echo "creating $venv with $("$python" --version)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
