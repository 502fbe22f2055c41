"""The importers build pglast's trees without its attribute checks (modeler.importers.bounds:
``unchecked_nodes``); the trees must be the very same as pglast builds them checked.

pglast's ``ast.Node.__setattr__`` checks and coerces every attribute the parser sets; the
parser (Cython) gives them their final types already, so the importers set them with
``object.__setattr__``. Should a pglast release give the parser's values in another form
(an int for an enum member, a list for a tuple), these tests fail: every statement of every
SQL corpus schema, and random DDL, parsed both ways, compared attribute by attribute and type
by type.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pglast import ast, enums, parser

from modeler.importers import SchemaImportError, bounds, import_sql
from tests.fidelity.ddlgen import scripts
from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec
from tests.importers.conftest import corpus_path


def same_tree(a: Any, b: Any, where: str = "") -> None:
    """``a`` and ``b`` alike: the same classes, and the same values of the same types."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, ast.Node):
        for slot in a:
            same_tree(getattr(a, slot), getattr(b, slot), f"{where}.{slot}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same_tree(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def both_ways(sql: str) -> None:
    assert ast.Node.__setattr__ is bounds._CHECKED_SETATTR
    try:
        checked = parser.parse_sql(sql)
    except parser.ParseError:  # an attempt of the importer's (a PL/pgSQL fragment, say)
        with bounds.unchecked_nodes(), pytest.raises(parser.ParseError):
            parser.parse_sql(sql)
        return
    with bounds.unchecked_nodes():
        unchecked = parser.parse_sql(sql)
    same_tree(checked, unchecked, "statements")


def parsed_by(import_: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the importer parses while ``import_()`` runs."""
    texts: list[str] = []

    def parse_sql(sql: str) -> Any:
        texts.append(sql)
        return parser.parse_sql(sql)

    monkeypatch.setattr(bounds, "parser", SimpleNamespace(parse_sql=parse_sql, scan=parser.scan))
    import_()
    monkeypatch.undo()
    return texts


@pytest.mark.parametrize("name", sorted(SQL_SCHEMAS))
def test_every_corpus_statement_builds_the_same_tree(name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    spec = SQL_SCHEMAS[name]
    for f in spec.files:
        corpus_path(f)  # skips, saying so, when the shared corpus is absent
    texts = parsed_by(lambda: import_spec(spec), monkeypatch)
    assert len(texts) > 10
    assert ast.Node.__setattr__ is bounds._CHECKED_SETATTR  # switched back after the import
    for sql in texts:
        both_ways(sql)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_random_ddl_builds_the_same_tree(script: str) -> None:
    both_ways(script)


def test_the_checks_come_back_after_a_refused_import() -> None:
    with pytest.raises(SchemaImportError):
        import_sql([("bad.sql", "CREATE TABLE t (id int);\nCREATE TABLE (;")])
    assert ast.Node.__setattr__ is bounds._CHECKED_SETATTR
    node = ast.A_Expr()
    with pytest.raises(ValueError, match="Bad value"):
        node.kind = "not a kind"
    node.kind = 0  # coerced, as pglast does when checking
    assert node.kind is enums.A_Expr_Kind.AEXPR_OP


def test_nested_and_concurrent_switches() -> None:
    with bounds.unchecked_nodes():
        with bounds.unchecked_nodes():
            pass
        assert ast.Node.__setattr__ is object.__setattr__  # the outer one still holds
    assert ast.Node.__setattr__ is bounds._CHECKED_SETATTR
    errors: list[BaseException] = []

    def importer() -> None:
        try:
            for _ in range(20):
                import_sql([("t.sql", "CREATE TABLE t (id int PRIMARY KEY, n text "
                                      "CHECK (n <> ''));")])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=importer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ast.Node.__setattr__ is bounds._CHECKED_SETATTR
