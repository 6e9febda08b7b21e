"""The package layout stays readable: a small core, sub-packages per concern, short modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("doctor", "checks")
MAX_CORE_MODULES = 12
MAX_LINES = 450


def _modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _is_cli(module: str) -> bool:
    return module == "doctor.cli" or module.startswith("doctor.cli.")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_holds_at_most_twelve_modules() -> None:
    core = sorted(p.name for p in (ROOT / "doctor").glob("*.py"))
    assert len(core) <= MAX_CORE_MODULES, core


def test_no_module_outside_the_catalogues_is_long() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules()
        if "locale" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_package_opens_with_a_docstring() -> None:
    packages = [p for p in _modules() if p.name == "__init__.py"]
    assert packages
    missing = [
        str(p.relative_to(ROOT))
        for p in packages
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_the_testbed_does_not_import_the_command_line() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(filter(_is_cli, _imports(path)))
        for path in (ROOT / "doctor" / "testbed").rglob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_core_imports_no_command_line_module() -> None:
    core = list((ROOT / "doctor").glob("*.py"))
    offenders = {p.name: sorted(filter(_is_cli, _imports(p))) for p in core}
    assert {name: found for name, found in offenders.items() if found} == {}
