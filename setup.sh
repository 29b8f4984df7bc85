#!/usr/bin/env bash
# Installs the grader and what it needs into ./.venv (Python 3.11), pinned by constraints.txt.
# As root on Debian/Ubuntu it also installs the system packages the sandbox uses.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3.11}
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=""
  command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
  ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing="$missing libseccomp2"
  command -v setpriv >/dev/null 2>&1 || missing="$missing util-linux"
  if [ -n "$missing" ]; then
    echo "setup: installing system packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
echo "setup: installed; run .venv/bin/grader --help"
