"""The library stays a library: analytics, store, figures, export and ingest never import Streamlit
(pages are thin layers over them; lib/ui.py is the one Streamlit-aware module)."""
from __future__ import annotations

import ast
import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = ["lib.pricing", "lib.frontier", "lib.generations", "lib.trends", "lib.queries", "lib.store",
        "lib.snapshot", "lib.figures", "lib.export", "lib.ingest.pipeline", "lib.curate.build", "lib.charts",
        "lib.views", "lib.constants", "lib.safe_csv", "lib.commands.export", "lib.ingest.artificial_analysis",
        "lib.pptx_export", "lib.embed"]


# One process imports the third-party libraries the modules share (none of them Streamlit), then forks a child per
# module that imports that module alone and reports whether Streamlit came with it: each module is checked from the
# same clean start, without an interpreter start-up and a pandas/Plotly import per module.
IMPORT_PROBE = """
import json, os, sys, traceback
import numpy, pandas, pyarrow, duckdb, plotly.graph_objects, plotly.io
assert "streamlit" not in sys.modules
out = {}
for module in sys.argv[1:]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            __import__(module)
            msg = ["streamlit" in sys.modules, ""]
        except BaseException:
            msg = [None, traceback.format_exc()]
        os.write(w, json.dumps(msg).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    out[module] = json.loads(data)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def imported_alone() -> dict:
    """{module: [whether importing it alone loaded Streamlit, the traceback if the import failed]}."""
    out = subprocess.run([sys.executable, "-c", IMPORT_PROBE, *PURE], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", PURE)
def test_module_does_not_import_streamlit(module, imported_alone):
    loaded, error = imported_alone[module]
    assert not error, error
    assert loaded is False, f"{module} pulls in streamlit"


def test_the_import_probe_sees_a_module_that_pulls_in_streamlit(tmp_path):
    """Control: a module importing (a stand-in) Streamlit is reported, the module after it is judged on its own,
    and a failing import is reported with its traceback."""
    (tmp_path / "streamlit").mkdir()
    (tmp_path / "streamlit" / "__init__.py").write_text("")
    (tmp_path / "pulls_it_in.py").write_text("import json\nimport streamlit\n")
    (tmp_path / "plain.py").write_text("import json\n")
    (tmp_path / "broken.py").write_text("raise ImportError('nope')\n")
    out = subprocess.run([sys.executable, "-c", IMPORT_PROBE, "pulls_it_in", "plain", "broken"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["pulls_it_in"] == [True, ""] and got["plain"] == [False, ""]
    assert got["broken"][0] is None and "ImportError: nope" in got["broken"][1]


def test_pages_hold_no_sql():
    for page in [ROOT / "app.py", ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]:
        text = page.read_text().upper()
        for keyword in ("SELECT ", "INSERT ", "CREATE TABLE", ".EXECUTE("):
            assert keyword not in text, f"{page.name} contains SQL ({keyword.strip()})"


# --- One-way dependencies (docs/ARCHITECTURE.md, "Dependency direction") --------------------------------------------

# Lowest layer first. A module may import modules of its own layer or of a lower one, never of a higher one;
# imports inside functions count too (a hidden import is still a dependency).
LAYERS: list[tuple[str, ...]] = [
    ("lib.errors", "lib.paths", "lib.clock", "lib.constants", "lib.sources", "lib.urlparams", "lib.static_cache"),
    ("lib.schema", "lib.pricing", "lib.frontier", "lib.safe_csv", "lib.curate.article", "lib.themes"),
    ("lib.queries",),
    # one reader per upstream format, and one parsed payload written into an open transaction (lib.ingest.load):
    # the store replays the kept payloads with them when it rebuilds
    ("lib.ingest", "lib.curate.aliases", "lib.curate.hygiene"),
    ("lib.store", "lib.snapshot", "lib.trends", "lib.generations", "lib.costs", "lib.distillation", "lib.feed",
     "lib.forecast"),
    ("lib.curate", "lib.ingest.pipeline"),
    ("lib.views", "lib.figures", "lib.switching", "lib.trend_methods"),
    ("lib.charts", "lib.insight_charts", "lib.export", "lib.pptx_export", "lib.embed"),
    ("lib.commands", "lib.__main__"),
    ("lib.ui", "lib.export_panel", "lib.share_panel"),
]
UI_LAYER = ("lib.ui", "lib.export_panel", "lib.share_panel")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _layer(module: str) -> int | None:
    """The layer of `module`: the most specific entry that is the module or a package above it."""
    best, best_len = None, -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best_len:
                best, best_len = i, len(name)
    return best


@functools.lru_cache(maxsize=None)
def _tree(path: Path) -> ast.Module:
    """A file's syntax tree, parsed once for every check here."""
    return ast.parse(path.read_text(), str(path))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) of every import statement, at any depth."""
    out = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [a.name for a in node.names]
            if node.module == "lib":  # `from lib import store` imports the module lib.store
                out += [(node.lineno, f"lib.{n}", []) for n in names]
            else:
                out.append((node.lineno, node.module, names))
    return out


LIB_FILES = sorted((ROOT / "lib").rglob("*.py"))


def test_every_lib_module_has_a_layer():
    missing = [_module_name(p) for p in LIB_FILES if _module_name(p) != "lib" and _layer(_module_name(p)) is None]
    assert not missing, f"add these modules to LAYERS (and to docs/ARCHITECTURE.md): {missing}"


def test_imports_run_one_way_down_the_layers():
    wrong = []
    for path in LIB_FILES:
        me = _module_name(path)
        mine = _layer(me)
        for line, target, _ in _imports(path):
            theirs = _layer(target) if target.startswith("lib.") else None
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(f"{path.relative_to(ROOT)}:{line} {me} (layer {mine}) imports {target} (layer {theirs})")
    assert not wrong, "imports against the stated direction:\n" + "\n".join(wrong)


def test_only_the_ui_layer_imports_streamlit():
    wrong = [f"{p.relative_to(ROOT)}:{line}" for p in LIB_FILES if _module_name(p) not in UI_LAYER
             for line, target, _ in _imports(p) if target.split(".")[0] == "streamlit"]
    assert not wrong, f"Streamlit imported outside lib/ui.py, lib/export_panel.py and the pages: {wrong}"


def test_no_private_name_is_imported_from_another_package():
    wrong = []
    for path in [*LIB_FILES, *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py", ROOT / "dashboard.py"]:
        me = _module_name(path)
        for line, target, names in _imports(path):
            if not target.startswith("lib."):
                continue
            same_package = target.rsplit(".", 1)[0] == me.rsplit(".", 1)[0]
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and not same_package:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {', '.join(private)} from {target}")
    assert not wrong, wrong


def test_the_layering_check_catches_an_upward_import(tmp_path):
    bad = "def f():\n    from lib import ui  # the store must never reach up to the UI\n"
    path = tmp_path / "store_like.py"
    path.write_text(bad)
    (line, target, _), = _imports(path)
    assert target == "lib.ui" and _layer(target) > _layer("lib.store")


# Where an import inside a function is the rule: the CLI (heavy imports inside `run`, so `python -m lib --help` starts
# fast), the entry point, and the UI layer (lib.ui and lib.share_panel import each other). Everywhere else a module's
# dependencies stand at its top.
FUNCTION_IMPORTS_ALLOWED = ("lib.commands", "lib.__main__", *UI_LAYER)


def _function_imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for fn in ast.walk(_tree(path)):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "lib":
                    targets = [f"lib.{a.name}" for a in node.names] if node.module == "lib" else [node.module]
                    out += [(node.lineno, t) for t in targets]
    return sorted(set(out))


def test_no_lib_dependency_hides_inside_a_function():
    wrong = []
    for path in LIB_FILES:
        me = _module_name(path)
        if me.startswith(FUNCTION_IMPORTS_ALLOWED):
            continue
        for line, target in _function_imports(path):
            wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} inside a function")
    assert not wrong, "move these imports to the top of the module:\n" + "\n".join(wrong)


def test_the_hidden_import_check_sees_an_import_inside_a_function(tmp_path):
    path = tmp_path / "analytics_like.py"
    path.write_text("def f():\n    from lib import queries\n    from lib.snapshot import market_as_of\n")
    assert _function_imports(path) == [(2, "lib.queries"), (3, "lib.snapshot")]
