"""The adversarial expression corpus, and how to apply it to PostgreSQL and to a design.

Every entry is an SQL expression PostgreSQL accepts in its place (a CHECK, a column default, a
generated column, an index key expression, a partial index predicate, a domain CHECK or
DEFAULT), chosen to break a writer that treats user SQL as text: regular-expression classes
and ``':name'`` literals that ``sa.text()`` takes for bind parameters, ``%`` that a
``pyformat`` driver takes for a placeholder, braces, doubled quotes, quoted identifiers,
backslashes in standard and escape strings, dollar quotes, comments that would swallow the
rest of a statement, unicode and ``U&`` escapes, every spelling of a cast, SQL-syntax calls
(``EXTRACT``, ``SUBSTRING ... FROM``, ``TRIM``, ``POSITION``), arrays, ``ANY``, jsonb
operators, ``COLLATE`` and operators written with and without spaces.

All entries apply to one table, :data:`TABLE` (see :data:`COLUMNS`); a default or generated
entry adds a column of its own (``d_<key>``, ``g_<key>``), an index entry an index
(``ix_item_<key>``, ``ix_item_id_where_<key>``), a check a constraint (``ck_item_<key>``)
and a domain entry a domain (``dom_check_<key>``, ``dom_default_<key>``).
:func:`oracle_statements` writes the DDL with the entries' *original* text (PostgreSQL is the
oracle); :func:`design` builds the same thing as a design; :func:`read_facts` reads back what
PostgreSQL stored for each entry, keyed by entry. :data:`BUGS` lists the known bugs the corpus
found, :func:`expressions` draws random expressions over the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
import pytest
from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder, TableBuilder, stable_uid
from modeler.schema.naming import ck_name

Use = Literal["check", "default", "generated", "index", "predicate", "domain_check",
              "domain_default"]
USES: tuple[Use, ...] = ("check", "default", "generated", "index", "predicate",
                         "domain_check", "domain_default")

TABLE = "item"


@dataclass(frozen=True)
class SqlType:
    """A column (or domain base) type: its SQL spelling for the oracle, the same type in the
    design."""

    sql: str
    ctype: m.ColumnType

    def form_data(self, prefix: str) -> dict[str, str]:
        """The editor's column form fields for this type."""
        out = {f"{prefix}-type": self.ctype.name}
        for attr in ("length", "precision", "scale"):
            value = getattr(self.ctype, attr)
            if value is not None:
                out[f"{prefix}-{attr}"] = str(value)
        if self.ctype.array_dims:
            out[f"{prefix}-array"] = "on"
        return out


TYPES: dict[str, SqlType] = {
    "text": SqlType("text", m.ColumnType(name="text")),
    "int": SqlType("integer", m.ColumnType(name="integer")),
    "num": SqlType("numeric(10,2)", m.ColumnType(name="numeric", precision=10, scale=2)),
    "tstz": SqlType("timestamp with time zone", m.ColumnType(name="timestamptz")),
    "ts": SqlType("timestamp without time zone", m.ColumnType(name="timestamp")),
    "texts": SqlType("text[]", m.ColumnType(name="text", array_dims=1)),
    "jsonb": SqlType("jsonb", m.ColumnType(name="jsonb")),
    "uuid": SqlType("uuid", m.ColumnType(name="uuid")),
    "bool": SqlType("boolean", m.ColumnType(name="boolean")),
    "date": SqlType("date", m.ColumnType(name="date")),
    "float": SqlType("double precision", m.ColumnType(name="double precision")),
    "interval": SqlType("interval", m.ColumnType(name="interval")),
}

# The table every entry applies to, after ``id bigint GENERATED ALWAYS AS IDENTITY PRIMARY
# KEY`` and before ``created_at``/``updated_at timestamptz NOT NULL DEFAULT now()``. The two
# last columns need quoting; the editor's forms take plain names only (``web=False`` entries
# use them).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("price", "num"), ("name", "text"), ("code", "text"), ("tags", "texts"),
    ("data", "jsonb"), ("qty", "int"), ('Weird "col"', "int"), ("it's", "text"),
)
PLAIN_COLUMNS = tuple(name for name, _ in COLUMNS if name.isidentifier())
ALL_COLUMNS = ("id", *(name for name, _ in COLUMNS), "created_at", "updated_at")


@dataclass(frozen=True)
class Expr:
    """One corpus entry. ``key``: a short identifier (object names derive from it); ``type``:
    a key of :data:`TYPES`, the type of a default/generated column or a domain's base;
    ``web``: the editor's forms can enter it (its use has a form, its columns plain names)."""

    key: str
    use: Use
    text: str
    type: str = "text"
    web: bool = True

    @property
    def id(self) -> str:
        return f"{self.use}:{self.key}"

    @property
    def object_name(self) -> str:
        """The name of what the entry creates (constraint, column, index or domain)."""
        return {"check": ck_name(TABLE, self.key), "default": f"d_{self.key}",
                "generated": f"g_{self.key}", "index": f"ix_{TABLE}_{self.key}",
                "predicate": f"ix_{TABLE}_id_where_{self.key}",
                "domain_check": f"dom_check_{self.key}",
                "domain_default": f"dom_default_{self.key}"}[self.use]

    @property
    def sql_type(self) -> SqlType:
        return TYPES[self.type]


def _c(key: str, text: str, *, web: bool = True) -> Expr:
    return Expr(key, "check", text, web=web)


def _d(key: str, type_: str, text: str) -> Expr:
    return Expr(key, "default", text, type_)


def _g(key: str, type_: str, text: str) -> Expr:
    return Expr(key, "generated", text, type_, web=False)  # the editor has no generated field


def _i(key: str, text: str, *, web: bool = True) -> Expr:
    return Expr(key, "index", text, web=web)


def _p(key: str, text: str) -> Expr:
    return Expr(key, "predicate", text)


def _dc(key: str, type_: str, text: str) -> Expr:
    return Expr(key, "domain_check", text, type_, web=False)  # no domain form


def _dd(key: str, type_: str, text: str) -> Expr:
    return Expr(key, "domain_default", text, type_, web=False)


CORPUS: tuple[Expr, ...] = (
    # ---- CHECK constraints
    _c("regex_class", "name ~ '[[:alnum:]_]'"),
    _c("regex_colon", "code ~ '^[A-Z]{2}:[0-9]+$'"),
    _c("colon_literal", "name <> ':x'"),
    _c("colon_name_cast", "name <> ':name'::text"),
    _c("backslash_colon", r"name <> 'a\:b'"),
    _c("escape_backslash_colon", r"name <> E'\\:x'"),
    _c("dollar_colon", "name <> $$:x$$"),
    _c("pyformat", "name NOT LIKE '%(x)s%'"),
    _c("percent", "code <> '100%'"),
    _c("percent_s", "name <> '%s%%'"),
    _c("braces", "name <> '{x}'"),
    _c("doubled_quote", "name <> 'it''s'"),
    _c("injection_in_string", "name <> '''); DROP TABLE item; --'"),
    _c("semicolon_string", "code <> ';'"),
    _c("double_quote_string", "name <> '\"'"),
    _c("quoted_column", '"Weird ""col""" >= 0', web=False),
    _c("quote_in_column", "\"it's\" <> name", web=False),
    _c("escape_newline", r"name <> E'\n'"),
    _c("escape_control", r"name <> E'\x01\t'"),
    _c("windows_path", r"code <> 'C:\path'"),
    _c("trailing_backslash", "code <> '\\'"),
    _c("dollar", "name <> $$x$$"),
    _c("dollar_tag", "name <> $tag$a$b$tag$"),
    _c("line_comment", "price > 0 -- trailing"),
    _c("block_comment", "price /* c */ > 0"),
    _c("comment_in_string", "name <> '-- not a comment /* nor this */'"),
    _c("unicode", "name <> 'ünïcødé ☃'"),
    _c("astral", "name <> '😀𝔘'"),
    _c("unicode_escape", r"code <> U&'\0041'"),
    _c("unicode_escape_uescape", "code <> U&'!0041' UESCAPE '!'"),
    _c("cast_array", "tags <> '{}'::text[]"),
    _c("cast_paren", "(price)::int >= 0"),
    _c("cast_sql", "CAST(price AS numeric(10,2)) >= 0"),
    _c("cast_spaces", "price :: integer >= 0"),
    _c("typed_literal", "created_at > timestamptz '2000-01-01 00:00:00+00'"),
    _c("distinct_from", "name IS DISTINCT FROM code"),
    _c("between_symmetric", "qty BETWEEN SYMMETRIC 100 AND 0"),
    _c("case", "CASE WHEN price > 100 THEN qty < 10 ELSE true END"),
    _c("coalesce", "COALESCE(name, '') <> ''"),
    _c("nullif", "NULLIF(code, '') IS NOT NULL"),
    _c("greatest", "GREATEST(price, 0) = price"),
    _c("array_ctor", "tags <> ARRAY['a', 'b']"),
    _c("any_array", "code = ANY (ARRAY['A:1', 'B:2', '%'])"),
    _c("in_list", "qty NOT IN (1, 2, 3)"),
    _c("array_overlap", "NOT (tags && ARRAY['x:y'])"),
    _c("subscript", "tags[1] IS DISTINCT FROM 'x'"),
    _c("jsonb_key", "NOT (data ? 'k')"),
    _c("jsonb_contains", "NOT (data @> '{\"a\":1}')"),
    _c("jsonb_path", "(data ->> 'a')::int > 0 OR data #>> '{a,b}' <> '::'"),
    _c("now", "created_at <= now() + interval '1 day'"),
    _c("current_timestamp", "created_at <= CURRENT_TIMESTAMP"),
    _c("concat", "name <> 'a' || 'b'"),
    _c("no_spaces", "price>0 AND qty>=0"),
    _c("no_spaces_negative", "qty>-1"),
    _c("negative", "price > -1.5"),
    _c("double_negative", "qty <> - -1"),
    _c("numbers", "price < 1e6 AND price <> .5 AND price <> 5."),
    _c("not_and", "NOT (price > 0 AND qty < 0)"),
    _c("is_not_false", "(price > 0) IS NOT FALSE"),
    _c("collate", "lower(name) COLLATE \"C\" >= 'a'"),
    _c("timestamps", "created_at <= updated_at"),
    _c("similar", "code SIMILAR TO '[A-Z]{2}%:%'"),
    _c("ilike_escape", "name NOT ILIKE 'a!_%' ESCAPE '!'"),
    _c("extract", "EXTRACT(year FROM created_at) > 2000"),
    _c("position", "position(':' IN code) >= 0"),
    _c("substring", "substring(code FROM 1 FOR 2) <> '::'"),
    _c("trim", "trim(both ' ' FROM name) <> ''"),
    _c("overlaps", "(created_at, updated_at) OVERLAPS (created_at, updated_at)"),
    _c("row_compare", "ROW(qty, price) >= ROW(0, 0)"),
    _c("qualified", "item.price >= 0"),
    _c("operator_syntax", "qty OPERATOR(pg_catalog.+) 1 > 0"),
    _c("whitespace", "price\n>\t0\r\n", web=False),  # the editor's fields are one line
    _c("abs_mod", "abs(qty) % 2 = 0 OR qty % 2 <> 0"),
    _c("at_time_zone", "(created_at AT TIME ZONE 'UTC') > '2000-01-01'"),
    _c("colon_percent", "name <> ':x 100%' AND code <> '%(a)s:b'"),
    _c("long", "code NOT IN (" + ", ".join(f"'k:{n:03d} %'" for n in range(40)) + ")"),
    # ---- column defaults
    _d("colon", "text", "':x'"),
    _d("backslash_colon", "text", r"'a\:b'"),
    _d("percent", "text", "'100%'"),
    _d("pyformat", "text", "'%(name)s'"),
    _d("array_literal", "texts", "'{}'::text[]"),
    _d("array_ctor", "texts", "ARRAY['a:b', 'c%']"),
    _d("quote", "text", "'it''s'"),
    _d("quote_only", "text", "''''"),
    _d("escape", "text", r"E'line\nbreak\ttab'"),
    _d("trailing_backslash", "text", "'C:\\path\\'"),
    _d("dollar", "text", "$tag$a$b:c$tag$"),
    _d("unicode", "text", "'ünïcødé ☃'"),
    _d("unicode_escape", "text", r"U&'d\0061t\+000061'"),
    _d("now", "tstz", "now()"),
    _d("current_timestamp", "tstz", "CURRENT_TIMESTAMP"),
    _d("interval", "tstz", "now() + interval '1 day'"),
    _d("concat", "text", "'a' || 'b'"),
    _d("negative", "int", "-1"),
    _d("negative_numeric", "num", "-1.50"),
    _d("jsonb", "jsonb", "'{\"a\": 1, \"b\": \":c\"}'::jsonb"),
    _d("jsonb_build", "jsonb", "jsonb_build_object('k', ':v')"),
    _d("case", "text", "CASE WHEN true THEN 'y' ELSE 'n' END"),
    _d("coalesce", "text", "COALESCE(NULL, 'x')"),
    _d("comment", "int", "0 /* zero */ -- none"),
    _d("cast", "int", "CAST('7' AS integer)"),
    _d("lower", "text", "lower('ABC')"),
    _d("random", "float", "random()"),
    _d("uuid", "uuid", "gen_random_uuid()"),
    _d("bool_not", "bool", "(NOT false)"),
    _d("bool_is_null", "bool", "(1 IS NULL)"),
    _d("bool_like", "bool", "('a:b' LIKE '%:%')"),
    _d("at_time_zone", "ts", "(now() AT TIME ZONE 'UTC')"),
    _d("collate", "text", "('x:y' COLLATE \"C\")"),
    _d("colon_percent", "text", "':x%'"),
    _d("current_date", "date", "CURRENT_DATE"),
    _d("regex_string", "text", "'[[:alpha:]]'"),
    _d("double_colon_string", "text", "'a::b'"),
    _d("interval_literal", "interval", "'1 day 02:00'::interval"),
    # ---- generated columns
    _g("product", "num", "price * qty"),
    _g("lower", "text", "lower(name)"),
    _g("concat_colon", "text", "name || ':' || code"),
    _g("case", "text", "CASE WHEN qty > 0 THEN 'in:stock' ELSE '%out%' END"),
    _g("jsonb", "text", "data ->> 'a:b'"),
    _g("coalesce", "text", "COALESCE(tags[1], '{x}')"),
    _g("cast", "int", "(price)::int"),
    _g("regexp", "text", "regexp_replace(name, '[[:space:]]+', ' ', 'g')"),
    _g("weird", "int", '"Weird ""col""" + 1'),
    _g("at_time_zone", "ts", "created_at AT TIME ZONE 'UTC'"),
    _g("escape", "text", r"name || E'\\:'"),
    # ---- index key expressions
    _i("lower", "lower(name)"),
    _i("collate", "lower(name) COLLATE \"C\""),
    _i("concat", "name || ':' || code"),
    _i("jsonb", "data ->> 'a:b'"),
    _i("cast", "(price)::int"),
    _i("coalesce", "COALESCE(code, '%')"),
    _i("case", "CASE WHEN qty > 0 THEN name END"),
    _i("regex", "substring(code FROM '[[:digit:]]+')"),
    _i("arith", "price * qty"),
    _i("comment", "upper(code) -- up"),
    _i("subscript", "tags[1]"),
    _i("unicode", "replace(name, 'ü', 'u')"),
    _i("paren_string", "name || '(code)'"),
    _i("paren_strings", "lower('(') || upper(')')"),
    _i("call_with_paren_string", "lower(name) || ')'"),
    _i("weird", '"Weird ""col""" + 1', web=False),
    _i("quote_column_string", "\"it's\" || '(name)' || \"it's\"", web=False),
    # ---- partial index predicates (on ``id``)
    _p("colon", "code <> ':x'"),
    _p("regex", "name ~ '^[[:upper:]]'"),
    _p("percent", "name LIKE '50%'"),
    _p("nulls", "price IS NOT NULL AND qty > 0"),
    _p("in_list", "code IN ('a', 'b:c')"),
    _p("jsonb", "data ? 'k'"),
    _p("backslash", r"code <> E'\\:'"),
    _p("any", "'x' = ANY (tags)"),
    _p("not_or", "NOT (qty < 0 OR price < 0)"),
    _p("comment", "qty > 0 /* positive */"),
    _p("colon_percent", "code <> '%:x'"),
    # ---- domains
    _dc("regex", "text", "VALUE ~ '^[[:alnum:]]+:[0-9]+$'"),
    _dc("positive", "num", "VALUE > 0"),
    _dc("in_list", "text", "VALUE IN ('a', ':b', '%c')"),
    _dc("length", "text", "char_length(VALUE) <= 20 -- short"),
    _dc("lowercase_value", "text", "lower(value) = value"),
    _dc("unicode", "text", "VALUE <> '☃'"),
    _dd("colon", "text", "':x'"),
    _dd("percent", "text", "'100%'"),
    _dd("now", "tstz", "now()"),
    _dd("negative", "int", "-42"),
    _dd("escape", "text", r"E'a\\b'"),
    _dd("bool_not", "bool", "(NOT false)"),
    _dd("collate", "text", "('x' COLLATE \"C\")"),
)

assert len({e.id for e in CORPUS}) == len(CORPUS), "corpus keys repeat"


# --- known bugs ------------------------------------------------------------------------------
#
# Found by the tests of this corpus; each (road, entry) case they break is a strict xfail, so
# a fix turns its cases into failures that ask for the mark to go. The roads are those of
# tests/codegen/test_expression_oracle.py (and ``web``: tests/web/test_expression_forms.py).

ROADS = ("canonical", "alembic", "alembic_alter", "alembic_downgrade", "create_all",
         "schema_sql", "sql_import", "web")
_EXPORTS = frozenset(ROADS) - {"canonical"}


@dataclass(frozen=True)
class Bug:
    """A known bug. ``breaks``: the statement fails, which stops the whole script, so its
    entries run in a design of their own (per bug), not in the batch."""

    name: str
    reason: str
    entries: frozenset[str]
    roads: frozenset[str]
    breaks: bool = False


# The bugs this corpus found first (DEFAULTs that need parentheses or keep a COLLATE, index
# keys taken for bare calls by counting parentheses in literals, quoted identifiers read as
# literals, schema.sql doubling every %) are fixed; new ones go here.
BUGS: tuple[Bug, ...] = ()

# Valid PostgreSQL the product refuses at the door (so no road can carry it): kept out of
# CORPUS (which is what every road runs), listed here with the refusal.
REFUSED_ENTRIES = (
    Expr("nested_is_distinct", "check", "(qty IS DISTINCT FROM 1) IS TRUE"),
    Expr("nested_is_distinct", "predicate", "(code IS DISTINCT FROM 'x:y') IS NOT FALSE"),
)
# (the IS-test-of-IS-DISTINCT-FROM printer bug that refused them is fixed)
KNOWN_REFUSED: dict[str, str] = {}


def known_bugs(road: str, entry: str) -> list[Bug]:
    return [b for b in BUGS if road in b.roads and entry in b.entries]


def known_bug_marks(road: str, e: Expr) -> list[pytest.MarkDecorator]:
    """A strict xfail naming the known bugs of (road, entry), if any."""
    bugs = known_bugs(road, e.id)
    if not bugs:
        return []
    return [pytest.mark.xfail(strict=True, reason=" / ".join(f"{b.name}: {b.reason}"
                                                              for b in bugs))]


def breaking(road: str) -> tuple[Bug, ...]:
    """The known bugs that stop the whole script on ``road``."""
    return tuple(b for b in BUGS if b.breaks and road in b.roads)


# --- the oracle's DDL ------------------------------------------------------------------------

Spell = Callable[[Expr], str]


def as_written(e: Expr) -> str:
    """The entry's text as the user wrote it (the oracle's spelling)."""
    return e.text


def quote_ident(name: str) -> str:
    """Quote an identifier (always: the oracle's DDL does not rely on the product's rules)."""
    return '"' + name.replace('"', '""') + '"'


def _end(text: str) -> str:
    """The text as written, ended by a newline: a trailing ``--`` comment ends with its line,
    as it does when the text is typed into a statement of its own."""
    return text + "\n"


def _column_line(e: Expr, spell: Spell) -> str:
    if e.use == "default":
        return f"{quote_ident(e.object_name)} {e.sql_type.sql} DEFAULT {_end(spell(e))}"
    return (f"{quote_ident(e.object_name)} {e.sql_type.sql} GENERATED ALWAYS AS "
            f"({_end(spell(e))}) STORED")


def column_lines(entries: Iterable[Expr], spell: Spell = as_written) -> list[str]:
    """The table's column definitions, with the default and generated entries' columns."""
    lines = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
    lines += [f"{quote_ident(name)} {TYPES[t].sql} NOT NULL" for name, t in COLUMNS]
    lines += ["created_at timestamp with time zone NOT NULL DEFAULT now()",
              "updated_at timestamp with time zone NOT NULL DEFAULT now()"]
    lines += [_column_line(e, spell) for e in entries if e.use in ("default", "generated")]
    return lines


def entry_statements(e: Expr, spell: Spell = as_written) -> list[str]:
    """The DDL that applies one entry to an existing :data:`TABLE` (or creates its domain)."""
    table, name, text = quote_ident(TABLE), quote_ident(e.object_name), _end(spell(e))
    if e.use == "check":
        return [f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({text})"]
    if e.use in ("default", "generated"):
        return [f"ALTER TABLE {table} ADD COLUMN {_column_line(e, spell)}"]
    if e.use == "index":
        return [f"CREATE INDEX {name} ON {table} (({text}))"]
    if e.use == "predicate":
        return [f"CREATE INDEX {name} ON {table} (id) WHERE {text}"]
    if e.use == "domain_check":
        return [f"CREATE DOMAIN {name} AS {e.sql_type.sql} CONSTRAINT "
                f"{quote_ident(e.object_name + '_check')} CHECK ({text})"]
    return [f"CREATE DOMAIN {name} AS {e.sql_type.sql} DEFAULT {text}"]


def table_statement(entries: Sequence[Expr] = (), spell: Spell = as_written) -> str:
    """``CREATE TABLE item (...)`` with the entries' columns and CHECKs inline."""
    lines = column_lines(entries, spell)
    lines += [f"CONSTRAINT {quote_ident(e.object_name)} CHECK ({_end(spell(e))})"
              for e in entries if e.use == "check"]
    return f"CREATE TABLE {quote_ident(TABLE)} (\n    " + ",\n    ".join(lines) + "\n)"


def oracle_statements(entries: Sequence[Expr], spell: Spell = as_written) -> list[str]:
    """The entries as PostgreSQL DDL (by default with their original text): domains, the
    table (columns and CHECKs inline), then the indexes."""
    out: list[str] = []
    for e in entries:
        if e.use.startswith("domain"):
            out += entry_statements(e, spell)
    out.append(table_statement(entries, spell))
    for e in entries:
        if e.use in ("index", "predicate"):
            out += entry_statements(e, spell)
    return out


def apply(url: str, statements: Sequence[str]) -> None:
    """Run DDL statements on ``url`` in one transaction (psycopg, no parameters: no byte of
    the text is interpreted by the driver)."""
    with psycopg.connect(url) as conn:
        for sql in statements:
            conn.execute(sql.encode())


# --- the design ------------------------------------------------------------------------------

def design(entries: Sequence[Expr], *, name: str = "Expressions") -> m.Schema:
    """The corpus as a design: the table, its columns, the entries (as written)."""
    b = SchemaBuilder(name=name)
    for e in entries:
        if e.use.startswith("domain"):
            d = m.Domain(uid=_uid("domain", e.object_name), name=e.object_name,
                         base=e.sql_type.ctype,
                         default=e.text if e.use == "domain_default" else None,
                         checks=((m.DomainCheck(e.object_name + "_check", e.text),)
                                 if e.use == "domain_check" else ()))
            b.domains.append(d)
    t = b.table(TABLE, comment="Things the expression corpus constrains")
    t.column("id", "bigint", identity="always", pk=True)
    for col, key in COLUMNS:
        _column(t, col, TYPES[key].ctype)
    t.column("created_at", "timestamptz", default="now()")
    t.column("updated_at", "timestamptz", default="now()")
    for e in entries:
        if e.use == "default":
            _column(t, e.object_name, e.sql_type.ctype, default=e.text, nullable=True,
                    null_meaning="not set")
        elif e.use == "generated":
            _column(t, e.object_name, e.sql_type.ctype, generated=e.text, nullable=True,
                    null_meaning="an input is NULL")
        elif e.use == "check":
            t.check(e.object_name, e.text)
        elif e.use == "index":
            t.index(name=e.object_name, expressions=(e.text,))
        elif e.use == "predicate":
            t.index("id", name=e.object_name, where=e.text)
    return b.build()


def _uid(kind: str, name: str) -> str:
    return stable_uid(kind, "public", name)


def _column(t: TableBuilder, name: str, ctype: m.ColumnType, **kw: Any) -> None:
    t.column(name, ctype.name, length=ctype.length, precision=ctype.precision,
             scale=ctype.scale, array_dims=ctype.array_dims, **kw)


# --- reading back ----------------------------------------------------------------------------

_FACTS_SQL = {
    "check": """
        SELECT co.conname, pg_get_constraintdef(co.oid) FROM pg_constraint co
         WHERE co.conrelid = 'public.item'::regclass AND co.contype = 'c'""",
    "default": """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) || ' DEFAULT '
               || pg_get_expr(ad.adbin, ad.adrelid)
          FROM pg_attribute a JOIN pg_attrdef ad ON ad.adrelid = a.attrelid
               AND ad.adnum = a.attnum
         WHERE a.attrelid = 'public.item'::regclass AND a.attgenerated = ''""",
    "generated": """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) || ' GENERATED ALWAYS AS '
               || pg_get_expr(ad.adbin, ad.adrelid) || ' STORED'
          FROM pg_attribute a JOIN pg_attrdef ad ON ad.adrelid = a.attrelid
               AND ad.adnum = a.attnum
         WHERE a.attrelid = 'public.item'::regclass AND a.attgenerated = 's'""",
    "index": """
        SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = 'public.item'::regclass""",
    "domain": """
        SELECT t.typname, format_type(t.typbasetype, t.typtypmod) || ' DEFAULT '
               || coalesce(pg_get_expr(t.typdefaultbin, 0), '-') || ' ['
               || coalesce(t.typdefault, '-') || '] '
               || coalesce((SELECT string_agg(co.conname || ' ' || pg_get_constraintdef(co.oid),
                                               '; ' ORDER BY co.conname)
                              FROM pg_constraint co WHERE co.contypid = t.oid), '-')
          FROM pg_type t WHERE t.typtype = 'd'
           AND t.typnamespace = 'public'::regnamespace""",
}


def read_facts(url: str, entries: Sequence[Expr]) -> dict[str, str | None]:
    """What PostgreSQL stored for each entry (by :attr:`Expr.id`): the CHECK's
    ``pg_get_constraintdef``, the column's type and ``pg_get_expr`` of its default or
    generation expression, the index's ``pg_get_indexdef``, the domain's base type, default
    and constraints. None: the object is not there."""
    found: dict[str, dict[str, str]] = {}
    with psycopg.connect(url) as conn:
        for what, sql in _FACTS_SQL.items():
            found[what] = {str(name): str(value) for name, value in conn.execute(sql)}
    out: dict[str, str | None] = {}
    for e in entries:
        what = "index" if e.use == "predicate" else (
            "domain" if e.use.startswith("domain") else e.use)
        out[e.id] = found[what].get(e.object_name)
    return out


def by_use(entries: Iterable[Expr], *uses: Use) -> tuple[Expr, ...]:
    return tuple(e for e in entries if e.use in uses)


# --- a strategy of expressions ---------------------------------------------------------------
#
# Typed random trees over :data:`TABLE`'s columns, so that every drawn expression is also a
# valid CHECK for PostgreSQL: literals carry quotes, colons, percent signs, backslashes,
# braces, comment markers and non-ASCII characters, in every string spelling (standard,
# escape, dollar-quoted, U&); composite operands are parenthesised (more parentheses are
# added at random), tokens are separated by random whitespace and comments.

ExprType = Literal["bool", "int", "num", "text"]

_CHARS = "aZ09 '\":%\\{}()[];-/*$?@#_.,\n\tüé☃😀𝔘"
_REGEXES = ("'^[[:alnum:]_]+$'", "'[[:space:]]'", "'^a.*:b$'", "'%(x)s'", "'\\d{2}:\\d{2}'",
            "'[{}]'", "'^$'")
_COLUMNS: dict[ExprType, tuple[str, ...]] = {
    "int": ("qty", '"qty"', '"Weird ""col"""', "item.qty"),
    "num": ("price", '"price"'),
    "text": ("name", "code", '"it\'s"', "tags[1]", "data ->> 'k:v'"),
    "bool": (),
}


def sql_string(value: str, style: str) -> str:
    """``value`` as an SQL string literal in one of PostgreSQL's spellings."""
    if style == "escape":
        body = "".join({"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t"}.get(ch, ch)
                       for ch in value)
        return f"E'{body}'"
    if style == "dollar":
        tag = "q" if "$q$" not in value and not value.endswith("$") else "t1"
        if f"${tag}$" not in value and not value.endswith("$"):
            return f"${tag}${value}${tag}$"
    if style == "unicode":
        body = "".join("''" if ch == "'" else "\\\\" if ch == "\\" else
                       (ch if ch.isascii() else f"\\+{ord(ch):06X}") for ch in value)
        return f"U&'{body}'"
    return "'" + value.replace("'", "''") + "'"


_SEPARATORS = (" ", " ", " ", "  ", "\n", "\t", " /* c: 50% */ ", " -- it's\n")


def _ws(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(_SEPARATORS))


def _word(draw: st.DrawFn, word: str) -> str:
    """A keyword in upper, lower or mixed case."""
    return draw(st.sampled_from((word.upper(), word.lower(), word.title())))


def _literal(draw: st.DrawFn, typ: ExprType) -> str:
    if typ == "int":
        return str(draw(st.integers(-10**6, 10**6)))
    if typ == "num":
        return draw(st.sampled_from(("1.50", "-0.5", ".5", "1e3", "0", "99.99", "-1e-2")))
    if typ == "text":
        value = draw(st.text(alphabet=_CHARS, max_size=12))
        return sql_string(value, draw(st.sampled_from(("std", "std", "escape", "dollar",
                                                       "unicode"))))
    return _word(draw, draw(st.sampled_from(("true", "false"))))


def _like_pattern(draw: st.DrawFn) -> str:
    """A LIKE pattern literal: never ending in its escape character (a backslash), which
    PostgreSQL refuses when it evaluates the pattern ("LIKE pattern must not end with
    escape character")."""
    value = draw(st.text(alphabet=_CHARS, max_size=12)).rstrip("\\")
    return sql_string(value, draw(st.sampled_from(("std", "std", "escape", "dollar",
                                                   "unicode"))))


def _paren(draw: st.DrawFn, text: str, *, needed: bool = True) -> str:
    if needed or draw(st.booleans()):
        return f"({_ws(draw).strip(' ') if draw(st.booleans()) else ''}{text})"
    return text


# Known printer bug (see tests/codegen/test_expression_oracle.py, KNOWN_REFUSED): an IS test
# whose operand is IS DISTINCT FROM, ``(a IS DISTINCT FROM b) IS TRUE``, loses its
# parentheses and is refused. The strategy does not draw that shape (the corpus holds it).
_NOT_UNDER_IS: frozenset[str] = frozenset()  # (the printer bug is fixed)


@st.composite
def expressions(draw: st.DrawFn, typ: ExprType = "bool", depth: int = 3,
                exclude: frozenset[str] = frozenset()) -> str:
    """An SQL expression of type ``typ`` over :data:`TABLE`'s columns (``exclude``: shapes
    not to draw at the top)."""
    leaves = [lambda: _literal(draw, typ)]
    if _COLUMNS[typ]:
        leaves.append(lambda: draw(st.sampled_from(_COLUMNS[typ])))
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(leaves))()

    def sub(t: ExprType, no: frozenset[str] = frozenset()) -> str:
        return _paren(draw, draw(expressions(t, depth - 1, no)))

    def ws() -> str:
        return _ws(draw)

    def w(word: str) -> str:
        return _word(draw, word)

    def pick(options: tuple[str, ...]) -> str:
        return draw(st.sampled_from(options))

    any_t: ExprType = draw(st.sampled_from(("int", "num", "text")))
    choices: dict[ExprType, dict[str, Callable[[], str]]] = {
        "int": {
            "arith": lambda: f"{sub('int')}{ws()}{pick(('+', '-', '*'))}{ws()}{sub('int')}",
            "abs": lambda: f"abs({sub('int')})",
            "length": lambda: f"char_length({sub('text')})",
            "coalesce": lambda: f"{w('coalesce')}({sub('int')}, {sub('int')})",
            "greatest": lambda: f"{w('greatest')}({sub('int')},{ws()}{sub('int')})",
            "cast": lambda: f"{sub('num')}::int",
            "minus": lambda: f"- {sub('int')}",
            "case": lambda: f"{w('case')} {w('when')} {sub('bool')} {w('then')} {sub('int')} "
                            f"{w('else')} {sub('int')} {w('end')}",
        },
        "num": {
            "arith": lambda: f"{sub('num')}{ws()}{pick(('+', '-', '*'))}{ws()}{sub('num')}",
            "round": lambda: f"round({sub('num')}, 2)",
            "cast": lambda: f"{sub('int')}::numeric",
            "cast_sql": lambda: f"{w('cast')}({sub('int')} AS numeric(10,2))",
        },
        "text": {
            "concat": lambda: f"{sub('text')}{ws()}||{ws()}{sub('text')}",
            "call": lambda: f"{pick(('lower', 'upper', 'btrim', 'md5'))}({sub('text')})",
            "coalesce": lambda: f"{w('coalesce')}({sub('text')}, {sub('text')})",
            "replace": lambda: f"replace({sub('text')}, {_literal(draw, 'text')}, "
                               f"{sub('text')})",
            "cast": lambda: f"{sub('int')}::text",
            "nullif": lambda: f"{w('nullif')}({sub('text')}, {sub('text')})",
            "substring": lambda: f"{w('substring')}({sub('text')} {w('from')} 2 {w('for')} 3)",
            "trim": lambda: f"{w('trim')}({w('both')} {_literal(draw, 'text')} {w('from')} "
                            f"{sub('text')})",
            "collate": lambda: f"{sub('text')} {w('collate')} \"C\"",
            "case": lambda: f"{w('case')} {w('when')} {sub('bool')} {w('then')} "
                            f"{sub('text')} {w('end')}",
        },
        "bool": {
            "compare": lambda: f"{sub(any_t)}{ws()}{pick(('=', '<>', '<', '>=', '!='))}{ws()}"
                               f"{sub(any_t)}",
            "like": lambda: f"{sub('text')} {w('not')} {w(pick(('like', 'ilike')))} "
                            f"{_like_pattern(draw)}",
            "regex": lambda: f"{sub('text')} {pick(('~', '!~*'))} {pick(_REGEXES)}",
            "null": lambda: f"{sub(any_t, _NOT_UNDER_IS)} {w('is')} {pick(('', 'NOT '))}"
                            f"{w('null')}",
            "not": lambda: f"{w('not')} {sub('bool')}",
            "andor": lambda: f"{sub('bool')}{ws()}{w(pick(('and', 'or')))}{ws()}"
                             f"{sub('bool')}",
            "distinct": lambda: f"{sub(any_t)} {w('is')} {w('distinct')} {w('from')} "
                                f"{sub(any_t)}",
            "between": lambda: f"{sub('int')} {w('between')} {sub('int')} {w('and')} "
                               f"{sub('int')}",
            "in": lambda: f"{sub('int')} {w('in')} ({_literal(draw, 'int')}, {sub('int')})",
            "any": lambda: f"{sub('text')} = {w('any')} ({w('array')}[{sub('text')}, "
                           f"{_literal(draw, 'text')}])",
            "is": lambda: f"{sub('bool', _NOT_UNDER_IS)} {w('is')} "
                          f"{w(pick(('true', 'false')))}",
        },
    }
    options = {k: v for k, v in choices[typ].items() if k not in exclude}
    return options[draw(st.sampled_from(sorted(options)))]()  # shrinks by label
