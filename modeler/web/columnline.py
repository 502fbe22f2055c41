"""One-line column entry (issue 16, item 4): a column typed as SQL, beside the full form.

    price numeric(10,2) not null default 0 check (price >= 0)
    customer_id bigint not null references customer on delete restrict
    title text not null  -- the title as printed on the cover
    status order_status not null default 'new'

The line is read by PostgreSQL's own parser (pglast) as the one column definition of a
``CREATE TABLE``, then by the SQL importer (the same reading of types, defaults, identity,
NULL, UNIQUE, PRIMARY KEY and CHECK as an imported script; the design's enums are known by
name). ``REFERENCES <table>`` draws a relationship to that table of the design (its key's
type; the column may then leave the type out: ``customer_id references customer``). Anything
else, several columns, a table constraint or a second statement, is refused with a message
saying what a line may hold; nothing is saved. A trailing ``-- text`` is the column's comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from pglast import ast, parse_sql
from pglast.enums import ConstrType
from pglast.keywords import RESERVED_KEYWORDS
from pglast.parser import ParseError, scan
from pglast.stream import RawStream

from modeler.importers.result import SchemaImportError
from modeler.importers.sql import import_sql
from modeler.schema import model as m
from modeler.schema import sqlexpr

_HEAD = "CREATE TABLE _line ("
_RawStream: Any = RawStream  # pglast's printer has no annotations
_TYPELESS_FK = re.compile(r'^\s*("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s+references\b',
                          re.IGNORECASE)
_ACTIONS = {"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
HELP = ("One column: name, type, then NOT NULL, DEFAULT, CHECK, UNIQUE, PRIMARY KEY or "
        "REFERENCES <table>, e.g. price numeric(10,2) not null default 0 check (price >= 0).")


class LineError(ValueError):
    """The line is no single column definition (the message says why)."""


@dataclass(frozen=True)
class Reference:
    parent: m.Table
    on_delete: str | None  # None: suggested (NO ACTION is what an omitted clause reads as)
    on_update: str | None


@dataclass(frozen=True)
class ColumnLine:
    column: m.Column
    checks: tuple[str, ...]  # canonical CHECK expressions
    unique: bool
    reference: Reference | None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _enums_sql(schema: m.Schema) -> str:
    out = []
    for e in schema.enums:
        labels = ", ".join(_quote(v) for v in e.labels) or "''"
        out.append(f"CREATE TYPE {_ident(e.namespace)}.{_ident(e.name)} AS ENUM ({labels});")
    spaces = sorted({e.namespace for e in schema.enums} - {"public"})
    return "".join(f"CREATE SCHEMA {_ident(s)};" for s in spaces) + "".join(out)


def _parent(schema: m.Schema, con: ast.Constraint) -> m.Table:
    rv = con.pktable
    wanted = rv.relname
    space = rv.schemaname
    found = [t for t in schema.tables if t.name == wanted
             and (space is None or t.namespace == space)]
    if len(found) != 1:
        raise LineError(f"REFERENCES {wanted}: the design has no table {wanted}"
                        if not found else f"REFERENCES {wanted}: name its schema too")
    if con.pk_attrs:
        raise LineError("REFERENCES names the table only: the foreign key goes to its key.")
    return found[0]


def _comment(text: str) -> tuple[str, str]:
    """The line without its trailing ``-- comment``, and the comment (the column's)."""
    try:
        tokens = scan(text)
    except ParseError:
        return text, ""  # the parser says what is wrong
    for tok in tokens:
        if tok.name == "SQL_COMMENT":
            return text[:tok.start].rstrip(), " ".join(text[tok.start + 2:].split())
    return text, ""


def parse(line: str, schema: m.Schema, table: m.Table | None = None) -> ColumnLine:
    """The column ``line`` defines, read against ``schema`` (its enums and tables) and the
    ``table`` it is added to (the columns its CHECK may name)."""
    text = line.strip().rstrip(";").strip()
    if not text:
        raise LineError(HELP)
    if "\n" in text or "\r" in text or len(text) > 2000:
        raise LineError("One column per line (at most 2000 characters).")
    text, comment = _comment(text)
    typeless = _TYPELESS_FK.match(text)
    sql_text = text
    if typeless:  # "customer_id references customer": the key's type is filled in later
        sql_text = f"{typeless.group(1)} bigint{text[len(typeless.group(1)):]}"
    try:
        stmts = parse_sql(f"{_HEAD}{sql_text})")
    except ParseError as exc:
        where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        at = min(len(sql_text), max(0, where - len(_HEAD)))
        first = re.match(r"[A-Za-z_]+", sql_text)
        if at == 0 and first and first.group().lower() in RESERVED_KEYWORDS:
            # "select int": the parser says only "syntax error at or near select"
            word = first.group().lower()
            raise LineError(f"Not a column definition: {word!r} is a reserved word in "
                            f"PostgreSQL; choose another name ({word}_, for example).") from None
        raise LineError(f"Not a column definition: {exc.args[0]} (at character {at + 1})."
                        f" {HELP}") from None
    stmt = stmts[0].stmt if len(stmts) == 1 else None
    elts = stmt.tableElts if isinstance(stmt, ast.CreateStmt) else None
    if not elts or len(elts) != 1 or not isinstance(elts[0], ast.ColumnDef):
        raise LineError(HELP)
    coldef = elts[0]
    cons = list(coldef.constraints or ())
    fks = [c for c in cons if c.contype == ConstrType.CONSTR_FOREIGN]
    if len(fks) > 1:
        raise LineError("One REFERENCES per column.")
    reference = None
    if fks:
        fk = fks[0]
        reference = Reference(_parent(schema, fk), _ACTIONS.get(fk.fk_del_action or "a"),
                              _ACTIONS.get(fk.fk_upd_action or "a"))
    checks = [c for c in cons if c.contype == ConstrType.CONSTR_CHECK]
    # CHECKs are read here (they may name the table's other columns), the rest by the importer
    coldef.constraints = tuple(c for c in cons if c not in fks and c not in checks) or None
    names = [*(c.name for c in (table.columns if table is not None else ())), coldef.colname]
    check_texts = []
    for ck in checks:
        expr = _RawStream()(ck.raw_expr)
        found = sqlexpr.problem(expr, "check", columns=names,
                                table=table.name if table is not None else None)
        if found is not None:
            raise LineError(f"CHECK ({expr}): {found}")
        check_texts.append(sqlexpr.canonical(expr))
    try:
        result = import_sql([("line.sql", _enums_sql(schema) + _RawStream()(stmt) + ";")])
    except SchemaImportError as exc:
        raise LineError(f"Not a column definition: {exc}") from None
    read = next((t for t in result.schema.tables if t.name == "_line"), None)
    if read is None or len(read.columns) != 1:
        raise LineError(HELP)
    col = read.columns[0]
    col_type = col.type
    if col_type.kind == "enum":
        imported = next(e for e in result.schema.enums if e.uid == col_type.ref)
        mine = next(e for e in schema.enums if e.qualified_name == imported.qualified_name)
        col_type = replace(col_type, ref=mine.uid)
    elif col_type.kind == "domain":
        raise LineError("A domain type is picked in the full form.")
    problems = [w.message for w in result.warnings]
    if problems:
        raise LineError(f"Not saved: {problems[0]}")
    if col.default:
        found = sqlexpr.problem(col.default, "default")
        if found is not None:
            raise LineError(f"DEFAULT {col.default}: {found}")
    col = replace(col, type=col_type, comment=comment)
    unique = any(set(u.columns) == {col.uid} for u in read.uniques) and not col.in_pk
    return ColumnLine(column=col, checks=tuple(check_texts), unique=unique,
                      reference=reference)
