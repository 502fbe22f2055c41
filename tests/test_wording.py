"""Counted nouns read as English (``1 warning``, ``2 warnings``): the helper, and no message
text in the application's code or templates spells a count with ``(s)``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from modeler.wording import counted, plural

ROOT = Path(__file__).resolve().parents[1]
HEDGED = re.compile(r"\b[A-Za-z]{2,}\((?:s|es)\)")


def test_counted_and_plural() -> None:
    assert [counted(n, "warning") for n in (0, 1, 2)] == ["0 warnings", "1 warning",
                                                           "2 warnings"]
    assert counted(1, "index", "indexes") == "1 index"
    assert counted(3, "index", "indexes") == "3 indexes"
    assert plural(1, "was", "were") == "was" and plural(2, "was", "were") == "were"


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def test_no_hedged_plurals_in_messages() -> None:
    found = []
    for path in sorted((ROOT / "modeler").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in skip and HEDGED.search(node.value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if HEDGED.search(line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:60]!r}")
    assert found == []
