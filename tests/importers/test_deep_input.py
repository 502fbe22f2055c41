"""Deep, long and odd input to the importers (issue 16): every input imports (with warnings
that say what was left out and why) or is refused with a :class:`SchemaImportError` that
says why; never a traceback, a RecursionError in a warning, a hang, or a crashed process.

PostgreSQL's parser (pglast) builds a tree one level per term of an operator chain
(``1+1+...``, ``x::int::int...``, ``SELECT 1 UNION SELECT 1 ...``) and pglast turns it into
Python objects by recursing in C: a chain of some 16,000 UNIONs or 30,000 ``+`` crashed the
process (a segmentation fault). The SQL cases therefore run in a child process with a
deadline, so a crash or a hang fails the test naming the input instead of killing the run."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeler.importers import SchemaImportError, import_dbml, import_sql
from modeler.importers.result import ImportResult
from tests.importers import childrun


def _chain(op: str, term: str, n: int) -> str:
    return op.join([term] * n)


def sql_cases() -> dict[str, str]:
    """name -> a SQL script; each is a table ``t`` with something deep or long."""
    out: dict[str, str] = {}
    for n in (1_000, 10_000, 100_000):
        paren = "(" * n + "1" + ")" * n
        out |= {
            f"parentheses-{n}": f"CREATE TABLE t (a int CHECK ({paren} > 0));",
            f"array-{n}": f"CREATE TABLE t (a int[] DEFAULT array{'[' * n}1{']' * n});",
            f"casts-{n}": "CREATE TABLE t (a int DEFAULT 1" + "::int" * n + ");",
            f"plus-{n}": "CREATE TABLE t (a int DEFAULT " + _chain("+", "1", n) + ");",
            f"and-{n}": "CREATE TABLE t (a bool CHECK (" + _chain(" and ", "a", n) + "));",
            f"case-{n}": "CREATE TABLE t (a int DEFAULT " + "case when true then " * n
                         + "1" + " end" * n + ");",
            f"calls-{n}": "CREATE TABLE t (a int DEFAULT " + "abs(" * n + "1" + ")" * n + ");",
            f"minus-{n}": "CREATE TABLE t (a int DEFAULT " + "- " * n + "1);",
            f"union-view-{n}": "CREATE TABLE t (a int);\nCREATE VIEW v AS "
                               + _chain(" UNION ", "SELECT a FROM t", n) + ";",
            f"join-view-{n}": "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT 1 FROM t"
                              + " JOIN t AS u ON true" * n + ";",
        }
    out["plus-40000"] = "CREATE TABLE t (a int DEFAULT " + _chain("+", "1", 40_000) + ");"
    # refused before pglast builds the tree (20 s and 800 MB for this one)
    out["plus-900000"] = "CREATE TABLE t (a int DEFAULT " + _chain("+", "1", 900_000) + ");"
    out["megabyte-identifier"] = f'CREATE TABLE t ("{"x" * 1_000_000}" int);'
    out["megabyte-line"] = "CREATE TABLE t (" + ", ".join(f"c{i} int" for i in range(
        100_000)) + ");"
    return out


_CHILD = """
import json, sys
from modeler.importers import SchemaImportError, import_sql
from tests.importers.test_deep_input import sql_cases
for name, text in sql_cases().items():
    print(json.dumps(["start", name]), flush=True)
    try:
        r = import_sql([("deep.sql", text)])
        t = next((t for t in r.schema.tables if t.name == "t"), None)
        out = ["imported", name, [f"{w.kind}: {w.message[:300]}" for w in r.warnings],
               t is not None]
    except SchemaImportError as exc:
        out = ["refused", name, str(exc)[:1000], None]
    except BaseException as exc:
        out = ["crashed", name, f"{type(exc).__name__}: {exc}"[:500], None]
    print(json.dumps(out), flush=True)
"""


@pytest.fixture(scope="module")
def sql_outcomes() -> dict[str, list[Any]]:
    return childrun.outcomes(_CHILD, timeout=240)


@pytest.mark.parametrize("name", sorted(sql_cases()))
def test_deep_sql_imports_or_is_refused_with_the_reason(sql_outcomes: dict[str, list[Any]],
                                                        name: str) -> None:
    status, _, said, has_t = sql_outcomes[name]
    assert status in ("imported", "refused"), said
    text = json.dumps(said)
    assert "RecursionError" not in text and "Traceback" not in text, said
    assert "memory exhausted" not in text, said  # PostgreSQL's words, not a reason
    if status == "refused":
        assert said.startswith("deep.sql:"), said
        assert "nested too deeply" in said or "reads statements of up to" in said, said
    elif not has_t:  # the statement was left out: a warning says why
        assert any("nested too deeply" in w for w in said), said
    if name.startswith("megabyte"):  # long, not deep
        assert status == "imported" and has_t and not said, said
    if name == "plus-900000":
        assert status == "refused" and "more than 50,000 operators" in said, said


def test_a_moderately_deep_default_is_imported() -> None:
    """Nesting the editor accepts (sqlexpr's room) is imported with the table."""
    text = f"CREATE TABLE t (a int[] DEFAULT array{'[' * 500}1{']' * 500}, " \
           f"b int DEFAULT {_chain('+', '1', 500)});"
    result = import_sql([("deep.sql", text)])
    t = result.schema.table_named("t")
    assert t is not None and t.column_named("a").default  # type: ignore[union-attr]
    assert t.column_named("b").default  # type: ignore[union-attr]


def _refusal(fn: Any, text: str) -> str:
    with pytest.raises(SchemaImportError) as caught:
        fn([("odd.x", text)])
    return str(caught.value)


@pytest.mark.parametrize("fn", [import_sql, import_dbml])
@pytest.mark.parametrize("text", [
    "CREATE TABLE t (a int); COMMENT ON TABLE t IS '\ud800';",
    'CREATE TABLE "\udcff" (a int);', 'Table "\ud800" {\n  a int\n}\n',
    "Table t {\n  a int [note: 'x\udfff']\n}\n"])
def test_lone_surrogates_are_refused(fn: Any, text: str) -> None:
    said = _refusal(fn, text)
    assert said.startswith("odd.x:") and "not valid Unicode text" in said, said


@pytest.mark.parametrize(("fn", "text"), [
    (import_sql, "CREATE TABLE t (\r  a int\r);\rCREATE TABLE u (\r  a int,,\r);\r"),
    (import_dbml, "Table t {\r  a int\r}\rTable u {\r  a int [pk,,]\r}\r")])
def test_cr_only_line_ends_count_as_lines(fn: Any, text: str) -> None:
    said = _refusal(fn, text)
    assert "odd.x:5: " in said, said


def _kept(line: str) -> str:
    from modeler.codegen.dbml import KEPT_MARKER

    return (f"Project p {{\n  note: '''{KEPT_MARKER}\n{line}\n'''\n}}\n"
            "Table t {\n  a int\n}\n")


@pytest.mark.parametrize("depth", [10, 900, 1_000, 100_000])
def test_deeply_nested_kept_data_is_a_warning(depth: int) -> None:
    """The Project note's kept data (JSON lines) nested deep: ignored with a warning."""
    nested = '{"tables": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    result = import_dbml([("kept.dbml", _kept(nested))])
    assert result.schema.table_named("t") is not None
    said = " ".join(w.message for w in result.warnings)
    assert "RecursionError" not in said
    if depth > 100:
        assert "nested more than" in said, said


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["(", "[", "{", "abs(", "-", "not ", "array[", "case when "]),
                min_size=1, max_size=3),
       st.integers(min_value=50, max_value=3_000))
def test_generated_nestings_never_crash(openers: list[str], depth: int) -> None:
    """Mixed nestings (balanced or not) in a SQL default and a DBML default: an import or a
    refusal, never another exception."""
    body = "".join(openers[i % len(openers)] for i in range(depth))
    for fn, text in ((import_sql, f"CREATE TABLE t (a int DEFAULT {body}1);"),
                     (import_dbml, f"Table t {{\n  a int [default: `{body}1`]\n}}\n"),
                     (import_dbml, f"Table t {{\n  a int [default: {body}1]\n}}\n")):
        try:
            result = fn([("gen.x", text)])
        except SchemaImportError as exc:
            assert "gen.x:" in str(exc), exc
        else:
            assert isinstance(result, ImportResult)
            assert not any("RecursionError" in w.message for w in result.warnings)
