"""Templates of the bundle's Alembic files: ``alembic.ini``, ``migrations/env.py``,
``migrations/script.py.mako``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from modeler.schema.model import Schema
from modeler.schema.runtime_objects import runtime_creations

ALEMBIC_INI = """\
# Alembic configuration. The database URL comes from the environment (DIRECT_DATABASE_URL,
# else DATABASE_URL); see migrations/env.py.

[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
output_encoding = utf-8

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
"""Alembic environment for the __PACKAGE__ models.

Migrations run over the *direct* connection: ``DIRECT_DATABASE_URL``, else ``DATABASE_URL``
(both accept postgresql://... and postgres://..., mapped to psycopg 3). A Neon ``-pooler``
host is rewritten to the direct endpoint: DDL, advisory locks and ``SET`` need a session that
a transaction-mode pooler does not guarantee.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context

from __PACKAGE__.db import direct_url, normalize_url
from __PACKAGE__.models import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
# Namespaces of the design besides the default one (autogenerate compares only these).
SCHEMAS: frozenset[str] = __SCHEMAS__
# The search_path the revisions run under (public, then these): what the model's expressions
# name unqualified (a kept function of a namespace that holds no table) resolves there.
PATH_SCHEMAS: frozenset[str] = __PATH_SCHEMAS__
# Alembic's bookkeeping table, in the connection's default schema: alembic_version unless the
# design uses that name itself (then the first free alembic_version_<n>).
VERSION_TABLE = __VERSION_TABLE__


def database_url() -> str:
    raw = (os.environ.get("DIRECT_DATABASE_URL") or os.environ.get("DATABASE_URL")
           or config.get_main_option("sqlalchemy.url"))
    if not raw:
        raise RuntimeError("set DIRECT_DATABASE_URL or DATABASE_URL")
    return direct_url(normalize_url(raw))


# Tables an extension owns (PostGIS's spatial_ref_sys...): CREATE EXTENSION makes them, the
# models do not declare them, so autogenerate must not see them (read when connected).
EXTENSION_TABLES: set[tuple[str, str]] = set()
# An FK that references a partitioned table has hidden copies on its table, one per
# partition (conparentid set): PostgreSQL makes them, the models do not declare them.
FK_COPIES: set[tuple[str, str, str]] = set()
# Tables of other namespaces that the session's search_path shows (a database's or role's
# SET search_path; PostGIS topology's AddToSearchPath): SQLAlchemy reflects the default
# schema as every table search_path makes visible, so these would be seen twice (read when
# connected).
ELSEWHERE_ON_PATH: set[str] = set()


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "schema":
        return name is None or name == "public" or name in SCHEMAS
    if type_ == "table":
        if parent_names.get("schema_name") is None and name in ELSEWHERE_ON_PATH:
            return False
        schema = parent_names.get("schema_name") or "public"
        return (schema, name) not in EXTENSION_TABLES
    return True


# Indexes that kept SQL creates (index methods or options the models cannot declare, DO
# blocks): in the database, not in the models, and no drift.
KEPT_INDEXES: frozenset[tuple[str, str]] = __KEPT_INDEXES__
# Tables that kept SQL creates (CREATE TABLE ... AS, a DO block): not in the models either.
KEPT_TABLES: frozenset[tuple[str, str]] = __KEPT_TABLES__
# Namespaces where kept calls of the design's functions create tables when they run, under
# names made at run time (an audit trigger's history table): the tables there that the models
# do not declare are theirs. The models' own tables there are compared as everywhere else.
RUNTIME_NAMESPACES: frozenset[str] = __RUNTIME_NAMESPACES__
# Namespaces of the design's tables on which kept calls make indexes when they run, under
# names made at run time (EXECUTE format('CREATE INDEX %I ON ...')): the indexes of the
# models' tables there that the models do not declare are theirs (the downgrade drops them).
RUNTIME_INDEX_NAMESPACES: frozenset[str] = __RUNTIME_INDEX_NAMESPACES__


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    if type_ == "index" and reflected and compare_to is None:
        schema = obj.table.schema or "public"
        return (schema, name) not in KEPT_INDEXES and schema not in RUNTIME_INDEX_NAMESPACES
    if type_ == "foreign_key_constraint" and reflected and compare_to is None:
        return (obj.table.schema or "public", obj.table.name, name) not in FK_COPIES
    if type_ == "table" and reflected and compare_to is None:
        schema = obj.schema or "public"
        return (schema, name) not in KEPT_TABLES and schema not in RUNTIME_NAMESPACES
    if type_ == "unique_constraint" and not reflected and compare_to is None:
        # SQLAlchemy does not reflect a UNIQUE on exactly the primary key's columns
        key = {c.name for c in obj.table.primary_key.columns}
        return not key or {c.name for c in obj.columns} != key
    return True


def fk_copies(connection: Any) -> set[tuple[str, str, str]]:
    return {(r[0], r[1], r[2]) for r in connection.execute(sa.text(
        "SELECT n.nspname, c.relname, co.conname FROM pg_constraint co "
        "JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE co.contype = 'f' AND co.conparentid <> 0 AND EXISTS (SELECT 1 FROM "
        "pg_constraint p WHERE p.oid = co.conparentid AND p.conrelid = co.conrelid)"))}


# The namespace Alembic's table is in, where the session's search_path put it when it was made.
_VERSION_SCHEMA = ("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE c.oid = to_regclass(quote_ident(:t))")


def elsewhere_on_path(connection: Any) -> set[str]:
    return {r[0] for r in connection.execute(sa.text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE pg_table_is_visible(c.oid) AND c.relpersistence <> 't' "
        "AND n.nspname NOT IN ('pg_catalog', current_schema())"))}


def extension_tables(connection: Any) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in connection.execute(sa.text(
        "SELECT n.nspname, c.relname FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e'"))}


__DOMAIN_DEFAULTS__def _options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "version_table": VERSION_TABLE,
        "compare_type": True,
        "compare_server_default": True,
        "include_schemas": bool(SCHEMAS),
        "include_name": include_name,
        "include_object": include_object,
    }


def run_migrations_offline() -> None:
    context.configure(url=database_url(), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = sa.create_engine(database_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        EXTENSION_TABLES.update(extension_tables(connection))
        FK_COPIES.update(fk_copies(connection))
        options = _options()
        if SCHEMAS:
            # The revisions make the design's unqualified objects in public (their search_path
            # starts with it): compare with public as the default schema too, whatever the
            # database's or role's search_path puts first (SET search_path = app, public:
            # SQLAlchemy took app for the default schema). Alembic's table stays where it is.
            found = connection.scalar(sa.text(_VERSION_SCHEMA), {"t": VERSION_TABLE})
            if found not in (None, "public"):
                options["version_table_schema"] = found
            connection.exec_driver_sql("SET search_path = public")
            connection.dialect.default_schema_name = "public"
        ELSEWHERE_ON_PATH.update(elsewhere_on_path(connection))
        connection.commit()  # end the read's transaction (and keep the SET): Alembic begins its own
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


DOMAIN_DEFAULTS = '''\
_NEXTVAL = re.compile(r"nextval\\('((?:[^']|'')+)'(?:::regclass)?\\)")
_PROBE = "_alembic_compare_probe"  # a temporary table, inside a savepoint rolled back
_NO_PARAMETERS: Any = {"no_parameters": True}  # SQL as it is: a '%' is no placeholder
_COLUMN_TYPE = ("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = {table}::regclass AND attname = {column}")
_COLUMN_DEFAULT = ("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
                   "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
                   "WHERE d.adrelid = CAST(:t AS regclass) AND a.attname = :c")


_SEQUENCE_NAME = ("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN "
                  "pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(:n)")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_sql(table: Any) -> str:
    return (_quoted(table.schema) + "." if table.schema else "") + _quoted(table.name)


class _DesignAwareImpl(PostgresqlImpl):
    \"\"\"Alembic's PostgreSQL comparison, registered for the dialect (Alembic keys
    implementations by ``__dialect__``), minus the false differences of what Alembic cannot
    compare by itself:

    * reflection reports the default of a column's *domain* as the column's own default;
    * ``nextval`` defaults can only be compared as text (else Alembic calls both, which
      never agree): the same sequence however it is spelled (``s``, ``app.s``) is equal;
    * Alembic drops the reflected default of a column that owns its sequence (it takes it
      for SERIAL) while the model states it;
    * other defaults Alembic compares by evaluating ``reflected = model`` on the server,
      which is NULL for ``DEFAULT NULL``, random for ``gen_random_uuid()`` and an error for
      json (no ``=``): instead PostgreSQL prints the model's default as it stores it (set on
      a temporary copy of the column) and the texts are compared;
    * column types Alembic reflects as something else (``pg_catalog.name`` as a string):
      PostgreSQL prints the model's type (on a temporary column) and the column's;
    * expression and partial indexes (Alembic compares only column names, approximately):
      PostgreSQL prints the model's index built on a temporary copy of the table, and its
      definition is compared with the reflected index's.
    Each probe runs in a savepoint that is rolled back: the database is left as it was.\"\"\"

    __dialect__ = "postgresql"

    def autogen_column_reflect(self, inspector: Any, table: Any, column_info: Any) -> None:
        # SQLAlchemy qualifies the unqualified sequence of a nextval() default of a table
        # outside the default schema with the table's schema ("app".s), where PostgreSQL
        # printed it unqualified because search_path finds it (public.s): name the sequence
        # PostgreSQL means (Alembic's own reflection casts the name to regclass and fails)
        default = column_info.get("default")
        found = (_NEXTVAL.fullmatch(default.strip())
                 if isinstance(default, str) and table.schema else None)
        prefix = _quoted(table.schema or "") + "."
        connection: Any = inspector.bind  # the comparison's connection
        if found is not None and found.group(1).startswith(prefix):
            written = found.group(1)
            if connection.scalar(sa.text("SELECT to_regclass(:n) IS NULL"), {"n": written}):
                meant = connection.scalar(sa.text(_SEQUENCE_NAME),
                                          {"n": written[len(prefix):]})
                if meant is not None:
                    column_info["default"] = default.replace(
                        "'" + written + "'", "'" + meant.replace("'", "''") + "'", 1)
__NOT_NULL_DOMAINS__        reflect: Any = super().autogen_column_reflect  # untyped in Alembic
        reflect(inspector, table, column_info)

    def compare_server_default(self, inspector_column: Any, metadata_column: Any,
                               rendered_metadata_default: str | None,
                               rendered_inspector_default: str | None) -> bool:
        arg = getattr(getattr(metadata_column, "server_default", None), "arg", None)
        if isinstance(arg, sa.sql.elements.ColumnClause) and arg.is_literal:
            # a default written as sa.literal_column() (it holds ':name'): Alembic compiles
            # it for the driver, which doubles every %; its own text is what was meant
            rendered_metadata_default = arg.name
        inherited = getattr(inspector_column.type, "default", None)
        if (rendered_metadata_default is None and rendered_inspector_default is not None
                and inherited == rendered_inspector_default):
            return False
        model = _NEXTVAL.fullmatch((rendered_metadata_default or "").strip())
        connection = self.connection
        if model is not None and connection is not None and rendered_inspector_default:
            found = _NEXTVAL.fullmatch(rendered_inspector_default.strip())
            if found is not None:
                return not connection.scalar(
                    sa.text("SELECT CAST(:a AS regclass) = CAST(:b AS regclass)"),
                    {"a": found.group(1), "b": model.group(1)})
        if model is not None and connection is not None and rendered_inspector_default is None:
            table = metadata_column.table
            owned = connection.scalar(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": _table_sql(table), "c": metadata_column.name})
            if owned is not None:
                return False
            # Alembic also drops a default whose sequence another table's column of the same
            # name owns (an INHERITS child's id): read the column's default itself
            actual = _NEXTVAL.fullmatch((connection.scalar(sa.text(_COLUMN_DEFAULT), {
                "t": _table_sql(table), "c": metadata_column.name}) or "").strip())
            if actual is not None:
                return not connection.scalar(
                    sa.text("SELECT CAST(:a AS regclass) = CAST(:b AS regclass)"),
                    {"a": actual.group(1), "b": model.group(1)})
        if (connection is not None and rendered_metadata_default is not None
                and rendered_inspector_default is not None):
            printed = self._printed_default(metadata_column, rendered_metadata_default)
            if printed is not None:
                return printed != rendered_inspector_default
        compare: Any = super().compare_server_default  # untyped in Alembic
        return bool(compare(inspector_column, metadata_column, rendered_metadata_default,
                            rendered_inspector_default))

    def _probe(self, statements: list[str], query: str) -> str | None:
        \"\"\"Run ``statements`` then ``query`` in a savepoint rolled back afterwards; the
        query's value, or None when any of it fails. The statements see the design's
        namespaces on search_path (as the revisions ran: the model's expressions name their
        functions unqualified), the query the session's own (as reflection printed).\"\"\"
        connection = self.connection
        if connection is None:
            return None
        savepoint = connection.begin_nested()
        try:
            if statements and PATH_SCHEMAS:
                session = connection.exec_driver_sql("SHOW search_path").scalar()
                path = ", ".join(["public", *(_quoted(s) for s in sorted(PATH_SCHEMAS))])
                statements = [f"SET LOCAL search_path = {path}", *statements,
                              f"SET LOCAL search_path = {session}"]
            for sql in statements:
                connection.exec_driver_sql(sql, execution_options=_NO_PARAMETERS)
            value = connection.exec_driver_sql(
                query, execution_options=_NO_PARAMETERS).scalar()
        except sa.exc.DBAPIError:
            value = None
        finally:
            savepoint.rollback()
        return None if value is None else str(value)

    def _printed_default(self, column: Any, default: str) -> str | None:
        \"\"\"``default`` as PostgreSQL prints it for ``column`` (pg_get_expr).\"\"\"
        name = _quoted(column.name)
        return self._probe(
            [f"CREATE TEMPORARY TABLE {_PROBE} AS SELECT {name} FROM "
             f"{_table_sql(column.table)} WITH NO DATA",
             f"ALTER TABLE {_PROBE} ALTER COLUMN {name} SET DEFAULT {default}"],
            "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef "
            f"WHERE adrelid = 'pg_temp.{_PROBE}'::regclass")

    def compare_type(self, inspector_column: Any, metadata_column: Any) -> bool:
        if not super().compare_type(inspector_column, metadata_column):
            return False
        try:  # a type Alembic cannot reflect (pg_catalog.name, an extension's) or map back
            model = metadata_column.type.compile(dialect=self.dialect)
        except sa.exc.CompileError:
            return True
        printed = self._probe([f"CREATE TEMPORARY TABLE {_PROBE} (c {model})"],
                              _COLUMN_TYPE.format(table=f"'pg_temp.{_PROBE}'", column="'c'"))
        found = self._probe([], _COLUMN_TYPE.format(
            table=_literal(_table_sql(metadata_column.table)),
            column=_literal(metadata_column.name)))
        return printed is None or printed != found

    def compare_indexes(self, metadata_index: Any, reflected_index: Any) -> Any:
        result = super().compare_indexes(metadata_index, reflected_index)
        if not result.is_different or self.connection is None:
            return result
        table = metadata_index.table
        model = self._printed_index(metadata_index)
        found = self._probe([], "SELECT pg_get_indexdef(c.oid) FROM pg_class c JOIN "
                            "pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = "
                            + _literal(reflected_index.name) + " AND n.nspname = "
                            + _literal(table.schema or "public"))
        if model is None or found is None:
            return result
        if _shape(model) == _shape(found):
            return type(result).Equal()
        return result

    def _printed_index(self, index: Any) -> str | None:
        \"\"\"The model's ``index`` as PostgreSQL prints it, built on a temporary copy of
        its table (no rows: nothing is scanned).\"\"\"
        table = index.table
        ddl = str(sa.schema.CreateIndex(index).compile(dialect=self.dialect))
        target = " ON " + self.dialect.identifier_preparer.format_table(table)
        head, found, rest = ddl.partition(target)
        if not found:
            return None
        return self._probe(
            [f"CREATE TEMPORARY TABLE {_PROBE} (LIKE {_table_sql(table)})",
             f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {_PROBE}_ix ON "
             f"pg_temp.{_PROBE}{rest}"],
            f"SELECT pg_get_indexdef('pg_temp.{_PROBE}_ix'::regclass)")


def _shape(definition: str) -> tuple[bool, str]:
    """An index definition without its name and table: unique?, what follows USING."""
    head, _, rest = definition.partition(" USING ")
    return head.startswith("CREATE UNIQUE"), rest


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


'''


# A design with a NOT NULL domain: SQLAlchemy reflects a column of such a domain as NOT
# NULL (the domain's flag); the column's own ``attnotnull`` is what the model states.
NOT_NULL_DOMAINS = '''\
        if getattr(column_info.get("type"), "not_null", False) and not column_info["nullable"]:
            own = connection.scalar(sa.text(
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
                "AND attname = :c"), {"t": _table_sql(table), "c": column_info["name"]})
            column_info["nullable"] = not own
'''


def render_env(*, package: str, schemas: list[str], domain_defaults: bool = True,
               kept_indexes: Iterable[tuple[str, str]] = (),
               version_table: str = "alembic_version",
               kept_tables: Iterable[tuple[str, str]] = (),
               runtime_namespaces: Iterable[str] = (),
               runtime_index_namespaces: Iterable[str] = (),
               path_schemas: Iterable[str] | None = None,
               not_null_domains: bool = False) -> str:
    """The text of ``migrations/env.py``; ``domain_defaults`` adds the comparison fixes
    (domain defaults, ``nextval`` spellings, SERIAL columns), and ``not_null_domains`` (the
    design has a NOT NULL domain) the nullability of a domain's column; ``kept_indexes``:
    (namespace, name) of the indexes kept SQL creates (:func:`kept_index_names`), which ``alembic
    check`` must not report as removed; ``version_table``: Alembic's bookkeeping table
    (:func:`modeler.codegen.version_table.version_table_name`); ``kept_tables`` (namespace,
    name) of the tables kept SQL creates (:func:`kept_table_names`) and
    ``runtime_namespaces`` where kept calls create tables at run time
    (:func:`modeler.schema.runtime_objects.runtime_table_namespaces`): neither is drift;
    ``runtime_index_namespaces``: those of the design's tables where kept calls make indexes
    when they run (:func:`runtime_index_namespaces`): the models' undeclared indexes there
    are no drift either;
    ``path_schemas``: the namespaces after public on the revisions' search_path (default:
    ``schemas``)."""
    listed = ("frozenset({" + ", ".join(f'"{s}"' if s.isidentifier() else repr(s)
                                        for s in sorted(schemas)) + "})"
              if schemas else "frozenset()")
    kept = sorted(set(kept_indexes))
    kept_text = ("frozenset({\n" + "".join(f"    {k!r},\n" for k in kept) + "})"
                 if kept else "frozenset()")
    text = ENV_PY.replace("__PACKAGE__", package).replace("__SCHEMAS__", listed)
    text = text.replace("__KEPT_INDEXES__", kept_text)
    tables = sorted(set(kept_tables))
    text = text.replace("__KEPT_TABLES__", "frozenset({\n" + "".join(
        f"    {k!r},\n" for k in tables) + "})" if tables else "frozenset()")
    path = sorted(set(schemas if path_schemas is None else path_schemas) - {"public", ""})
    text = text.replace("__PATH_SCHEMAS__", "frozenset({" + ", ".join(
        _py_string(n) for n in path) + "})" if path else "frozenset()")
    spaces = sorted(set(runtime_namespaces))
    text = text.replace("__RUNTIME_NAMESPACES__", "frozenset({" + ", ".join(
        _py_string(n) for n in spaces) + "})" if spaces else "frozenset()")
    spaces = sorted(set(runtime_index_namespaces))
    text = text.replace("__RUNTIME_INDEX_NAMESPACES__", "frozenset({" + ", ".join(
        _py_string(n) for n in spaces) + "})" if spaces else "frozenset()")
    text = text.replace("__VERSION_TABLE__", _py_string(version_table))
    if not domain_defaults:
        return text.replace("__DOMAIN_DEFAULTS__", "")
    text = text.replace("from alembic import context\n",
                        "from alembic import context\nfrom alembic.ddl.postgresql import "
                        "PostgresqlImpl\n").replace("import os\n", "import os\nimport re\n", 1)
    return text.replace("__DOMAIN_DEFAULTS__", DOMAIN_DEFAULTS.replace(
        "__NOT_NULL_DOMAINS__", NOT_NULL_DOMAINS if not_null_domains else ""))


def _py_string(text: str) -> str:
    """A Python string literal of ``text`` in double quotes (ruff's style)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# CREATE INDEX in kept SQL (also inside a DO block's strings): the index's name.
_CREATE_INDEX = re.compile(
    r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"((?:\"(?:[^\"]|\"\")+\"|[^\W\d][\w$]*)(?:\s*\.\s*(?:\"(?:[^\"]|\"\")+\"|[^\W\d][\w$]*))?)"
    r"\s+ON\b", re.IGNORECASE)


def _ident(part: str) -> str:
    part = part.strip()
    return part[1:-1].replace('""', '"') if part.startswith('"') else part.lower()


def kept_index_names(schema: Schema) -> set[tuple[str, str]]:
    """(namespace, name) of the indexes the schema's kept SQL creates: kept indexes, and the
    ``CREATE INDEX name ON`` a kept DO block or function call runs (found in its text)."""
    out: set[tuple[str, str]] = set()
    for obj in schema.raw_objects:
        if obj.kind == "index" and obj.name:
            out.add((obj.namespace, obj.name))
        if obj.kind in ("index", "do block", "function call"):
            for m in _CREATE_INDEX.finditer(obj.sql.replace("''", "'")):
                parts = [_ident(p) for p in re.findall(r'"(?:[^"]|"")+"|[^\s."]+',
                                                       m.group(1))]
                out.add((parts[0], parts[1]) if len(parts) == 2 else (obj.namespace, parts[0]))
    return out



# CREATE TABLE in kept SQL (CREATE TABLE ... AS, also inside a DO block's or a call's strings)
_CREATE_TABLE = re.compile(
    r"\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"((?:\"(?:[^\"]|\"\")+\"|[^\W\d][\w$]*)(?:\s*\.\s*(?:\"(?:[^\"]|\"\")+\"|[^\W\d][\w$]*))?)"
    r"(?=\s*(?:\(|AS\b|OF\b|PARTITION\b))", re.IGNORECASE)


def kept_table_names(schema: Schema) -> set[tuple[str, str]]:
    """(namespace, name) of the tables the schema's kept SQL creates and the models do not
    declare: kept tables (``CREATE TABLE ... AS``) and the ``CREATE TABLE name`` a kept DO
    block runs."""
    declared = {(t.namespace, t.name) for t in schema.tables}
    out: set[tuple[str, str]] = set()
    for obj in schema.raw_objects:
        if obj.kind == "table" and obj.name:
            out.add((obj.namespace, obj.name))
        if obj.kind in ("table", "do block"):
            for m in _CREATE_TABLE.finditer(obj.sql.replace("''", "'")):
                parts = [_ident(p) for p in re.findall(r'"(?:[^"]|"")+"|[^\s."]+',
                                                       m.group(1))]
                out.add((parts[0], parts[1]) if len(parts) == 2 else (obj.namespace, parts[0]))
    return out - declared


def runtime_index_namespaces(schema: Schema) -> set[str]:
    """The namespaces of the design's tables when a kept call (a DO block, a call of a kept
    function) creates indexes when it runs: on the design's tables, under names made at run
    time, as the downgrade's sweep of such a call reads it
    (:func:`modeler.codegen.migration_runtime.drop_runtime_objects`)."""
    if any("index" in found.kinds for found in runtime_creations(schema.raw_objects)):
        return {t.namespace for t in schema.tables}
    return set()
