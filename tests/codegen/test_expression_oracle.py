"""PostgreSQL is the oracle: every expression of the corpus (:mod:`tests.expressions`) means
the same after the product has parsed, stored and exported it as it does when PostgreSQL reads
the user's original text.

The oracle applies the corpus to a real PostgreSQL with the original text and reads back what
the server stored (``pg_get_constraintdef``, ``pg_get_expr`` of defaults and generated
columns, ``pg_get_indexdef``, domain defaults and constraints). The same text then goes into a
design, is exported, and reaches fresh databases by every road the bundle offers; each must
store exactly what the oracle stored, entry by entry:

- ``canonical``: the oracle's own DDL with :func:`sqlexpr.canonical` instead of the original
  text (defaults parenthesised): the canonical form means the same;
- ``alembic``: ``alembic upgrade head`` of a one-revision bundle (CREATE TABLE, CREATE INDEX,
  CREATE DOMAIN);
- ``alembic_alter``: a bundle whose first version is the bare table and whose second adds
  every entry (ADD COLUMN, ADD CONSTRAINT ... NOT VALID + VALIDATE, CREATE INDEX
  CONCURRENTLY: the low-lock forms of existing tables);
- ``alembic_downgrade``: a bundle whose second version drops every entry, upgraded and then
  downgraded one step (the reversed ops re-create everything);
- ``create_all``: the bundle's models, ``Base.metadata.create_all()``;
- ``schema_sql``: the bundle's ``schema.sql`` loaded by ``psql``;
- ``sql_import``: the oracle's own script imported (:func:`import_sql`), exported, upgraded.

The editor's forms are a road too: tests/web/test_expression_forms.py.

Entries run in one design per road (batched: the module runs in seconds). Known bugs are
listed in :data:`tests.expressions.BUGS` with their inputs, what was expected and what came
out; each affected (road, entry) is a strict xfail, so fixing a bug turns its cases into
failures that ask for the mark to go. An entry whose bug makes a statement fail (which stops
the whole script) runs in a design of its own bug group, so the batch stays meaningful.

The Hypothesis properties at the end draw random expressions (:func:`tests.expressions.
expressions`): the canonical form parses to the same tree and is a fixed point, and no byte of
it is lost to Python or SQLAlchemy on its way into the generated code and the DDL; a bounded
number of them are also checked against PostgreSQL.
"""

from __future__ import annotations

import ast
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from sqlalchemy import orm
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.schema import CreateIndex, CreateTable

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.metadata import metadata_from_schema
from modeler.codegen.migration import render_revision
from modeler.codegen.migration_code import condition, lit, split_literal, sql_expr
from modeler.codegen.models import render_models
from modeler.importers import import_sql
from modeler.schema import model as m
from modeler.schema import sqlexpr, validate
from tests import expressions as X
from tests.codegen import helpers as h
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

PATHS = ("canonical", "alembic", "alembic_alter", "alembic_downgrade", "create_all",
         "schema_sql", "sql_import")
ALL_COLUMNS = X.ALL_COLUMNS
KNOWN_REFUSED = X.KNOWN_REFUSED
CORPUS = X.CORPUS + X.REFUSED_ENTRIES
ACCEPTED = tuple(e for e in CORPUS if e.id not in KNOWN_REFUSED)


def _case(path: str, e: X.Expr) -> Any:
    return pytest.param(path, e, id=f"{path}-{e.id}", marks=X.known_bug_marks(path, e))


# --- the oracle ------------------------------------------------------------------------------

def _invalid(url: str, entries: Sequence[X.Expr]) -> list[str]:
    """The entries PostgreSQL refuses (each applied alone to the bare table)."""
    out: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(X.table_statement().encode())
        for e in entries:
            try:
                with conn.transaction():
                    for sql in X.entry_statements(e):
                        conn.execute(sql.encode())
            except psycopg.Error as exc:
                out.append(f"{e.id} {e.text!r}: {str(exc).splitlines()[0]}")
    return out


@pytest.fixture(scope="module")
def oracle(pg_server: PgServer) -> dict[str, str | None]:
    """What PostgreSQL stores for each entry written as the user wrote it."""
    url = pg_server.create_database("oracle")
    try:
        try:
            X.apply(url, X.oracle_statements(CORPUS))
        except psycopg.Error:
            scratch = pg_server.create_database("locate")
            try:
                bad = _invalid(scratch, CORPUS)
            finally:
                pg_server.drop_database(scratch)
            raise AssertionError("corpus entries PostgreSQL refuses:\n" + "\n".join(bad)) \
                from None
        return X.read_facts(url, CORPUS)
    finally:
        pg_server.drop_database(url)


# --- the roads through the product -----------------------------------------------------------

@dataclass(frozen=True)
class Failed:
    """A road that did not get there: the error that stopped it."""

    message: str


Outcome = str | None | Failed
_SLUGS = count(1)


def _version(number: int, schema: m.Schema) -> VersionInput:
    return VersionInput(number=number, message=f"version {number} of the corpus",
                        author="tester", created=f"2026-01-{number:02d}", schema=schema)


def _bundle(root: Path, versions: list[VersionInput]) -> tuple[Path, str]:
    slug = f"expr_{next(_SLUGS)}"
    files = build_bundle(versions, slug=slug, diagram_svg="<svg/>")
    return h.write_bundle(files, root / slug), slug


def _error(exc: Exception) -> str:
    lines = [ln for ln in str(exc).splitlines()
             if any(word in ln for word in ("ERROR:", "Error:", "Error)"))]
    return (lines[0] if lines else str(exc).splitlines()[0])[:500]


@dataclass
class _Job:
    path: str
    entries: tuple[X.Expr, ...]
    run: Callable[[str], object]
    result: dict[str, Outcome] = field(default_factory=dict)


def _canonical(e: X.Expr) -> str:
    text = sqlexpr.canonical(e.text)
    return f"({text})" if e.use in ("default", "domain_default") else text


def _jobs(path: str, entries: tuple[X.Expr, ...], root: Path, server: PgServer) -> _Job:
    """How one road applies ``entries`` to an empty database."""
    if path == "canonical":
        return _Job(path, entries, lambda url: X.apply(url, X.oracle_statements(
            entries, _canonical)))
    if path == "sql_import":
        script = "".join(f"{sql};\n" for sql in X.oracle_statements(entries))
        imported = import_sql([("corpus.sql", script)])
        assert not imported.warnings, imported.warnings
        bundle, _ = _bundle(root, [_version(1, imported.schema)])
        return _Job(path, entries, lambda url: h.alembic(bundle, url, "upgrade", "head"))
    full, bare = X.design(entries), X.design(())
    if path == "alembic_alter":
        bundle, _ = _bundle(root, [_version(1, bare), _version(2, full)])
        return _Job(path, entries, lambda url: h.alembic(bundle, url, "upgrade", "head"))
    if path == "alembic_downgrade":
        bundle, _ = _bundle(root, [_version(1, full), _version(2, bare)])

        def down(url: str) -> None:
            h.alembic(bundle, url, "upgrade", "head")
            h.alembic(bundle, url, "downgrade", "-1")
        return _Job(path, entries, down)
    bundle, slug = _bundle(root, [_version(1, full)])
    if path == "alembic":
        return _Job(path, entries, lambda url: h.alembic(bundle, url, "upgrade", "head"))
    if path == "schema_sql":
        return _Job(path, entries, lambda url: h.run(
            [server.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f",
             str(bundle / "schema.sql"), url], bundle))

    def create_all(url: str) -> None:
        with h.imported(bundle, f"{slug}.models") as models:
            orm.configure_mappers()
            engine = sa.create_engine(h.sa_url(url), poolclass=sa.pool.NullPool)
            try:
                models.Base.metadata.create_all(engine)
            finally:
                engine.dispose()
    return _Job(path, entries, create_all)


def _execute(job: _Job, server: PgServer) -> _Job:
    url = server.create_database("road")
    try:
        job.run(url)
        job.result = dict(X.read_facts(url, job.entries))
    except Exception as exc:  # the road failed: every entry of it reports why
        job.result = {e.id: Failed(_error(exc)) for e in job.entries}
    finally:
        server.drop_database(url)
    return job


def _groups(path: str) -> Iterator[tuple[X.Expr, ...]]:
    """The batch of ``path`` and one design per bug group that breaks it."""
    apart = {entry for b in X.breaking(path) for entry in b.entries}
    yield tuple(e for e in ACCEPTED if e.id not in apart)
    for b in X.breaking(path):
        yield tuple(e for e in ACCEPTED if e.id in b.entries)


@pytest.fixture(scope="module")
def outcomes(pg_server: PgServer) -> dict[tuple[str, str], Outcome]:
    """(road, entry id) -> what PostgreSQL stored for the entry after that road."""
    out: dict[tuple[str, str], Outcome] = {}
    with tempfile.TemporaryDirectory(prefix="expr-oracle-") as tmp, \
            ThreadPoolExecutor(max_workers=8) as pool:
        jobs = [_jobs(path, group, Path(tmp), pg_server)
                for path in PATHS for group in _groups(path)]
        # subprocesses and plain SQL run side by side; create_all imports the bundle's
        # models into this process, one at a time
        futures: list[Future[_Job]] = [pool.submit(_execute, j, pg_server) for j in jobs
                                       if j.path != "create_all"]
        done = [_execute(j, pg_server) for j in jobs if j.path == "create_all"]
        done += [f.result() for f in futures]
        for job in done:
            out.update({(job.path, key): value for key, value in job.result.items()})
    return out


# --- the corpus ------------------------------------------------------------------------------

def test_corpus_covers_every_use_and_the_hostile_spellings() -> None:
    assert len(X.CORPUS) >= 60
    per_use = {use: len(X.by_use(X.CORPUS, use)) for use in X.USES}
    assert all(n >= 5 for n in per_use.values()), per_use
    texts = " ".join(e.text for e in X.CORPUS)
    for needle in ("[[:alnum:]", "':x'", "\\:", "%(", "'{", "''", '""', "E'", "$$", "$tag$",
                   "--", "/*", "☃", "U&'", "::", "CAST(", "DISTINCT FROM", "SYMMETRIC",
                   "CASE", "COALESCE", "ARRAY[", "ANY (", "?", "@>", "now()",
                   "CURRENT_TIMESTAMP", "||", "COLLATE"):
        assert needle in texts, needle


@pytest.mark.parametrize("e", [pytest.param(e, id=e.id, marks=[pytest.mark.xfail(
    strict=True, reason=KNOWN_REFUSED[e.id])] if e.id in KNOWN_REFUSED else [])
    for e in CORPUS])
def test_the_product_accepts_every_entry(e: X.Expr) -> None:
    """Valid PostgreSQL is accepted where it is used; its canonical form parses to the same
    tree and is a fixed point."""
    columns = ("value",) if e.use == "domain_check" else ALL_COLUMNS
    assert sqlexpr.problem(e.text, e.use, columns=columns, table=X.TABLE) is None
    canonical = sqlexpr.canonical(e.text)
    assert sqlexpr.parse(canonical).node == sqlexpr.parse(e.text).node
    assert sqlexpr.canonical(canonical) == canonical
    assert validate.problems(X.design((e,))) == []


def test_the_whole_corpus_is_one_valid_design() -> None:
    assert validate.problems(X.design(ACCEPTED)) == []


@pytest.mark.parametrize(("path", "e"), [_case(p, e) for p in PATHS for e in ACCEPTED])
def test_every_road_stores_what_postgresql_stores(
        path: str, e: X.Expr, oracle: dict[str, str | None],
        outcomes: dict[tuple[str, str], Outcome]) -> None:
    want = oracle[e.id]
    assert want is not None, f"the oracle has no {e.object_name}"
    got = outcomes[(path, e.id)]
    assert got == want, f"{path}: {e.text!r}\n  PostgreSQL: {want}\n  {path}: {got}"


# --- properties ------------------------------------------------------------------------------

_DIALECT = pg_psycopg.dialect()  # type: ignore[no-untyped-call]


def _driver_text(element: Any) -> str:
    """The DDL text the psycopg driver sends for ``element``: SQLAlchemy compiles it for the
    pyformat paramstyle (``%`` doubled) and executes it with parameters, so psycopg turns
    ``%%`` back into ``%``. A bind parameter would be a lost byte: there must be none."""
    compiled = element.compile(dialect=_DIALECT)
    assert not compiled.params, f"bind parameters in DDL: {compiled.params}"
    return str(compiled).replace("%%", "%")


def _evaluated(source: str) -> Any:
    """Evaluate generated Python source (a literal or an ``sa.*(...)`` call; a literal split
    over lines is always written inside a call's parentheses)."""
    tree = ast.parse(f"(\n{source}\n)", mode="eval")
    return eval(compile(tree, "<generated>", "eval"), {"sa": sa})


def _string_constants(source: str) -> set[str]:
    """Every string constant of a Python module (implicit concatenations joined)."""
    return {n.value for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _one_check_design(expression: str) -> m.Schema:
    """The corpus table with one CHECK, ``ck_item_drawn``."""
    return X.design((X.Expr("drawn", "check", expression),))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(X.expressions())
def test_canonical_survives_python_and_sqlalchemy(text: str) -> None:
    """For a random expression: the canonical form parses to the same tree, is a fixed point,
    and reaches the DDL byte for byte through every Python spelling the generator writes
    (``lit``, split literals, ``sa.text``/``sa.literal_column`` calls, a rendered revision and
    models module) and SQLAlchemy's DDL compiler (CHECK, server default, generated column,
    index expression and predicate)."""
    assert sqlexpr.problem(text, "check", columns=ALL_COLUMNS, table=X.TABLE) is None
    canonical = sqlexpr.canonical(text)
    assert sqlexpr.parse(canonical).node == sqlexpr.parse(text).node
    assert sqlexpr.canonical(canonical) == canonical

    assert ast.literal_eval(lit(canonical)) == canonical
    for indent, width in ((4, 40), (12, 99)):
        assert ast.literal_eval("(" + split_literal(canonical, indent, width) + ")") \
            == canonical
    obj = _evaluated(sql_expr(canonical).render(8))  # sa.text(...) / sa.literal_column(...)
    check = _evaluated(condition(canonical).render(8))  # or a plain string, for CHECKs
    index = sa.Index("ix", obj, postgresql_where=obj)
    table = sa.Table("item", sa.MetaData(), sa.Column("d", sa.Boolean, server_default=obj),
                     sa.Column("g", sa.Boolean, sa.Computed(obj, persisted=True)),
                     sa.CheckConstraint(obj, name="ck1"), sa.CheckConstraint(check, name="ck2"),
                     index)
    ddl = _driver_text(CreateTable(table))
    assert f"DEFAULT {canonical}" in ddl
    assert f"GENERATED ALWAYS AS ({canonical}) STORED" in ddl
    assert f"CONSTRAINT ck1 CHECK ({canonical})" in ddl
    assert f"CONSTRAINT ck2 CHECK ({canonical})" in ddl
    assert _driver_text(CreateIndex(index)).endswith(f"({canonical}) WHERE {canonical}")

    schema = _one_check_design(text)
    revision = render_revision(old=m.Schema(), new=schema, revision="r1", down_revision=None,
                               message="drawn", created="2026-01-01")
    assert canonical in _string_constants(revision)
    assert canonical in _string_constants(render_models(schema))


@pytest.fixture(scope="module")
def scratch(pg_server: PgServer) -> Iterator[str]:
    url = pg_server.create_database("drawn")
    try:
        X.apply(url, [X.table_statement()])
        yield url
    finally:
        pg_server.drop_database(url)


def _stored_check(conn: Any, sql: str) -> str:
    """``pg_get_constraintdef`` of the CHECK ``sql`` adds to the table (rolled back)."""
    with conn.transaction(force_rollback=True):
        conn.execute(sql.encode())
        row = conn.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conname = 'ck_item_drawn'").fetchone()
    return str(row[0])


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(X.expressions())
def test_postgresql_stores_the_same_check_for_canonical_and_original(
        scratch: str, text: str) -> None:
    """The drawn expression as written, its canonical form, and the CHECK the product's
    metadata creates (``create_all`` of :func:`metadata_from_schema`) are stored alike."""
    canonical = sqlexpr.canonical(text)
    add = "ALTER TABLE item ADD CONSTRAINT ck_item_drawn CHECK ({}\n)"
    with psycopg.connect(scratch) as conn:
        try:
            want = _stored_check(conn, add.format(text))
        except psycopg.errors.DataException as exc:
            # PostgreSQL folds constants as it stores a CHECK: a drawn product of constants
            # out of integer range (46273 * 46409) is refused as written; so must its
            # canonical form be, with the same error
            with pytest.raises(type(exc)):
                _stored_check(conn, add.format(canonical))
            return
        assert _stored_check(conn, add.format(canonical)) == want
    md = metadata_from_schema(_one_check_design(text), ddl_events=False)
    engine = sa.create_engine(h.sa_url(scratch), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            conn.exec_driver_sql("DROP TABLE item")
            md.create_all(conn)
            got = conn.exec_driver_sql(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'ck_item_drawn'").scalar_one()
            trans.rollback()
    finally:
        engine.dispose()
    assert got == want
