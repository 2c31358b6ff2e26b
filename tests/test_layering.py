"""The library stays a library: analytics, store, figures, export and ingest never import Streamlit
(pages are thin layers over them; lib/ui.py is the one Streamlit-aware module)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ["lib.pricing", "lib.frontier", "lib.generations", "lib.trends", "lib.queries", "lib.store",
        "lib.snapshot", "lib.figures", "lib.export", "lib.ingest.pipeline", "lib.curate.build", "lib.charts",
        "lib.views", "lib.constants", "lib.safe_csv", "lib.commands.export", "lib.ingest.artificial_analysis"]


@pytest.mark.parametrize("module", PURE)
def test_module_does_not_import_streamlit(module):
    code = f"import sys, {module}; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False", f"{module} pulls in streamlit"


def test_pages_hold_no_sql():
    for page in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        text = page.read_text().upper()
        for keyword in ("SELECT ", "INSERT ", "CREATE TABLE", ".EXECUTE("):
            assert keyword not in text, f"{page.name} contains SQL ({keyword.strip()})"
