"""The expression layer itself (:mod:`modeler.schema.sqlexpr`): what it accepts and how it
spells it, what it refuses and the message (with the place the parse stopped), the context
rules of each use, column resolution, type names, partition keys and bounds. The tests marked
``postgres`` ask a real server whether the canonical spelling means the same as the original.

Known bugs are strict xfails (the reason says input, expected and got)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from modeler.schema import sqlexpr, validate
from modeler.schema.builder import SchemaBuilder
from tests.pgtemp import PgServer

COLUMNS = ("id", "price", "name", "code", "qty", "created_at", "Weird \"col\"")


def problem(text: str, kind: sqlexpr.Kind = "check") -> str | None:
    columns = ("value",) if kind == "domain_check" else COLUMNS
    return sqlexpr.problem(text, kind, columns=columns,
                           table=None if kind == "domain_check" else "item")


# --- canonical spelling ----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("price>0", "price > 0"),
    ("  price\n>\t0  ", "price > 0"),
    ("price > 0 -- trailing", "price > 0"),
    ("price /* c; DROP */ > 0", "price > 0"),
    ("(price)::int >= 0", "price::integer >= 0"),
    ("CAST(price AS numeric(10,2))", "price::numeric(10, 2)"),
    ("price :: int", "price::integer"),
    ("(-1)::int", "(-1)::integer"),
    ("'-1'::int", "'-1'::integer"),
    ("(qty + 1)::text", "(qty + 1)::text"),
    ("interval '1 day'", "'1 day'::interval"),
    ("timestamptz '2000-01-01'", "'2000-01-01'::timestamptz"),
    ("$$x$$", "'x'"),
    ("$tag$it's$tag$", "'it''s'"),
    ("E'it\\'s'", "'it''s'"),
    ("E'a\\\\b'", "'a\\b'"),
    ("U&'\\0041'", "'A'"),
    ("U&'!0041' UESCAPE '!'", "'A'"),
    ("'C:\\path'", "'C:\\path'"),
    ("name <> ':x'", "name <> ':x'"),
    ("name ~ '[[:alnum:]_]'", "name ~ '[[:alnum:]_]'"),
    ("'ünïcødé ☃ 😀'", "'ünïcødé ☃ 😀'"),
    ("\"Weird \"\"col\"\"\" >= 0", "\"Weird \"\"col\"\"\" >= 0"),
    ("PRICE > 0", "price > 0"),
    ("\"price\" > 0", "price > 0"),
    ("true AND NOT false", "TRUE AND NOT FALSE"),
    ("NOT (price > 0 AND qty < 0)", "NOT(price > 0 AND qty < 0)"),
    ("case when qty > 0 then 'a' end", "CASE WHEN qty > 0 THEN 'a' END"),
    ("extract(year from created_at)", "EXTRACT(YEAR FROM created_at)"),
    ("substring(code from 1 for 2)", "substring(code FROM 1 FOR 2)"),
    ("trim(both ' ' from name)", "trim(BOTH ' ' FROM name)"),
    ("position(':' in code)", "position(':' IN code)"),
    ("created_at at time zone 'UTC'", "created_at AT TIME ZONE 'UTC'"),
    ("code = any(array['a','b'])", "code = ANY(ARRAY['a', 'b'])"),
    ("qty in (1,2)", "qty IN (1, 2)"),
    ("- -1", "1"),
    ("price % 2 = 0", "(price % 2) = 0"),
    ("lower(name) collate \"C\"", "lower(name) COLLATE \"C\""),
])
def test_canonical_spelling(text: str, canonical: str) -> None:
    assert sqlexpr.canonical(text) == canonical
    assert sqlexpr.canonical(canonical) == canonical
    assert sqlexpr.parse(canonical).node == sqlexpr.parse(text).node


def test_parse_and_canonical_are_cached_by_text() -> None:
    first = sqlexpr.parse("lower(name) || ':x'")
    assert sqlexpr.parse("lower(name) || ':x'") is first
    assert first.canonical == "lower(name) || ':x'"


# --- refusals: messages and positions --------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("", "the expression is empty"),
    ("  \n\t ", "the expression is empty"),
    ("price >= 0); DROP TABLE victim CASCADE; --",
     "not a valid expression: syntax error at or near \")\" at character 11 "
     "(near '); DROP TABLE victim')"),
    ("price > 0) OR (true",
     "not a valid expression: syntax error at or near \")\" at character 10 (near ') OR (true')"),
    ("(price > 0", "not a valid expression: syntax error at end of input at the end"),
    ("now(", "not a valid expression: syntax error at end of input at the end"),
    ("1 +", "not a valid expression: syntax error at end of input at the end"),
    ("1 2", "not a valid expression: syntax error at or near \"2\" at character 3 (near '2')"),
    ("'unterminated", "not a valid expression: unterminated quoted string at or near "
                      "\"'unterminated\" at the start"),
    ("$$x", "not a valid expression: unterminated dollar-quoted string at or near \"$$x\" "
            "at the start"),
    ("\"\"", "not a valid expression: zero-length delimited identifier at or near \"\"\"\" "
             "at the start"),
    ("1; SELECT 1", "the expression must be one expression: a ';' ends it and starts another "
                    "statement"),
    ("1; DROP TABLE item", "the expression must be one expression: a ';' ends it and starts "
                           "another statement"),
    ("1 AS x", "the expression must be one expression without an alias (AS x)"),
    ("1 x", "the expression must be one expression without an alias (AS x)"),
    ("*", "the expression must be one expression, not a * list"),
    ("item.*", "the expression must be one expression, not a * list"),
    ("1, 2", "the expression must be exactly one expression (found a list of several "
             "expressions)"),
    ("1 FROM item", "the expression must be exactly one expression (found FROM)"),
    ("1 WHERE true", "the expression must be exactly one expression (found WHERE)"),
    ("1 GROUP BY 1", "the expression must be exactly one expression (found GROUP BY)"),
    ("1 ORDER BY 1", "the expression must be exactly one expression (found ORDER BY)"),
    ("1 LIMIT 1", "the expression must be exactly one expression (found LIMIT)"),
    ("1 INTO x", "the expression must be exactly one expression (found INTO)"),
    ("DISTINCT 1", "the expression must be exactly one expression (found DISTINCT)"),
    ("1 FOR UPDATE", "the expression must be exactly one expression (found FOR UPDATE)"),
    ("1 UNION SELECT 2", "the expression must be exactly one expression (found a set "
                         "operation (UNION, INTERSECT, EXCEPT))"),
    ("a\x00b", "the expression contains a NUL character"),
    ("x" * 10_001, "the expression is longer than 10,000 characters"),
])
def test_refusal_messages(text: str, message: str) -> None:
    with pytest.raises(sqlexpr.ExpressionError) as info:
        sqlexpr.parse(text)
    assert str(info.value) == message
    assert problem(text) == message


@pytest.mark.parametrize(("text", "at"), [
    ("'ünïcødé' )", "at character 11 (near ')')"),
    ("'☃☃☃☃' = 1 )", "at character 12 (near ')')"),
    ("name = '😀😀' AND AND", "at character 17 (near 'AND')"),
    ("\n\n  )", "at character 5 (near ')')"),
    ("price > 0 AND\n) x", "at character 15 (near ') x')"),
])
def test_positions_count_characters_of_the_users_text(text: str, at: str) -> None:
    found = problem(text)
    assert found is not None and found.endswith(at)


def test_the_limit_is_ten_thousand_characters() -> None:
    text = "code <> '" + "x" * 9_989 + "'"  # 9,999 characters
    assert len(text) == 9_999 and problem(text) is None
    assert problem(text + " ") is None
    assert problem(text + "  ") == "the expression is longer than 10,000 characters"


@pytest.mark.parametrize("terms", [164, 900, 1_666])
def test_a_long_operator_chain_is_not_a_crash(terms: int) -> None:
    """Chains up to the forms' length limit are taken; longer ones (PostgreSQL takes 1,667
    terms) are an answer, never a RecursionError."""
    found = problem("qty + " * terms + "qty")
    assert found is None if terms < 1_000 else found in (
        None, "the expression is nested too deeply to be stored; split it (or use a function)")


@pytest.mark.parametrize("text", ["-- just a comment", "/* */"])
def test_an_expression_that_is_only_a_comment_is_empty(text: str) -> None:
    assert problem(text) == "the expression is empty"


@pytest.mark.parametrize("text", [";", "price > 0;", "price > 0 ; -- done"])
def test_a_semicolon_is_refused(text: str) -> None:
    assert problem(text) == "the expression must be one expression: a ';' ends it"


@pytest.mark.parametrize("text", ["(qty IS DISTINCT FROM 1) IS TRUE",
                                  "(qty IS NOT DISTINCT FROM 1) IS NOT FALSE",
                                  "(name IS DISTINCT FROM code) IS UNKNOWN"])
def test_is_tests_of_is_distinct_from_keep_their_parentheses(text: str) -> None:
    assert sqlexpr.parse(sqlexpr.canonical(text)).node == sqlexpr.parse(text).node


# --- context rules ---------------------------------------------------------------------------

KINDS: tuple[sqlexpr.Kind, ...] = ("check", "default", "generated", "index", "predicate",
                                   "domain_check", "domain_default")
_IMMUTABLE = {"generated", "index", "predicate"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("text", "refused_in", "message"), [
    ("now() IS NOT NULL", _IMMUTABLE, "must be marked IMMUTABLE (now() is not)"),
    ("pg_catalog.now() IS NOT NULL", _IMMUTABLE, "must be marked IMMUTABLE (now() is not)"),
    ("random() > 0.5", _IMMUTABLE, "must be marked IMMUTABLE (random() is not)"),
    ("gen_random_uuid() IS NOT NULL", _IMMUTABLE, "(gen_random_uuid() is not)"),
    ("nextval('s') > 0", _IMMUTABLE, "(nextval() is not)"),
    ("CURRENT_TIMESTAMP IS NOT NULL", _IMMUTABLE, "(CURRENT_... values are not)"),
    ("current_date IS NOT NULL", _IMMUTABLE, "(CURRENT_... values are not)"),
    ("count(*) > 0", set(KINDS), "aggregate functions are not allowed in"),
    ("sum(1) FILTER (WHERE true) > 0", set(KINDS), "aggregate functions are not allowed in"),
    ("count(DISTINCT 1) > 0", set(KINDS), "aggregate functions are not allowed in"),
    ("percentile_cont(0.5) WITHIN GROUP (ORDER BY 1) > 0", set(KINDS),
     "aggregate functions are not allowed in"),
    ("string_agg('a', ',' ORDER BY 1) <> ''", set(KINDS),
     "aggregate functions are not allowed in"),
    ("row_number() OVER () > 0", set(KINDS), "window functions are not allowed in"),
    ("generate_series(1, 2) > 0", set(KINDS), "set-returning functions are not allowed in"),
    ("unnest(ARRAY[1]) > 0", set(KINDS), "set-returning functions are not allowed in"),
    ("1 IN (SELECT 1)", set(KINDS), "cannot use subquery in"),
    ("EXISTS (SELECT 1)", set(KINDS), "cannot use subquery in"),
    ("ARRAY(SELECT 1) IS NOT NULL", set(KINDS), "cannot use subquery in"),
    ("$1 > 0", set(KINDS), "there is no parameter $1 in"),
    ("lower('A') = 'a'", set(), ""),
])
def test_context_rules(kind: sqlexpr.Kind, text: str, refused_in: set[str],
                       message: str) -> None:
    found = problem(text, kind)
    if kind in refused_in:
        assert found is not None and message in found, found
    else:
        assert found is None


@pytest.mark.parametrize(("kind", "use"), [
    ("check", "check constraints"), ("default", "DEFAULT expressions"),
    ("generated", "generation expressions"), ("index", "index expressions"),
    ("predicate", "index predicates"), ("domain_check", "check constraints"),
    ("domain_default", "DEFAULT expressions")])
def test_messages_name_the_use_as_postgresql_does(kind: sqlexpr.Kind, use: str) -> None:
    assert problem("count(*) > 0", kind) == \
        f"aggregate functions are not allowed in {use} (count)"


def test_default_takes_no_column_and_default_is_not_an_expression() -> None:
    assert problem("price", "default") == ("cannot use column reference in DEFAULT expressions "
                                           "(price); a string is written in single quotes")
    assert problem("lower(name)", "domain_default") is not None
    assert problem("DEFAULT", "default") == "DEFAULT is not allowed in DEFAULT expressions"
    assert problem("'price'", "default") is None


# --- column references -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("price > 0", None),
    ("item.price > 0", None),
    ("public.item.price > 0", None),
    ("PRICE > 0", None),
    ("\"Weird \"\"col\"\"\" > 0", None),
    ("nope > 0", "column 'nope' does not exist in the table"),
    ("\"Price\" > 0", "column 'Price' does not exist in the table"),
    ("other.price > 0", "other.price names another table's column"),
    ("a.b.c.d > 0", "a.b.c.d: write the column as column or table.column (an expression "
                     "sees only its own table)"),
    ("item.* IS NOT NULL", "a whole-row reference (item.*) is not supported here"),
])
def test_column_references_resolve_against_the_table(text: str, message: str | None) -> None:
    assert problem(text) == message


def test_a_domain_check_sees_value_only() -> None:
    assert problem("VALUE > 0", "domain_check") is None
    assert problem("value ~ '^[a-z]+$'", "domain_check") is None
    assert problem("price > 0", "domain_check") == \
        "column 'price' does not exist in the domain's VALUE"


def test_without_columns_references_are_not_resolved() -> None:
    assert sqlexpr.problem("anything > 0", "check") is None


def test_a_reference_qualified_by_another_schema_is_refused() -> None:
    b = SchemaBuilder()
    t = b.table("item", comment="One thing")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("price", "numeric")
    t.check("ck_item_price", "hr.item.price > 0")
    assert validate.expression_problems(b.build()) != []


def test_normalize_functions_and_column_refs() -> None:
    assert sqlexpr.normalize("PRICE>0", "check", columns=COLUMNS, table="item") == "price > 0"
    with pytest.raises(sqlexpr.ExpressionError, match="does not exist"):
        sqlexpr.normalize("nope > 0", "check", columns=COLUMNS, table="item")
    assert sqlexpr.functions("lower(name) || pg_catalog.upper(code) || lower(code)") == (
        (None, "lower"), ("pg_catalog", "upper"))
    assert sqlexpr.column_refs("item.price + qty + qty") == (("item", "price"), ("qty",))


# --- type names ------------------------------------------------------------------------------

TYPE_NAMES = [
    ("int", "integer"), ("int[]", "integer[]"), ("pg_catalog.int4", "integer"),
    ("varchar(10)[]", "varchar(10)[]"), ("character varying", "varchar"),
    ("national character varying(2)", "varchar(2)"), ("double precision", "double precision"),
    ("timestamp(3) with time zone", "timestamp(3) with time zone"),
    ("interval day to second", "interval day to second"), ("bit varying(5)", "bit varying(5)"),
    ("char(3)", "char(3)"), ("integer array[3]", "integer[3]"), ("numeric(10,2)",
                                                                 "numeric(10, 2)"),
    ("int4 -- c", "int4"), ("\"char\"", "\"char\""),
]


@pytest.mark.parametrize(("text", "canonical"), [
    *TYPE_NAMES, ("public.citext", "public.citext"), ("geometry(Point,4326)",
                                                      "geometry(point, 4326)"),
    ("\"My Type\"", "\"My Type\""), ("\"int); DROP TABLE x; --\"",
                                     "\"int); DROP TABLE x; --\""),
])
def test_type_names(text: str, canonical: str) -> None:
    assert sqlexpr.type_name(text) == canonical
    assert sqlexpr.type_problem(text) is None
    assert sqlexpr.type_name(canonical) == canonical


@pytest.mark.parametrize(("text", "message"), [
    ("", "the type name is empty"),
    ("1", "not a valid type name: syntax error at or near \"1\" at the start"),
    ("int); DROP TABLE x; --",
     "not a valid type name: syntax error at or near \")\" at character 4 "
     "(near '); DROP TABLE x; --')"),
    ("int, int", "the type name must be exactly one expression (found a list of several "
                 "expressions)"),
    ("text COLLATE \"C\"", "not a type name: it must be exactly one type name (like "
                           "geometry(Point,4326) or public.citext)"),
    ("int; DROP TABLE x", "the type name must be one expression: a ';' ends it and starts "
                          "another statement"),
    ("int\x00", "the type name contains a NUL character"),
])
def test_type_name_refusals(text: str, message: str) -> None:
    assert sqlexpr.type_problem(text) == message
    with pytest.raises(sqlexpr.ExpressionError):
        sqlexpr.type_name(text)


@pytest.mark.parametrize("text", ["setof int", "a.b.c", "x.y.z.w"])
def test_type_names_no_column_can_have_are_refused(text: str) -> None:
    assert sqlexpr.type_problem(text) is not None


# --- partition keys and bounds ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("RANGE (created_at)", "RANGE (created_at)"),
    ("list(code)", "LIST (code)"),
    ("hash (id)", "HASH (id)"),
    ("range (lower(name), id)", "RANGE ((lower(name)), id)"),
    ("LIST ((code || ':x'))", "LIST ((code || ':x'))"),
    ("RANGE (code COLLATE \"C\" text_pattern_ops)", "RANGE (code COLLATE \"C\" text_pattern_ops)"),
])
def test_partition_keys(text: str, canonical: str) -> None:
    assert sqlexpr.partition_key(text) == canonical
    assert sqlexpr.partition_key(canonical) == canonical


@pytest.mark.parametrize(("text", "message"), [
    ("", "not a valid partition key: syntax error at end of input"),
    ("RANGE a", "not a valid partition key: syntax error at or near \"a\""),
    ("BOGUS (a)", "not a valid partition key: unrecognized partitioning strategy \"bogus\""),
    ("RANGE (a)); DROP TABLE x; --", "not a valid partition key: syntax error at or near \")\""),
    ("RANGE (a) WITH (fillfactor=1)",
     "the partition key must be RANGE|LIST|HASH (...) and nothing else"),
    ("RANGE (a) TABLESPACE t", "the partition key must be RANGE|LIST|HASH (...) and nothing else"),
    ("RANGE (a) PARTITION BY LIST (b)",
     "not a valid partition key: syntax error at or near \"PARTITION\""),
])
def test_partition_key_refusals(text: str, message: str) -> None:
    with pytest.raises(sqlexpr.ExpressionError) as info:
        sqlexpr.partition_key(text)
    assert str(info.value) == message
    assert sqlexpr.partition_problem(text, "") == message


@pytest.mark.parametrize(("text", "canonical"), [
    ("DEFAULT", "DEFAULT"),
    ("for values in ('a', ':b', '100%', 'it''s')", "FOR VALUES IN ('a', ':b', '100%', 'it''s')"),
    ("FOR VALUES FROM (1) TO (10)", "FOR VALUES FROM (1) TO (10)"),
    ("FOR VALUES FROM (MINVALUE) TO ('2020-01-01')",
     "FOR VALUES FROM (minvalue) TO ('2020-01-01')"),
    ("FOR VALUES WITH (MODULUS 4, REMAINDER 1)", "FOR VALUES WITH (MODULUS 4, REMAINDER 1)"),
    ("FOR VALUES IN ($$x$$, E'\\\\')", "FOR VALUES IN ('x', '\\')"),
])
def test_partition_bounds(text: str, canonical: str) -> None:
    assert sqlexpr.partition_bound(text) == canonical
    assert sqlexpr.partition_bound(canonical) == canonical


@pytest.mark.parametrize(("text", "message"), [
    ("", "not a valid partition bound: syntax error at end of input"),
    ("FOR VALUES IN (1); DROP TABLE x", "the partition bound must be exactly one partition bound"),
    ("FOR VALUES IN (1) WITH (fillfactor=10)",
     "the partition bound must be FOR VALUES ... or DEFAULT, and nothing else"),
    ("FOR VALUES IN (1) TABLESPACE x",
     "the partition bound must be FOR VALUES ... or DEFAULT, and nothing else"),
    ("FOR VALUES IN (1) USING heap",
     "the partition bound must be FOR VALUES ... or DEFAULT, and nothing else"),
    ("FOR VALUES IN (1) PARTITION BY RANGE (a)",
     "the partition bound must be FOR VALUES ... or DEFAULT, and nothing else"),
    ("(id int) FOR VALUES IN (1)", "not a valid partition bound: syntax error at or near \"int\""),
    ("FOR VALUES IN ('x\x00')", "the partition bound is too long or contains a NUL character"),
])
def test_partition_bound_refusals(text: str, message: str) -> None:
    with pytest.raises(sqlexpr.ExpressionError) as info:
        sqlexpr.partition_bound(text)
    assert str(info.value) == message


def test_partition_problem() -> None:
    assert sqlexpr.partition_problem(None, "") is None
    assert sqlexpr.partition_problem("RANGE (a)", "DEFAULT") is None
    assert sqlexpr.partition_problem(None, "FOR VALUES IN (1) TABLESPACE x") is not None


# --- PostgreSQL says the canonical spelling means the same -----------------------------------

@pytest.fixture(scope="module")
def conn(pg_server: PgServer) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with pg_server.scratch_connection("sqlexpr") as c:
        yield c


def _scalar(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> object:
    row = conn.execute(sql.encode()).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.postgres
@pytest.mark.parametrize(("text", "canonical"), TYPE_NAMES)
def test_type_names_mean_the_same_to_postgresql(
        conn: psycopg.Connection[tuple[object, ...]], text: str, canonical: str) -> None:
    with conn.transaction(force_rollback=True):
        conn.execute(f"CREATE TABLE t (a {text}\n, b {canonical})".encode())
        a, b = (_scalar(conn, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                              f"WHERE attrelid = 't'::regclass AND attname = '{col}'")
                for col in "ab")
    assert a == b


_PARENT = "(id int, name text, code text, price numeric, created_at timestamptz)"


@pytest.mark.postgres
@pytest.mark.parametrize("key", ["RANGE (created_at)", "list(code)", "hash (id)",
                                 "range (lower(name), id)", "LIST ((code || ':x'))",
                                 "range ((price * 2) numeric_ops)",
                                 "RANGE (code COLLATE \"C\" text_pattern_ops)"])
def test_partition_keys_mean_the_same_to_postgresql(
        conn: psycopg.Connection[tuple[object, ...]], key: str) -> None:
    with conn.transaction(force_rollback=True):
        conn.execute(f"CREATE TABLE p1 {_PARENT} PARTITION BY {key}\n".encode())
        conn.execute(f"CREATE TABLE p2 {_PARENT} PARTITION BY "
                     f"{sqlexpr.partition_key(key)}".encode())
        want, got = (_scalar(conn, f"SELECT pg_get_partkeydef('{t}'::regclass)")
                     for t in ("p1", "p2"))
    assert got == want


@pytest.mark.postgres
@pytest.mark.parametrize(("key", "bound"), [
    ("LIST (code)", "for values in ('a', ':b', '100%', 'it''s', $$x$$, E'\\\\', U&'\\0041')"),
    ("LIST (code)", "DEFAULT"),
    ("RANGE (created_at)", "FOR VALUES FROM (MINVALUE) TO ('2020-01-01 00:00:00+00')"),
    ("RANGE (id, price)", "FOR VALUES FROM (1, MINVALUE) TO (10, MAXVALUE)"),
    ("HASH (id)", "FOR VALUES WITH (modulus 4, remainder 1)"),
    ("RANGE (id)", "FOR VALUES FROM (-1) TO (1 + 1)"),
])
def test_partition_bounds_mean_the_same_to_postgresql(
        conn: psycopg.Connection[tuple[object, ...]], key: str, bound: str) -> None:
    with conn.transaction(force_rollback=True):
        conn.execute(f"CREATE TABLE p {_PARENT} PARTITION BY {key}".encode())
        conn.execute(f"CREATE TABLE c1 PARTITION OF p {bound}\n".encode())
        want = _scalar(conn, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class "
                             "WHERE relname = 'c1'")
        conn.execute(b"DROP TABLE c1")
        conn.execute(f"CREATE TABLE c2 PARTITION OF p {sqlexpr.partition_bound(bound)}".encode())
        got = _scalar(conn, "SELECT pg_get_expr(relpartbound, oid) FROM pg_class "
                            "WHERE relname = 'c2'")
    assert got == want
