"""Template of the bundle's ``tests/test_migrations.py``.

Generic on purpose: it reads the constraints from the models' metadata at run time, so it
works for any design and skips what does not apply (no CHECK constraint, no FK, ...).
"""

from __future__ import annotations

TEST_MIGRATIONS_PY = '''\
"""Migrations round trip and integrity checks for the __PACKAGE__ models.

Needs an EMPTY scratch PostgreSQL database in DATABASE_URL (skipped when unset): it upgrades
to head, checks that the models and the migrated database agree, writes sample rows (rolled
back), proves that FK, UNIQUE, NOT NULL and CHECK violations are rejected, then downgrades to
base and upgrades again. Last, it walks the history revision by revision with rows in every
table (a migration that only works on empty tables fails there). Run with ``pytest -q``.
"""

from __future__ import annotations

import datetime
import os
import uuid
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql

from __PACKAGE__.db import direct_url, normalize_url
from __PACKAGE__.models import Base

ROOT = Path(__file__).resolve().parents[1]
RAW_URL = os.environ.get("DIRECT_DATABASE_URL") or os.environ.get("DATABASE_URL")
pytestmark = pytest.mark.skipif(not RAW_URL, reason="set DATABASE_URL to a scratch database")
Row = dict[str, Any]
_DIALECT_FACTORY: Any = postgresql.dialect  # untyped constructor
PG_DIALECT = _DIALECT_FACTORY()
# Alembic's bookkeeping table (as migrations/env.py names it): the design's own tables may
# include one called alembic_version, which is then tested like any other.
VERSION_TABLE = __VERSION_TABLE__

LEFTOVERS_SQL = """
SELECT 'relation ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND NOT (n.nspname = current_schema()
            AND c.relname::text IN (CAST(:version_table AS text),
                                    CAST(:version_table AS text) || '_pkc'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND t.typtype IN ('e', 'd', 'r', 'm')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1
"""


def _config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


@pytest.fixture(scope="module")
def engine() -> Iterator[sa.Engine]:
    eng = sa.create_engine(direct_url(normalize_url(RAW_URL or "")), poolclass=sa.pool.NullPool)
    with eng.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names()) - {VERSION_TABLE}
    if tables:
        pytest.skip("DATABASE_URL is not empty: these tests downgrade to base (data loss)")
    command.upgrade(_config(), "head")
    yield eng
    eng.dispose()


# ----------------------------------------------------------------- sample values by type
def _base_type(col: sa.Column[Any]) -> Any:
    t = col.type
    while isinstance(t, postgresql.DOMAIN):
        t = t.data_type
    return t


def value_for(col: sa.Column[Any], n: int) -> Any:
    """A value of the column's type; ``n`` varies it (different rows, different values)."""
    special = {"inet": f"10.0.{n % 250}.1", "cidr": f"10.{n % 250}.0.0/16",
               "macaddr": f"08:00:2b:01:02:{n % 250:02x}", "xml": f"<v n='{n}'/>",
               "point": f"({n},{n})", "line": "{1,2,3}", "lseg": "[(0,0),(1,1)]",
               "box": "(1,1),(0,0)", "path": "((0,0),(1,1))", "polygon": "((0,0),(1,1),(1,0))",
               "circle": "<(0,0),1>", "tsvector": f"v{n}", "tsquery": f"v{n}",
               "money": f"{n}.00", "int4range": f"[{n},{n + 10})",
               "int8range": f"[{n},{n + 10})", "numrange": f"[{n},{n + 10})",
               "daterange": "[2024-01-01,2024-02-01)", "tsrange": "[2024-01-01,2024-02-01)",
               "tstzrange": "[2024-01-01,2024-02-01)"}
    spelled = str(col.type.compile(dialect=PG_DIALECT)).lower()
    t = _base_type(col)
    base = str(t.compile(dialect=PG_DIALECT)).lower()
    for name in (spelled, base):
        if name in special:
            return special[name]
    if isinstance(t, sa.Enum):
        labels = list(t.enum_class) if t.enum_class is not None else list(t.enums)
        return labels[n % len(labels)] if labels else None
    if isinstance(t, postgresql.ARRAY):
        return []
    try:
        py = t.python_type
    except NotImplementedError:
        return f"v{n}"
    if py is bool:
        return n % 2 == 1
    if py is int:
        return n
    if py is float:
        return float(n)
    if py is Decimal:
        return Decimal(n)
    if py is str:
        length = getattr(t, "length", None)
        text = f"v{n}"
        return text[-length:] if length else text
    if py is datetime.datetime:
        tz = datetime.UTC if getattr(t, "timezone", False) else None
        return datetime.datetime(2024, 1, 1, 12, tzinfo=tz) + datetime.timedelta(days=n)
    if py is datetime.date:
        return datetime.date(2024, 1, 1) + datetime.timedelta(days=n)
    if py is datetime.time:
        return datetime.time(12, n % 60)
    if py is datetime.timedelta:
        return datetime.timedelta(minutes=n)
    if py is uuid.UUID:
        return uuid.UUID(int=n)
    if py is dict:
        return {"n": n}
    if py is bytes:
        return bytes([n % 256])
    if py is list:
        return []
    return f"v{n}"


def _settable(col: sa.Column[Any]) -> bool:
    return col.identity is None and col.computed is None


def _fresh_row(table: sa.Table, rows: dict[str, Row], n: int) -> Row | None:
    """Values for a new row: FK columns point at the parents' sample rows; columns with a
    server default are left to it. None when a required parent row is missing."""
    row: Row = {}
    fk_cols: set[str] = set()
    for fk in sorted(table.foreign_key_constraints, key=lambda f: str(f.name)):
        parent = fk.referred_table
        names = [c.name for c in fk.columns]
        fk_cols.update(names)
        if parent is not table and parent.key in rows:
            for el in fk.elements:
                row[el.parent.name] = rows[parent.key][el.column.name]
        elif all(table.c[name].nullable for name in names):
            row.update(dict.fromkeys(names))
        else:
            return None
    for col in table.columns:
        if col.name in fk_cols or not _settable(col) or col.server_default is not None:
            continue
        row[col.name] = value_for(col, n)
    return row


def _insert(conn: sa.Connection, table: sa.Table, row: Row) -> Row | None:
    try:
        with conn.begin_nested():
            result = conn.execute(table.insert().values(row).returning(*table.c))
            return dict(result.mappings().one())
    except sa.exc.DBAPIError:
        return None


@pytest.fixture
def samples(engine: sa.Engine) -> Iterator[tuple[sa.Connection, dict[str, Row]]]:
    """One sample row per table (where one can be built), inside a transaction that is
    rolled back afterwards."""
    with engine.connect() as conn:
        trans = conn.begin()
        rows: dict[str, Row] = {}
        for table in Base.metadata.sorted_tables:
            row = _fresh_row(table, rows, 1)
            inserted = _insert(conn, table, row) if row is not None else None
            if inserted is not None:
                rows[table.key] = inserted
        yield conn, rows
        trans.rollback()


def _sqlstate(conn: sa.Connection, stmt: Any) -> str | None:
    """Run ``stmt`` in a savepoint; the SQLSTATE it failed with, or None on success."""
    try:
        with conn.begin_nested() as sp:
            conn.execute(stmt)
            sp.rollback()
    except sa.exc.DBAPIError as exc:
        return getattr(exc.orig, "sqlstate", None)
    return None


def _where_pk(table: sa.Table, row: Row) -> Any:
    return sa.and_(*(c == row[c.name] for c in table.primary_key.columns))


def test_no_drift(engine: sa.Engine) -> None:
    """The migrated database matches the models (alembic check)."""
    command.check(_config())


def test_foreign_keys_enforced(samples: tuple[sa.Connection, dict[str, Row]]) -> None:
    conn, rows = samples
    conn.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")  # deferrable FKs too
    tried = 0
    for table in Base.metadata.sorted_tables:
        if table.key not in rows or not table.primary_key.columns:
            continue
        for fk in table.foreign_key_constraints:
            bad = {c.name: value_for(c, 987654) for c in fk.columns}
            stmt = table.update().where(_where_pk(table, rows[table.key])).values(bad)
            assert _sqlstate(conn, stmt) == "23503", f"{fk.name} accepted a missing parent"
            tried += 1
    if not tried:
        pytest.skip("no foreign key on a table with a sample row")


def test_not_null_enforced(samples: tuple[sa.Connection, dict[str, Row]]) -> None:
    """Inserting NULL into a NOT NULL column fails (even where a default exists)."""
    conn, rows = samples
    tried = 0
    for table in Base.metadata.sorted_tables:
        template = _fresh_row(table, rows, 3) if table.key in rows else None
        if template is None:
            continue
        key = table.dialect_options["postgresql"]["partition_by"] or ""
        for col in table.columns:
            if not col.nullable and _settable(col):
                stmt = table.insert().values({**template, col.name: sa.null()})
                # a NULL partition key may find no partition to go to first (23514)
                allowed = ("23502", "23514") if col.name in key else ("23502",)
                assert _sqlstate(conn, stmt) in allowed, f"{table.name}.{col.name} took NULL"
                tried += 1
    if not tried:
        pytest.skip("no NOT NULL column on a table with a sample row")


def _unique_sets(table: sa.Table) -> list[list[str]]:
    sets = [[c.name for c in uc.columns] for uc in table.constraints
            if isinstance(uc, (sa.UniqueConstraint, sa.PrimaryKeyConstraint))]
    sets += [[c.name for c in ix.columns] for ix in table.indexes
             if ix.unique and all(isinstance(e, sa.Column) for e in ix.expressions)
             and ix.dialect_options["postgresql"]["where"] is None]
    return [s for s in sets if s and all(_settable(table.c[n]) for n in s)]


def test_unique_enforced(samples: tuple[sa.Connection, dict[str, Row]]) -> None:
    conn, rows = samples
    tried = 0
    for table in Base.metadata.sorted_tables:
        if table.key not in rows or not table.primary_key.columns:
            continue
        for names in _unique_sets(table):
            second = _fresh_row(table, rows, 2)
            other = _insert(conn, table, second) if second is not None else None
            if other is None:
                continue
            copy = {n: rows[table.key][n] for n in names}
            stmt = table.update().where(_where_pk(table, other)).values(copy)
            state = _sqlstate(conn, stmt)
            assert state == "23505", f"{table.name} {names}: duplicate accepted ({state})"
            tried += 1
    if not tried:
        pytest.skip("no UNIQUE constraint that a second sample row could test")


def _candidates(col: sa.Column[Any]) -> list[Any]:
    t = _base_type(col)
    if isinstance(t, sa.Enum):
        return list(t.enum_class) if t.enum_class is not None else list(t.enums)
    try:
        py = t.python_type
    except NotImplementedError:
        return []
    if py in (int, float, Decimal):
        return [py(-1), py(0), py(-1000000), py(1000000), py(100), py(101)]
    if py is str:
        return ["", " ", "invalid value", "x" * 300, "A"]
    if py is datetime.datetime:
        return [datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC),
                datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)]
    if py is datetime.date:
        return [datetime.date(1900, 1, 1), datetime.date(2999, 1, 1)]
    if py is bool:
        return [True, False]
    return []


def test_checks_enforced(samples: tuple[sa.Connection, dict[str, Row]]) -> None:
    """For each CHECK, some out-of-range value of a column it mentions is rejected (23514)."""
    conn, rows = samples
    proven: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.key not in rows or not table.primary_key.columns:
            continue
        for ck in table.constraints:
            if not isinstance(ck, sa.CheckConstraint):
                continue
            text = str(ck.sqltext)
            cols = [c for c in table.columns if c.name in text and _settable(c)]
            where = _where_pk(table, rows[table.key])
            if any(_sqlstate(conn, table.update().where(where).values({c.name: v})) == "23514"
                   for c in cols for v in _candidates(c)):
                proven.append(str(ck.name))
    if not proven:
        pytest.skip("no CHECK constraint with a value that could be shown to violate it")


def test_zz_downgrade_to_base_and_upgrade_again(engine: sa.Engine) -> None:
    """Every revision has a real downgrade: base leaves only the version table behind."""
    cfg = _config()
    command.downgrade(cfg, "base")
    with engine.connect() as conn:
        left = [r[0] for r in conn.execute(sa.text(LEFTOVERS_SQL),
                                             {"version_table": VERSION_TABLE})]
    assert left == [], f"left behind after downgrade: {left}"
    command.upgrade(cfg, "head")
    command.check(cfg)


# ------------------------------------------------------ the history, with rows at every step
def _history() -> list[str]:
    """Revision ids from the first to head (the history is linear)."""
    script = ScriptDirectory.from_config(_config())
    return [s.revision for s in reversed(list(script.walk_revisions("base", "heads")))]


def _tables_now(conn: sa.Connection) -> list[sa.Table]:
    """The tables of the database as it is now (reflected: the models describe head only),
    parents first."""
    meta = sa.MetaData()
    present = set(sa.inspect(conn).get_schema_names())
    wanted = {t.schema for t in Base.metadata.tables.values()}
    with warnings.catch_warnings():  # types of extensions reflect as NullType, with a warning
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        for schema in sorted(wanted, key=lambda n: n or ""):
            if schema is None or schema in present:
                meta.reflect(conn, schema=schema)
    return [t for t in meta.sorted_tables if (t.schema, t.name) != (None, VERSION_TABLE)]


def _typed(table: sa.Table) -> sa.Table:
    """``table`` with the model's type on the columns reflection could not type (types of
    extensions come back as NullType)."""
    model = Base.metadata.tables.get(table.key)
    for col in table.columns:
        if isinstance(col.type, sa.types.NullType) and model is not None \
                and col.name in model.c:
            col.type = model.c[col.name].type
    return table


def _insert_rows(engine: sa.Engine, n: int) -> list[tuple[sa.Table, Row]]:
    """One committed row per table where one can be built (its FKs point at a row of this
    step or of an earlier one); the rows inserted, parents first."""
    made: list[tuple[sa.Table, Row]] = []
    with engine.begin() as conn:
        tables = [_typed(t) for t in _tables_now(conn)]
        rows: dict[str, Row] = {}
        for table in tables:
            earlier = conn.execute(sa.select(table).limit(1)).mappings().first()
            if earlier is not None:
                rows[table.key] = dict(earlier)
        for table in tables:
            try:
                row = _fresh_row(table, rows, n)
            except sa.exc.CompileError:  # a column of a type no model knows any more
                continue
            inserted = _insert(conn, table, row) if row is not None else None
            if inserted is not None:
                rows[table.key] = inserted
                made.append((table, inserted))
    return made


_COMPARABLE = (bool, int, float, Decimal, str, datetime.date, datetime.time,
               datetime.timedelta, uuid.UUID)


def _same_row(table: sa.Table, row: Row) -> Any:
    """The row by its primary key; without one, by every value that compares with ``=``."""
    if table.primary_key.columns:
        return _where_pk(table, row)
    return sa.and_(*(c.is_not_distinct_from(row[c.name]) for c in table.columns
                     if isinstance(row.get(c.name), _COMPARABLE)))


def _delete_rows(engine: sa.Engine, made: list[tuple[sa.Table, Row]]) -> None:
    """Remove the rows one step inserted (children first): rows written by a newer schema
    need not fit an older one (a new enum value, a row of a detached partition...); those
    that existed before must."""
    with engine.begin() as conn:
        for table, row in reversed(made):
            try:
                with conn.begin_nested():
                    conn.execute(table.delete().where(_same_row(table, row)))
            except sa.exc.DBAPIError:
                pass  # gone with its parent (ON DELETE CASCADE), say


def test_zzz_every_revision_runs_on_tables_holding_rows(engine: sa.Engine) -> None:
    """Upgrade one revision at a time with a row in every table before each step (a new NOT
    NULL column, a NOT NULL change or a mandatory FK must fill the rows it finds), then
    downgrade one revision at a time with the rows that existed before each revision."""
    cfg = _config()
    command.downgrade(cfg, "base")
    history = _history()
    inserted: list[list[tuple[sa.Table, Row]]] = []
    for n, revision in enumerate(history):
        command.upgrade(cfg, revision)
        inserted.append(_insert_rows(engine, 100 + n))
    assert any(inserted), "no sample row could be written at any revision"
    for n in range(len(history) - 1, -1, -1):
        _delete_rows(engine, inserted[n])
        command.downgrade(cfg, history[n - 1] if n else "base")
    with engine.connect() as conn:
        left = [r[0] for r in conn.execute(sa.text(LEFTOVERS_SQL),
                                             {"version_table": VERSION_TABLE})]
    assert left == [], f"left behind after downgrade: {left}"
    command.upgrade(cfg, "head")
'''


def render_tests(*, package: str, version_table: str = "alembic_version") -> str:
    """The text of ``tests/test_migrations.py``; ``version_table``: as ``env.py`` names
    it."""
    quoted = '"' + version_table.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return TEST_MIGRATIONS_PY.replace("__PACKAGE__", package).replace(
        "__VERSION_TABLE__", quoted)
