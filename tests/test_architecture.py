"""The house rules of the code, checked: the floors of docs/architecture.md, sizes, no import cycles.

docs/architecture.md holds the one list of floors (which module stands where); this test reads it from
there, so the document and the code cannot drift apart: a module that imports from its own floor or one
above, a module missing from the list, a module over 450 lines or a function over 60 lines fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vaultnet"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 60
_FLOOR_ROW = re.compile(r"^\|\s*(\d+)\s*\|([^|]+)\|")


def module_name(path: Path) -> str:
    """`vaultnet/render/ics.py` -> `render.ics` (the package's own `__init__` is `vaultnet`)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "vaultnet"


def sources() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str]) -> set[str]:
    """The vaultnet modules `path` imports, at any depth of the file (a lazy import is an import too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "vaultnet":
                found.update(alias.name for alias in node.names if alias.name in known)
            elif node.module.startswith("vaultnet."):
                found.add(node.module.removeprefix("vaultnet."))
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("vaultnet.") for a in node.names if a.name.startswith("vaultnet."))
    return found - {"vaultnet"}


def floors() -> dict[str, int]:
    """Module -> floor, from the table in docs/architecture.md (`| 3 | config, settings_spec | ... |`)."""
    table: dict[str, int] = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        m = _FLOOR_ROW.match(line)
        if m is None:
            continue
        for name in m.group(2).replace("`", "").split(","):
            if name.strip():
                assert name.strip() not in table, f"{name.strip()} stands on two floors in {ARCHITECTURE.name}"
                table[name.strip()] = int(m.group(1))
    return table


def test_every_module_has_a_floor_and_every_floor_names_a_module() -> None:
    modules = set(sources()) - {"vaultnet", "render"}
    listed = set(floors())
    assert modules - listed == set(), f"add these modules to the floors in {ARCHITECTURE.name}"
    assert listed - modules == set(), f"{ARCHITECTURE.name} names modules that do not exist"


@pytest.mark.parametrize("module", sorted(set(sources()) - {"vaultnet", "render"}))
def test_a_module_imports_only_from_the_floors_below_it(module: str) -> None:
    table = floors()
    known = set(sources())
    upward = {
        other: table.get(other)
        for other in imports(sources()[module], known)
        if other not in ("render",) and table.get(other, 99) >= table[module]
    }
    assert upward == {}, f"{module} (floor {table[module]}) imports from its own floor or above: {upward}"


@pytest.mark.parametrize("module", sorted(sources()))
def test_modules_and_functions_stay_small(module: str) -> None:
    path = sources()[module]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{module}: {text.count(chr(10))} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{module}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_the_floor_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The check itself can fail: a low module importing the pipeline is found."""
    fake = tmp_path / "model.py"
    fake.write_text("from vaultnet.pipeline import Session\n", encoding="utf-8")
    table = floors()
    found = imports(fake, set(sources()))
    assert found == {"pipeline"}
    assert table["pipeline"] > table["model"]
