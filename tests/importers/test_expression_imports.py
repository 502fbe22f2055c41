"""Imports and the expression layer: valid expressions (the corpus of
:mod:`tests.expressions`) come in meaning what they meant; hostile ones never reach a design.

A DBML file is not SQL: its backtick expressions are text the importer has to parse, so a
hostile CHECK, default or index expression is left out with a warning that names it and says
why. An SQL script is parsed by PostgreSQL's own parser first (pglast): text that would end a
statement early does not parse at all (the import stops, naming the file and line), and what
parses but PostgreSQL refuses in its place (an aggregate in a CHECK, a column in a DEFAULT,
``now()`` in an index) is left out with a warning. Either way the imported design passes
validation: every expression in it is exactly one valid expression for its place.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pglast import ast

from modeler.codegen.dbml import to_dbml
from modeler.codegen.ddl import schema_sql
from modeler.importers import ImportResult, SchemaImportError, import_dbml, import_sql
from modeler.schema import model as m
from modeler.schema import sqlexpr, validate
from modeler.schema.sqlprint import walk
from tests import expressions as X
from tests.pgtemp import PgServer

_DBML_TYPES = {"text": "text", "int": "integer", "num": "numeric(10,2)", "tstz": "timestamptz",
               "ts": "timestamp", "texts": "text[]", "jsonb": "jsonb", "uuid": "uuid",
               "bool": "boolean", "date": "date", "float": '"double precision"',
               "interval": "interval"}


def _expressions(schema: m.Schema) -> dict[tuple[str, str], str]:
    """(use, object name) -> expression, for every expression of the design."""
    out: dict[tuple[str, str], str] = {}
    for t in schema.tables:
        out.update({("check", k.name): k.expression for k in t.checks})
        for c in t.columns:
            if c.default is not None:
                out["default", c.name] = c.default
            if c.generated is not None:
                out["generated", c.name] = c.generated
        for i in t.indexes:
            for p in i.parts:
                if p.expression is not None:
                    out["index", i.name] = p.expression
            if i.where is not None:
                out["predicate", i.name] = i.where
    for d in schema.domains:
        if d.default is not None:
            out["domain_default", d.name] = d.default
        for k in d.checks:
            out["domain_check", d.name] = k.expression
    return out


def _same_meaning(entries: tuple[X.Expr, ...], result: ImportResult) -> list[str]:
    """The entries the import lost or changed (compared as parse trees)."""
    found = _expressions(result.schema)
    out = []
    for e in entries:
        got = found.get((e.use, e.object_name))
        if got is None or sqlexpr.parse(got).node != sqlexpr.parse(e.text).node:
            out.append(f"{e.id}: {e.text!r} -> {got!r}")
    return out


# --- the corpus comes in unchanged -----------------------------------------------------------

def test_an_sql_import_of_the_corpus_keeps_every_expression() -> None:
    entries = X.CORPUS
    script = "".join(f"{sql};\n" for sql in X.oracle_statements(entries))
    result = import_sql([("corpus.sql", script)])
    assert result.warnings == ()
    assert _same_meaning(entries, result) == []
    assert validate.problems(result.schema) == []


def _corpus_dbml(entries: tuple[X.Expr, ...]) -> str:
    lines = ["Table item {", "  id bigint [pk]"]
    lines += [f"  {name} {_DBML_TYPES[key]}" for name, key in X.COLUMNS
              if name in X.PLAIN_COLUMNS]
    lines += ["  created_at timestamptz", "  updated_at timestamptz"]
    lines += [f"  {e.object_name} {_DBML_TYPES[e.type]} [default: `{e.text}`]"
              for e in entries if e.use == "default"]
    lines += ["  checks {", *(f"    `{e.text}` [name: '{e.object_name}']"
                              for e in entries if e.use == "check"), "  }"]
    lines += ["  indexes {", *(f"    `{e.text}` [name: '{e.object_name}']"
                               for e in entries if e.use == "index"), "  }", "}"]
    return "\n".join(lines) + "\n"


def test_a_dbml_import_of_the_corpus_keeps_every_expression() -> None:
    """DBML has checks, defaults and index expressions (on plainly named columns)."""
    entries = tuple(e for e in X.CORPUS if e.use in ("check", "default", "index") and e.web)
    assert len(entries) >= 60
    result = import_dbml([("corpus.dbml", _corpus_dbml(entries))])
    assert result.warnings == ()
    assert _same_meaning(entries, result) == []
    assert validate.problems(result.schema) == []


@settings(max_examples=100, deadline=None)
@given(X.expressions())
# a line of a string literal that starts with a backslash is text, not a psql meta-command
@example("('') NOT LIKE '\n\\'")
@example("name <> 'a\n  \\set x 1\n'")
@example("name <> E'\\\n\\\\gexec\n'")
@example("name <> $q$\n\\if$q$ /* a\n\\endif */")
def test_an_sql_import_keeps_any_drawn_check(text: str) -> None:
    statement = X.table_statement((X.Expr("drawn", "check", text),))
    result = import_sql([("drawn.sql", statement + ";\n")])
    assert result.warnings == ()
    (table,) = result.schema.tables
    (check,) = table.checks
    assert sqlexpr.canonical(check.expression) == sqlexpr.canonical(text)
    assert validate.expression_problems(result.schema) == []


# --- any text literal, in every place an expression goes -----------------------------------

_VALUES = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                  max_size=30)
_PLACES: tuple[tuple[X.Use, str], ...] = (
    ("check", "name <> {}"), ("default", "{}"), ("generated", "name || {}"),
    ("index", "name || {}"), ("predicate", "name <> {}"))


def _literal_entries(value: str, style: str) -> tuple[X.Expr, ...]:
    lit = X.sql_string(value, style)
    return tuple(X.Expr(f"lit_{use}", use, text.format(lit)) for use, text in _PLACES)


def _strings(text: str) -> list[str]:
    return [str(n.val.sval) for n in walk(sqlexpr.parse(text).node)
            if isinstance(n, ast.A_Const) and isinstance(n.val, ast.String)]


@pytest.fixture(scope="module")
def literal_db(pg_server: PgServer) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with pg_server.scratch_connection("literals") as c:
        yield c


@pytest.mark.postgres
@settings(max_examples=60, deadline=None)
@given(value=_VALUES, style=st.sampled_from(("std", "escape", "dollar", "unicode")))
@example(value="\n\\", style="std")
@example(value="\\", style="escape")
@example(value="'\n\\gexec\n\\.\n", style="std")
@example(value="*/ -- $q$ \\if\n\\endif", style="dollar")
@example(value="\r\n\\x\t''", style="unicode")
def test_a_text_literal_keeps_its_value_through_every_printer(
        literal_db: psycopg.Connection[tuple[object, ...]], value: str, style: str) -> None:
    """A string constant with backslashes, quotes, line breaks (NUL aside: PostgreSQL
    refuses it) printed canonically means the same value to us and to PostgreSQL, and comes
    back as that value from the written SQL and DBML in each place (CHECK, DEFAULT,
    generated column, index key, partial index WHERE)."""
    entries = _literal_entries(value, style)
    for e in entries:
        assert _strings(sqlexpr.canonical(e.text)) == [value], e.id
    (canonical,) = {sqlexpr.canonical(X.sql_string(value, style))}
    row = literal_db.execute(f"SELECT {canonical}\n".encode()).fetchone()
    assert row == (value,)
    design = X.design(entries)
    sql = schema_sql(design)
    with literal_db.transaction(force_rollback=True):
        literal_db.execute(sql.encode())
    imported = import_sql([("written.sql", sql)])
    # (the design's updated_at trigger function is kept as written: not a warning about us)
    assert [w for w in imported.warnings if w.kind != "raw-object"] == []
    found = _expressions(imported.schema)
    assert {key: _strings(text) for key, text in found.items() if key[1].startswith(
        ("ck_item_lit", "d_lit", "g_lit", "ix_item_lit", "ix_item_id_where_lit"))} == {
        (e.use, e.object_name): [value] for e in entries}
    dbml = import_dbml([("written.dbml", to_dbml(design))])
    back = _expressions(dbml.schema)
    for e in entries:
        if (e.use, e.object_name) in back:
            assert _strings(back[e.use, e.object_name]) == [value], e.id


# --- hostile DBML ----------------------------------------------------------------------------

_GOOD_CHECK = "price > 0"

# (where, hostile text, what the warning says about it: one of these)
HOSTILE_DBML: list[tuple[str, str, tuple[str, ...]]] = [
    ("check", "price >= 0); DROP TABLE victim CASCADE; --",
     ("not an SQL expression", "syntax error")),
    ("check", "(price > 0", ("not an SQL expression", "syntax error")),
    ("check", "1; SELECT 1", ("not an SQL expression", "';'")),
    ("check", "1 AS x", ("not an SQL expression", "alias")),
    ("check", "count(*) > 0", ("aggregate",)),
    ("check", "generate_series(1,2) > 0", ("set-returning",)),
    ("check", "x IN (SELECT 1)", ("subquery",)),
    ("check", "nope > 0", ("nope",)),
    ("check", "$1", ("parameter $1",)),
    ("default", "now(", ("not an SQL expression", "syntax error")),
    ("default", "1 +", ("not an SQL expression", "syntax error")),
    ("default", "1; SELECT 1", ("not an SQL expression", "';'")),
    ("default", "price", ("column",)),
    ("default", "(SELECT 1)", ("subquery",)),
    ("index", "now()", ("immutable", "IMMUTABLE")),
    ("index", "random()", ("immutable", "IMMUTABLE")),
    ("index", "lower(name)); DROP TABLE item; --", ("not an SQL expression", "syntax error")),
    ("index", "1 AS x", ("not an SQL expression", "alias")),
    ("index", "$1", ("parameter $1",)),
    ("index", "count(*)", ("aggregate",)),
]


def _dbml_with(where: str, text: str) -> str:
    default = f" [default: `{text}`]" if where == "default" else ""
    checks = f"    `{text}` [name: 'ck_item_evil']\n" if where == "check" else ""
    indexes = f"    `{text}` [name: 'ix_item_evil']\n" if where == "index" else ""
    return ("Table item {\n  id bigint [pk]\n  price numeric(10,2)\n  name text\n"
            f"  note text{default}\n"
            f"  checks {{\n    `{_GOOD_CHECK}` [name: 'ck_item_good']\n{checks}  }}\n"
            f"  indexes {{\n    `lower(name)` [name: 'ix_item_good']\n{indexes}  }}\n}}\n")


@pytest.mark.parametrize(("where", "text", "why"),
                         [pytest.param(*case, id=f"{case[0]}-{n}")
                          for n, case in enumerate(HOSTILE_DBML)])
def test_hostile_dbml_expressions_are_left_out_with_a_warning(
        where: str, text: str, why: tuple[str, ...]) -> None:
    result = import_dbml([("hostile.dbml", _dbml_with(where, text))])
    named = [w.message for w in result.warnings if text in w.message
             or _canonical_or_none(text) in w.message]
    assert named, [w.message for w in result.warnings]
    assert any("left out" in msg and any(reason in msg for reason in why) for msg in named), named
    found = _expressions(result.schema)
    assert text not in found.values() and _canonical_or_none(text) not in found.values()
    assert found[("check", "ck_item_good")] == _GOOD_CHECK  # the rest comes in
    assert ("index", "ix_item_good") in found
    assert validate.problems(result.schema) == []


def _canonical_or_none(text: str) -> str:
    try:
        return sqlexpr.canonical(text)
    except sqlexpr.ExpressionError:
        return text


def test_a_hostile_dbml_type_is_imported_as_text_with_a_warning() -> None:
    dbml = 'Table t {\n  id int [pk]\n  x "int); DROP TABLE x; --"\n}\n'
    result = import_dbml([("t.dbml", dbml)])
    (table,) = result.schema.tables
    assert table.columns[1].type == m.ColumnType(name="text")
    assert any('"int); DROP TABLE x; --"' in w.message and "imported as text" in w.message
               for w in result.warnings)


# --- hostile SQL -----------------------------------------------------------------------------

@pytest.mark.parametrize("script", [
    "CREATE TABLE item (id int, price numeric CHECK (price >= 0); DROP TABLE victim CASCADE; --))",
    "CREATE TABLE item (id int, price numeric DEFAULT now(, name text)",
    "CREATE TABLE item (id int, price numeric DEFAULT 1 +)",
    "CREATE TABLE item (id int, price numeric CHECK ((price > 0))",
    "CREATE TABLE item (id int PRIMARY KEY, CHECK (id > 0)); SELECT 1 /* ",
    "CREATE TABLE item (id int PRIMARY KEY); CREATE INDEX ON item ((id + ))",
])
def test_sql_that_would_end_a_statement_early_does_not_parse(script: str) -> None:
    with pytest.raises(SchemaImportError) as info:
        import_sql([("hostile.sql", script)])
    assert info.value.file == "hostile.sql" and info.value.line == 1


def test_sql_pglast_parses_but_postgresql_refuses_in_place_is_left_out() -> None:
    script = """CREATE TABLE item (
    id int PRIMARY KEY,
    price numeric DEFAULT price,
    qty int DEFAULT (SELECT 1),
    code text DEFAULT $1,
    CONSTRAINT ck_item_agg CHECK (count(*) > 0),
    CONSTRAINT ck_item_srf CHECK (generate_series(1, 2) > 0),
    CONSTRAINT ck_item_window CHECK (row_number() OVER () > 0),
    CONSTRAINT ck_item_good CHECK (price > 0)
);
CREATE INDEX ix_item_now ON item ((now()));
CREATE INDEX ix_item_sub ON item (id) WHERE price IN (SELECT 1);
CREATE INDEX ix_item_good ON item (lower(code));
"""
    result = import_sql([("context.sql", script)])
    messages = [w.message for w in result.warnings if w.kind == "invalid expression"]
    for text, why in (("'price'", "cannot use column reference in DEFAULT expressions"),
                      ("'(SELECT 1)'", "cannot use subquery in DEFAULT expressions"),
                      ("'$1'", "there is no parameter $1 in DEFAULT expressions"),
                      ("'count(*) > 0'", "aggregate functions are not allowed"),
                      ("'generate_series(1, 2) > 0'", "set-returning functions"),
                      ("row_number() OVER ()", "window functions are not allowed"),
                      ("'now()'", "must be marked IMMUTABLE (now() is not)"),
                      ("'price IN (SELECT 1)'", "cannot use subquery in index predicates")):
        assert any(text in msg and why in msg and "left out" in msg for msg in messages), \
            (text, messages)
    found = _expressions(result.schema)
    assert found == {("check", "ck_item_good"): "price > 0",
                     ("index", "ix_item_good"): "lower(code)"}
    assert validate.problems(result.schema) == []


def test_a_quoted_sql_type_name_stays_one_quoted_identifier() -> None:
    """``"int); DROP TABLE x; --"`` is a legal (quoted) type name in SQL: it is kept as one
    quoted identifier, which the export writes as such (it cannot end the statement)."""
    result = import_sql([("t.sql", 'CREATE TABLE t (id int PRIMARY KEY, '
                                   'x "int); DROP TABLE x; --");')])
    (table,) = result.schema.tables
    ctype = table.columns[1].type
    assert (ctype.kind, ctype.name) == ("custom", '"int); DROP TABLE x; --"')
    assert sqlexpr.type_name(ctype.name) == ctype.name
    assert validate.problems(result.schema) == []
