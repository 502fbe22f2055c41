"""The one SQL writer: how every design object is spelled in SQL, for every export.

``schema.sql`` and the models' ``create_all`` DDL events (:mod:`extras`), the Alembic
revisions (``migration_*``) and DESIGN.md all spell identifiers, string literals, types,
expressions and the statements of objects SQLAlchemy does not create (enums, domains,
collations, sequences, comments, partitions, the ``updated_at`` trigger) through this module,
so they cannot drift apart. Expressions and custom type names are printed in their canonical
form by :mod:`modeler.schema.sqlexpr` (never the user's raw text): no byte a user typed can
end a statement or a literal here.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pglast
from pglast import ast, enums
from pglast.stream import RawStream

from modeler.schema import sqlexpr
from modeler.schema.collations import canonical as canonical_collation
from modeler.schema.identity import alter_clauses, effective
from modeler.schema.model import (
    Collation,
    Column,
    ColumnType,
    Domain,
    DomainCheck,
    EnumType,
    IdentityOptions,
    IndexPart,
    RawObject,
    Schema,
    Sequence,
    Table,
)

UPDATED_AT_FUNCTION = "set_updated_at"


def pg_dialect(**kwargs: Any) -> Any:
    """SQLAlchemy's PostgreSQL dialect (its constructor is untyped, hence ``Any``). Imported
    here: the revisions, the models and DESIGN.md do not need SQLAlchemy (about 0.3 s of
    CPU to import), only ``schema.sql`` does."""
    from sqlalchemy.dialects import postgresql

    factory: Any = postgresql.dialect
    return factory(**kwargs)


# SQLAlchemy's PostgreSQL identifier rules, without importing it: its RESERVED_WORDS
# (sqlalchemy.dialects.postgresql.base) and IdentifierPreparer._requires_quotes and
# _escape_identifier of the default (pyformat) dialect, which doubles ``%`` inside quotes.
# tests/codegen/test_sqlwriter_ident.py checks them against SQLAlchemy's preparer.
RESERVED_WORDS = frozenset((
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
    "between", "binary", "both", "case", "cast", "check", "collate", "column", "constraint",
    "create", "cross", "current_catalog", "current_date", "current_role", "current_schema",
    "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc",
    "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
    "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
    "into", "is", "isnull", "join", "leading", "left", "like", "limit", "localtime",
    "localtimestamp", "natural", "new", "not", "notnull", "null", "of", "off", "offset", "old",
    "on", "only", "or", "order", "outer", "over", "overlaps", "placing", "primary", "references",
    "returning", "right", "select", "session_user", "similar", "some", "symmetric", "table",
    "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose",
    "when", "where", "window", "with",
))
_LEGAL = re.compile(r"^[A-Z0-9_$]+$", re.I)
_ILLEGAL_INITIAL = frozenset("0123456789$")


def ident(name: str) -> str:
    """An SQL identifier, quoted when PostgreSQL needs it (reserved words, capitals, odd
    characters): SQLAlchemy's rules, so raw SQL and ``op.*`` calls agree."""
    lower = name.lower()
    if (not name or lower != name or lower in RESERVED_WORDS or name[0] in _ILLEGAL_INITIAL
            or not _LEGAL.match(name)):
        return '"' + name.replace('"', '""').replace("%", "%%") + '"'
    return name


def qname(namespace: str | None, name: str) -> str:
    """``"ns"."name"``; objects in ``public`` (or no namespace) stay unqualified."""
    if namespace in (None, "", "public"):
        return ident(name)
    return f"{ident(namespace or '')}.{ident(name)}"


def sql_str(value: str) -> str:
    """A standard-conforming SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


# what sa.text() takes for a bind parameter (SQLAlchemy's TextClause._bind_params_regex)
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?![:\w])")


def text_safe(sql: str) -> bool:
    """Does ``sa.text(sql)`` (and Alembic's ``op.execute(sql)``) write ``sql`` unchanged? Not
    when part of it looks like a bind parameter (``':name'``) or its escape (``'\\:'``)."""
    return _BIND.search(sql) is None and "\\:" not in sql


def sa_sql(sql: str) -> str:
    """The SQLAlchemy construct name for an SQL fragment written as it is: ``sa.text`` when
    that is safe, else ``sa.literal_column`` (no bind parameters at all)."""
    return "sa.text" if text_safe(sql) else "sa.literal_column"


def expr(text: str) -> str:
    """An SQL expression (CHECK, default, index key or predicate, generated column) in its
    canonical form; :class:`~modeler.schema.sqlexpr.ExpressionError` when it is not one."""
    return sqlexpr.canonical(text)


# what PostgreSQL's DEFAULT (a b_expr) and a bare index key (a function call) take without
# parentheses
_BARE_DEFAULT = (ast.A_Const, ast.FuncCall, ast.TypeCast, ast.ColumnRef, ast.SQLValueFunction,
                 ast.A_ArrayExpr, ast.CaseExpr, ast.CoalesceExpr, ast.MinMaxExpr)


def default_sql(text: str) -> str:
    """A column or domain default: the canonical expression, in parentheses unless
    PostgreSQL's DEFAULT takes it bare (``DEFAULT (NOT false)``; ``DEFAULT ('x' COLLATE
    "C")`` keeps the collation on the value, not the column)."""
    parsed = sqlexpr.parse(text)
    node = parsed.node
    bare = isinstance(node, _BARE_DEFAULT) and not _sql_syntax(node) and not (
        isinstance(node, ast.A_Const) and parsed.canonical.startswith("-"))
    return parsed.canonical if bare else f"({parsed.canonical})"


def _sql_syntax(node: object) -> bool:
    """A call printed in SQL syntax (``x AT TIME ZONE z``, ``SUBSTRING(x FROM 2)``), which
    may need parentheses where a plain call does not."""
    return isinstance(node, ast.FuncCall) and \
        node.funcformat == enums.CoercionForm.COERCE_SQL_SYNTAX


def index_key_sql(text: str) -> str:
    """An index key expression: a function call stands bare, anything else in
    parentheses."""
    parsed = sqlexpr.parse(text)
    bare = isinstance(parsed.node, ast.FuncCall) and not _sql_syntax(parsed.node)
    return parsed.canonical if bare else f"({parsed.canonical})"


def index_part_sql(head: str, part: IndexPart) -> str:
    """One index key: ``head`` (the column's name or the expression, as the caller writes
    it) with its COLLATE, operator class, DESC and NULLS placement."""
    if part.collation:
        head += f" COLLATE {canonical_collation(part.collation)}"
    if part.opclass:
        head += f" {part.opclass}"
    if part.descending:
        head += " DESC"
    if part.nulls:
        head += f" NULLS {part.nulls.upper()}"
    return head


def table_name(table: Table) -> str:
    """The table's name in raw SQL."""
    return qname(table.namespace, table.name)


def type_sql(ctype: ColumnType, schema: Schema) -> str:
    """The SQL spelling of a column type: enum and domain names quoted, an extension's type
    in its canonical form."""
    dims = "[]" * ctype.array_dims
    if ctype.kind in ("enum", "domain") and ctype.ref:
        obj = schema.type_object(ctype.ref)
        if obj is not None:
            return qname(obj.namespace, obj.name) + dims
    if ctype.kind == "custom":
        return sqlexpr.type_name(ctype.name) + dims
    return ctype.sql(schema)


def comment_sql(target: str, text: str) -> str:
    """``COMMENT ON <target> IS '<text>'`` (``NULL`` removes it)."""
    return f"COMMENT ON {target} IS {sql_str(text) if text else 'NULL'}"


def create_enum_sql(enum: EnumType) -> str:
    labels = ", ".join(sql_str(v) for v in enum.labels)
    return f"CREATE TYPE {qname(enum.namespace, enum.name)} AS ENUM ({labels})"


def domain_check_sql(check: DomainCheck) -> str:
    return f"CONSTRAINT {ident(check.name)} CHECK ({expr(check.expression)})"


def create_domain_sql(d: Domain, schema: Schema) -> str:
    sql = f"CREATE DOMAIN {qname(d.namespace, d.name)} AS {type_sql(d.base, schema)}"
    if d.default is not None:
        sql += f" DEFAULT {default_sql(d.default)}"
    if d.not_null:
        sql += " NOT NULL"
    for check in d.checks:
        sql += " " + domain_check_sql(check)
    return sql


def collation_sql(c: Collation, ref: str | None = None) -> str:
    """``CREATE COLLATION`` with the options the design holds (always schema-qualified;
    ``ref`` creates it under another name)."""
    opts = [f"provider = {ident(c.provider)}"]
    for key, value in (("locale", c.locale), ("lc_collate", c.lc_collate),
                       ("lc_ctype", c.lc_ctype)):
        if value is not None:
            opts.append(f"{key} = {sql_str(value)}")
    if not c.deterministic:
        opts.append("deterministic = false")
    if c.rules is not None:
        opts.append(f"rules = {sql_str(c.rules)}")
    return f"CREATE COLLATION {ref or c.ref} ({', '.join(opts)})"


def sequence_owner_sql(seq: Sequence, schema: Schema) -> str:
    if seq.owned_by_table is None or seq.owned_by_column is None:
        return "OWNED BY NONE"
    table = schema.table(seq.owned_by_table)
    return f"OWNED BY {table_name(table)}.{ident(table.column(seq.owned_by_column).name)}"


def create_sequence_sql(seq: Sequence, schema: Schema, *, owned: bool = True) -> str:
    """``CREATE SEQUENCE`` with its options (and its owner, unless ``owned`` is False:
    ``create_all`` sets the owner once the table exists)."""
    sql = f"CREATE SEQUENCE {qname(seq.namespace, seq.name)} AS {seq.data_type}"
    for word, value in (("INCREMENT BY", seq.increment), ("MINVALUE", seq.min_value),
                        ("MAXVALUE", seq.max_value), ("START WITH", seq.start),
                        ("CACHE", seq.cache)):
        if value is not None:
            sql += f" {word} {int(value)}"
    sql += " CYCLE" if seq.cycle else ""
    if owned and seq.owned_by_table is not None:
        sql += " " + sequence_owner_sql(seq, schema)
    return sql


def identity_past_rows_sql(table: Table, column: Column) -> str:
    """After ``ADD GENERATED ... AS IDENTITY`` on a table that may hold rows (a serial or a
    plain column made an identity): the sequence goes on after the column's greatest value
    (its least, counting down) when the rows reach its start, so that the next id is not
    one the table holds."""
    o = effective(column.identity_options, column.type)
    assert o.increment is not None and o.start is not None
    up = o.increment > 0
    col = ident(column.name)
    edge = f"max({col})" if up else f"min({col})"
    # names quoted (ident, sql_str), the start an int
    return (f"SELECT setval(pg_get_serial_sequence({sql_str(table_name(table))}, "  # noqa: S608
            f"{sql_str(column.name)}), {edge}) FROM {table_name(table)} "
            f"HAVING {edge} {'>=' if up else '<='} {o.start}")


def identity_fill_sql(table: Table, column: Column) -> str:
    """Before an existing nullable column becomes NOT NULL to be made an identity, on a
    table that may hold rows: the rows holding NULL there get numbers after the column's
    greatest value (before its least, counting down), from the identity's start when no
    row has one, one ``INCREMENT BY`` apart; :func:`identity_past_rows_sql` then moves the
    new identity past them. Rows are told apart by ``tableoid`` and ``ctid`` (a partitioned
    table's partitions may share a ``ctid``)."""
    o = effective(column.identity_options, column.type)
    assert o.increment is not None and o.start is not None
    up = o.increment > 0
    col = ident(column.name)
    name = table_name(table)
    edge = f"max({col})" if up else f"min({col})"
    # names quoted (ident, table_name), the start and increment ints
    return (f"UPDATE {name} AS t SET {col} = f.v FROM (SELECT tableoid AS o, ctid AS r, "  # noqa: S608
            f"(SELECT coalesce({edge}, {int(o.start) - int(o.increment)}) FROM {name}) "
            f"+ ({int(o.increment)}) * row_number() OVER () AS v FROM {name} "
            f"WHERE {col} IS NULL) AS f WHERE t.tableoid = f.o AND t.ctid = f.r")


def sequence_past_rows_sql(seq: Sequence, schema: Schema) -> str | None:
    """After ``OWNED BY`` gives ``seq`` a column that takes its values from it (a serial's
    sequence made for a table that may hold rows: a plain key made a serial, or the way down
    of a serial made an identity): the sequence goes on after the column's greatest value
    (its least, counting down) when the rows reach the value it would hand out next, so that
    the next id is not one the table holds; a sequence ahead of the rows is left where it is
    (never moved back). None when the owner column does not call ``nextval``."""
    if seq.owned_by_table is None or seq.owned_by_column is None:
        return None
    table = schema.table(seq.owned_by_table)
    column = table.column(seq.owned_by_column)
    if column.default is None or "nextval" not in column.default.lower():
        return None
    up = (seq.increment or 1) > 0
    col = ident(column.name)
    edge = f"max({col})" if up else f"min({col})"
    name = qname(seq.namespace, seq.name)
    # the value nextval would give: last_value itself before the first call
    following = (f"CASE WHEN s.is_called THEN s.last_value + ({int(seq.increment or 1)}) "
                 "ELSE s.last_value END")
    # names quoted (ident, qname, sql_str), the increment an int
    return (f"SELECT setval({sql_str(name)}, r.edge) FROM (SELECT {edge} AS edge "  # noqa: S608
            f"FROM {table_name(table)}) AS r, {name} AS s "
            f"WHERE r.edge {'>=' if up else '<='} {following}")


def identity_options_sql(table: Table, column: Column,
                         before: IdentityOptions | None) -> str | None:
    """``ALTER COLUMN ... SET ...`` taking ``column``'s identity from the options ``before``
    to its own; None when PostgreSQL has the same. When START WITH changes, a sequence that
    never gave a value restarts at the new start, as one created with it would; one that did
    keeps its place (a RESTART would give ids the table may hold)."""
    clauses = alter_clauses(before, column.identity_options, column.type)
    if not clauses:
        return None
    alter = (f"ALTER TABLE {table_name(table)} ALTER COLUMN {ident(column.name)} "
             + " ".join(clauses))
    if not any(c.startswith("SET START WITH") for c in clauses):
        return alter
    seq = (f"pg_get_serial_sequence({sql_str(table_name(table))}, {sql_str(column.name)})"
           "::regclass")
    body = f"IF pg_sequence_last_value({seq}) IS NULL THEN {alter} RESTART; ELSE {alter}; END IF;"
    tag = "$identity$"
    while tag in body:  # a name holding the quote's tag
        tag = tag[:-1] + "_$"
    return f"DO {tag}BEGIN {body} END{tag}"


def partition_bound_sql(bound: str) -> str:
    """A partition bound (``FOR VALUES ...`` or ``DEFAULT``) in canonical form."""
    return sqlexpr.partition_bound(bound)


def attach_sql(parent: Table, table: Table, bound: str) -> str:
    """``ALTER TABLE parent ATTACH PARTITION table <bound>``."""
    return (f"ALTER TABLE {table_name(parent)} ATTACH PARTITION {table_name(table)} "
            f"{partition_bound_sql(bound)}")


def detach_sql(parent: Table, table: Table) -> str:
    return f"ALTER TABLE {table_name(parent)} DETACH PARTITION {table_name(table)}"


def trigger_name(table: Table) -> str:
    return f"trg_{table.name}_updated_at"[:63]


# --- the export's updated_at function: its name ---------------------------------------------
# UPDATED_AT_FUNCTION, unless the design keeps a routine of that name taking no arguments in
# public, where the export's is made: ``CREATE OR REPLACE`` would overwrite the kept one
# (logto's ``public.set_updated_at()``, whose body does more). It is then the first of
# ``set_updated_at_1``, ``set_updated_at_2``... the design keeps none of, named with its
# namespace (a name the design does not clash on keeps the unqualified spelling it always
# had, which the revisions' search_path, public first, resolves to public).

_KEPT_NAMES: list[tuple[tuple[RawObject, ...], frozenset[str]]] = []
_CANDIDATE = re.compile(re.escape(UPDATED_AT_FUNCTION) + r"(?:_[0-9]+)?")


def kept_routines(schema: Schema) -> frozenset[str]:
    """The names of the routines (functions, procedures, aggregates) kept by ``schema`` in
    ``public`` that take no arguments and that the export's function could be named."""
    raws = schema.raw_objects
    if _KEPT_NAMES and _KEPT_NAMES[0][0] is raws:
        return _KEPT_NAMES[0][1]
    found: set[str] = set()
    for o in raws:
        if o.namespace not in ("public", "") or not _CANDIDATE.fullmatch(o.name):
            continue
        drop = raw_drop_sql(o.kind, o.namespace, o.name, o.sql)
        if drop and drop.startswith(("DROP FUNCTION", "DROP PROCEDURE", "DROP ROUTINE")) \
                and drop.endswith("()"):
            found.add(o.name)
    _KEPT_NAMES[:] = [(raws, frozenset(found))]
    return _KEPT_NAMES[0][1]


def free_function_name(taken: frozenset[str] | set[str]) -> str:
    """The first of UPDATED_AT_FUNCTION, ``..._1``, ``..._2``... not in ``taken``."""
    if UPDATED_AT_FUNCTION not in taken:
        return UPDATED_AT_FUNCTION
    n = 1
    while f"{UPDATED_AT_FUNCTION}_{n}" in taken:
        n += 1
    return f"{UPDATED_AT_FUNCTION}_{n}"


def updated_at_function(schema: Schema) -> str:
    """The name of the export's ``updated_at`` function in ``schema``."""
    return free_function_name(kept_routines(schema))


def function_ref(name: str) -> str:
    """The export's function ``name`` as its statements spell it."""
    return ident(name) if name == UPDATED_AT_FUNCTION else f"public.{ident(name)}"


def updated_at_function_sql(name: str = UPDATED_AT_FUNCTION) -> str:
    return (f"CREATE OR REPLACE FUNCTION {function_ref(name)}() RETURNS trigger\n"
            "LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n"
            "    RETURN NEW;\nEND;\n$$")


def updated_at_function_drop_sql(name: str = UPDATED_AT_FUNCTION) -> str:
    return f"DROP FUNCTION IF EXISTS {function_ref(name)}()"


def updated_at_function_rename_sql(old: str, new: str) -> str:
    """The export's function renamed: its triggers call it by its oid and follow."""
    return f"ALTER FUNCTION {function_ref(old)}() RENAME TO {ident(new)}"


def updated_at_trigger_sql(table: Table, name: str = UPDATED_AT_FUNCTION) -> str:
    return (f"CREATE TRIGGER {ident(trigger_name(table))} BEFORE UPDATE ON "
            f"{table_name(table)} FOR EACH ROW EXECUTE FUNCTION "
            f"{function_ref(name)}()")


# --- dropping what an import kept as SQL ---------------------------------------------------

def _printed(node: Any) -> str:
    """A parse-tree node (a type name) printed back by pglast."""
    stream: Any = RawStream
    return str(stream()(node))


_DROP_WORDS = {"view": "VIEW", "materialized view": "MATERIALIZED VIEW", "type": "TYPE",
               "domain": "DOMAIN",
               "index": "INDEX", "table": "TABLE", "sequence": "SEQUENCE",
               "text search configuration": "TEXT SEARCH CONFIGURATION",
               "text search dictionary": "TEXT SEARCH DICTIONARY",
               "text search parser": "TEXT SEARCH PARSER",
               "text search template": "TEXT SEARCH TEMPLATE", "collation": "COLLATION",
               "foreign table": "FOREIGN TABLE", "statistics": "STATISTICS",
               "conversion": "CONVERSION"}
_DROP_BY_NAME = {"language": "LANGUAGE", "event trigger": "EVENT TRIGGER",
                 "access method": "ACCESS METHOD", "foreign server": "SERVER",
                 "foreign data wrapper": "FOREIGN DATA WRAPPER", "publication": "PUBLICATION"}
# what an import keeps of statements that change an object rather than create one: the
# object's own drop takes it along
_NOTHING_TO_DROP = frozenset({"comment", "alter table"})


def _signature(node: Any) -> str:
    """A routine's argument types as its CREATE statement spells them, input ones only (as
    DROP FUNCTION takes them: OUT and TABLE columns are no part of the signature)."""
    types = [_printed(p.argType) for p in node.parameters or ()
             if str(getattr(p.mode, "value", p.mode)) not in ("o", "t")]
    return ", ".join(types)


def _aggregate_args(node: Any) -> str:
    """The argument types of a CREATE AGGREGATE as DROP ROUTINE takes them: all of them (an
    ordered-set aggregate's direct and aggregated ones), none for ``(*)``; the old syntax's
    BASETYPE (``ANY``: none)."""
    if node.oldstyle:
        base = next((d.arg for d in node.definition or () if d.defname.lower() == "basetype"),
                    None)
        text = _printed(base) if base is not None else ""
        return "" if text.lower() in ("any", '"any"') else text
    params = (node.args or (None,))[0]
    return ", ".join(_printed(p.argType) for p in params or ())


def _full_name(namespace: str, name: str) -> str:
    return qname(namespace, name)


def _names(items: Any) -> str:
    return ".".join(ident(str(i.sval)) for i in items)


def raw_drop_sql(kind: str, namespace: str, name: str, sql: str) -> str | None:
    """The statement that drops an object kept as SQL (``kind``, as the import named it),
    read from its CREATE statement with PostgreSQL's parser: functions, procedures and
    aggregates by their full signature (a name alone is ambiguous between overloads),
    operators by their operand types, casts by their types. ``""``: nothing to drop (the
    statement changes another object); None: not known how."""
    if kind in _NOTHING_TO_DROP:
        return ""
    try:
        stmts = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    node = stmts[0].stmt if len(stmts) == 1 else None
    full = _full_name(namespace, name)
    if isinstance(node, ast.CreateFunctionStmt):
        word = "PROCEDURE" if node.is_procedure else "FUNCTION"
        return f"DROP {word} IF EXISTS {full}({_signature(node)})"
    if isinstance(node, ast.DefineStmt) and node.kind == enums.ObjectType.OBJECT_AGGREGATE:
        return f"DROP ROUTINE IF EXISTS {full}({_aggregate_args(node)})"
    if isinstance(node, ast.DefineStmt) and node.kind == enums.ObjectType.OBJECT_OPERATOR:
        args = {d.defname.lower(): _printed(d.arg) for d in node.definition or ()
                if d.defname.lower() in ("leftarg", "rightarg")}
        op = name if namespace in ("", "public") else f"{ident(namespace)}.{name}"
        return (f"DROP OPERATOR IF EXISTS {op} ({args.get('leftarg', 'NONE')}, "
                f"{args.get('rightarg', 'NONE')})")
    if isinstance(node, ast.CreateCastStmt):
        return (f"DROP CAST IF EXISTS ({_printed(node.sourcetype)} AS "
                f"{_printed(node.targettype)})")
    if isinstance(node, ast.CreateOpClassStmt):
        # without FAMILY, CREATE OPERATOR CLASS makes a family of its name: dropping that
        # family drops the class with it (a class alone would leave the family behind)
        word, names = (("OPERATOR CLASS", node.opclassname) if node.opfamilyname
                       else ("OPERATOR FAMILY", node.opclassname))
        return f"DROP {word} IF EXISTS {_names(names)} USING {ident(node.amname)}"
    if isinstance(node, ast.CreateOpFamilyStmt):
        return (f"DROP OPERATOR FAMILY IF EXISTS {_names(node.opfamilyname)} USING "
                f"{ident(node.amname)}")
    if isinstance(node, ast.CreateTransformStmt):
        return (f"DROP TRANSFORM IF EXISTS FOR {_printed(node.type_name)} LANGUAGE "
                f"{ident(node.lang)}")
    if isinstance(node, ast.DefineStmt) and node.kind == enums.ObjectType.OBJECT_TYPE \
            and node.definition:
        # a base type: its input/output functions depend on it and it on them
        return f"DROP TYPE IF EXISTS {full} CASCADE"
    create = type(node).__name__.startswith(("Create", "Define", "View", "Composite",
                                             "Index"))
    if not create:
        return ""  # ALTER ... of an object kept before: its own drop takes this along
    if kind == "index":
        # an index a constraint took over (ADD PRIMARY KEY USING INDEX) goes with it
        return (f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = "
                f"to_regclass({sql_str(full)})) THEN DROP INDEX IF EXISTS {full}; END IF; "
                "END$$")
    if kind in _DROP_WORDS:
        return f"DROP {_DROP_WORDS[kind]} IF EXISTS {full}"
    if kind in _DROP_BY_NAME and name:
        return f"DROP {_DROP_BY_NAME[kind]} IF EXISTS {ident(name)}"
    return None


# --- filling existing rows (a column's backfill) -------------------------------------------

def backfill_sql(table: Table, column: str, expression: str, *, only_null: bool) -> str:
    """``UPDATE t SET col = <backfill>``: the one-off value of the rows that exist when a
    column is added NOT NULL (every row) or becomes NOT NULL (``only_null``: the rows
    holding NULL). The expression is printed in its canonical form; it may read the row's
    other columns."""
    col = ident(column)
    where = f" WHERE {col} IS NULL" if only_null else ""
    # every part is quoted or canonical (parsed by PostgreSQL's parser): no injection
    return f"UPDATE {table_name(table)} SET {col} = {expr(expression)}{where}"  # noqa: S608


def set_not_null_sql(table: Table, column: str, *, on: bool = True) -> str:
    """``ALTER TABLE t ALTER COLUMN col SET NOT NULL`` (``on=False``: ``DROP NOT NULL``)."""
    verb = "SET" if on else "DROP"
    return f"ALTER TABLE {table_name(table)} ALTER COLUMN {ident(column)} {verb} NOT NULL"


def parse_expressions(schema: Schema) -> None:
    """Parse every SQL expression and extension type name of ``schema`` into
    :mod:`~modeler.schema.sqlexpr`'s cache (each export file asks for them again: the
    models, the revisions, DESIGN.md and ``schema.sql``). Done before the export forks its
    ``schema.sql`` child, so that the child and this process share one parse of each
    instead of making one each. A text that is not an expression is left for the file that
    asks for it to refuse, as without this."""
    texts: list[str] = []
    names: list[str] = []
    for t in schema.tables:
        for c in t.columns:
            texts += [x for x in (c.default, c.generated) if x is not None]
            if c.type.kind == "custom" and c.type.name:
                names.append(c.type.name)
        texts += [ck.expression for ck in t.checks]
        for i in t.indexes:
            texts += [p.expression for p in i.parts if p.expression is not None]
            if i.where is not None:
                texts.append(i.where)
    for d in schema.domains:
        texts += [x.expression for x in d.checks]
        if d.default is not None:
            texts.append(d.default)
    for text in texts:
        with contextlib.suppress(sqlexpr.ExpressionError):
            sqlexpr.parse(text)
    for name in names:
        with contextlib.suppress(sqlexpr.ExpressionError):
            sqlexpr.type_name(name)
