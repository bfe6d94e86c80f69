#!/usr/bin/env bash
# Install the browser the browser tests drive: Debian's chromium at /usr/bin/chromium.
# Idempotent: does nothing when it is already there. Playwright's own browser download
# is not used (Playwright for Python launches this one through executable_path).
set -euo pipefail
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

fail() {
  echo "error: cannot install chromium: $1" >&2
  echo "  install it by hand (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM=/path/to/chromium" >&2
  exit 1
}

command -v apt-get >/dev/null || fail "apt-get not found (this script knows Debian only)"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  fail "installing packages needs root (or sudo)"
fi

echo "installing Debian's chromium (a few minutes on the first run) ..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq || fail "apt-get update failed"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core \
  >/dev/null || fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "the package installed, but $CHROMIUM is not there"
echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
