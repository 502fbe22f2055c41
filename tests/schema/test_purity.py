"""The pure core imports neither Django nor SQLAlchemy (codegen may use SQLAlchemy/Alembic)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "modeler"
PURE = ["schema", "rules", "diff", "diagram", "importers"]
FORBIDDEN = {"django", "sqlalchemy", "alembic", "modeler.web"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", PURE)
def test_pure_packages_import_no_framework(package: str) -> None:
    folder = ROOT / package
    if not folder.exists():
        pytest.skip(f"modeler/{package} does not exist yet")
    offenders = []
    for path in sorted(folder.rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                # the live importer reads a database through psycopg, never through Django
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_codegen_does_not_import_django() -> None:
    folder = ROOT / "codegen"
    if not folder.exists():
        pytest.skip("modeler/codegen does not exist yet")
    bad = [f"{p.name}: {n}" for p in folder.rglob("*.py") for n in _imports(p)
           if n == "django" or n.startswith(("django.", "modeler.web"))]
    assert bad == []
