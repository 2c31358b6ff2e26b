#!/usr/bin/env bash
# Installs everything the tests need (Python packages; Debian's chromium for browser and export tests, and
# LibreOffice Impress + poppler-utils for the PowerPoint rendering test, when running as root on Debian) and runs
# every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser and export tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "NOTE: /usr/bin/chromium is missing and this is not root on Debian: browser and static-export tests will be skipped"
  fi
fi
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing LibreOffice Impress and poppler-utils for the PowerPoint rendering test"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-impress poppler-utils >/dev/null
  else
    echo "NOTE: soffice or pdftoppm is missing and this is not root on Debian: the PowerPoint rendering test will be skipped"
  fi
fi
# pytest exits 5 when it collects no test: that is a failure here, never a pass.
# Three workers (pytest-xdist) on the two cores: the browser tests wait on the server and Chromium much of their
# time, and the third worker fills it. tests/conftest.py keeps each file's tests on one worker and every test of the
# session's Streamlit server and Chromium on one worker, and orders the groups: that browser group first (the
# longest chain), then the slowest files (--no-loadscope-reorder keeps that order). `-n 0` (after these) runs in
# one process.
# Compiled modules, pytest's rewritten test files included, go to a cache folder outside the tree, shared by the
# workers, the servers and CLI runs they start, and by the next run (with PYTHONDONTWRITEBYTECODE set, each
# process compiled every module again: half of a worker's 12 s of collection).
export PYTHONPYCACHEPREFIX="${PYTHONPYCACHEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/frontier-pycache}"
unset PYTHONDONTWRITEBYTECODE
# The 20 slowest tests are listed at the end (issue 12: the suite in <= 3 minutes).
exec python3 -m pytest -q -p no:cacheprovider -n 3 --dist loadgroup --no-loadscope-reorder --durations=20 "$@"
