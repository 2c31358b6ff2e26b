#!/usr/bin/env bash
# Installs what the dashboard needs and starts it on the embedded data (the database is built on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --disable-pip-version-check -r requirements.txt
python3 -m lib build
exec python3 -m streamlit run app.py --server.headless true "$@"
