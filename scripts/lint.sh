#!/usr/bin/env bash
# Static checks CI runs before the tests: ruff (lint on every file; format on the files listed in
# .ci/formatted-files, which grows as files are formatted) and mypy on the typed core. Needs requirements-dev.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m ruff check .
# shellcheck disable=SC2046
python3 -m ruff format --check $(grep -v '^#' .ci/formatted-files)
python3 -m mypy lib/store.py lib/queries.py lib/pricing.py lib/charts.py lib/constants.py lib/safe_csv.py
