"""Are requirements.txt complete? In a fresh virtual environment with only requirements.txt installed, every
third-party module that lib/, pages/, app.py and dashboard.py import (at the top or inside a function) must be importable.

Usage: python3 scripts/check_requirements.py [VENV_DIR]   (creates the venv, installs, checks; CI runs it)
"""
from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# import name -> where pip finds it, for the few whose names differ (only used in messages)
DIST = {"yaml": "PyYAML", "pandera": "pandera", "duckdb": "duckdb", "plotly": "plotly"}


def third_party_imports() -> set[str]:
    names: set[str] = set()
    files = [*ROOT.glob("lib/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py", ROOT / "dashboard.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("lib", "__future__")}


def main(argv: list[str]) -> int:
    venv = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="req-venv-"))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r",
                    str(ROOT / "requirements.txt")], check=True)
    wanted = sorted(third_party_imports())
    code = ("import importlib.util, sys\n"
            f"missing = [m for m in {wanted!r} if importlib.util.find_spec(m) is None]\n"
            "print('\\n'.join(missing)); sys.exit(1 if missing else 0)")
    out = subprocess.run([str(py), "-c", code], capture_output=True, text=True)
    if out.returncode:
        missing = out.stdout.split()
        print("requirements.txt is incomplete: imported but not installed: "
              + ", ".join(f"{m} ({DIST.get(m, m)})" for m in missing), file=sys.stderr)
        return 1
    # and the package itself imports end to end (the CLI's entry point and every command module)
    smoke = subprocess.run([str(py), "-m", "lib", "--help"], cwd=ROOT, capture_output=True, text=True)
    if smoke.returncode not in (0, 2):
        print(smoke.stderr[-2000:], file=sys.stderr)
        return 1
    print(f"requirements.txt complete: {len(wanted)} third-party modules importable in a fresh venv")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
