"""Drizzle bundles of designs shaped like corpus schemas that once failed the round trip
(designs written here; no corpus DDL): ``drizzle-kit migrate`` builds the Alembic bundle's
catalog, generate/check are clean, the down files return to an empty database."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.codegen.drizzle.bundle import build_drizzle_files
from modeler.codegen.versions import chain
from modeler.schema.builder import SchemaBuilder, stable_uid
from modeler.schema.model import RawObject, Schema, Sequence
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer


def _baseline(schema: Schema) -> list[VersionInput]:
    return [VersionInput(1, "Imported baseline", "corpus", "2026-01-01", schema,
                         baseline=True)]


def view_only_namespace() -> Schema:
    """A namespace holding nothing but a view over a table elsewhere (as adventureworks'
    short-named view schemas do)."""
    b = SchemaBuilder(name="views apart")
    t = b.table("item", namespace="stock")
    t.column("id", "integer", pk=True)
    t.column("label", "text")
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "rep", "items"), kind="view", name="items", namespace="rep",
        sql="CREATE VIEW rep.items AS SELECT id, label FROM stock.item"))
    return b.build()


def function_in_an_index() -> Schema:
    """A function kept as SQL that an index expression and a CHECK call, and a view over the
    table (as crates-io's name-folding index)."""
    b = SchemaBuilder(name="early functions")
    t = b.table("thing")
    t.column("id", "integer", pk=True)
    t.column("name", "varchar", length=40)
    t.index(name="thing_folded", unique=True, expressions=("folded(name)",))
    t.check("thing_name_folds", "folded(name) <> ''")
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "folded"), kind="function", name="folded",
        sql="CREATE FUNCTION public.folded(text) RETURNS text AS $$ SELECT lower($1) $$ "
            "LANGUAGE sql IMMUTABLE"))
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "thing_names"), kind="view", name="thing_names",
        sql="CREATE VIEW public.thing_names AS SELECT folded(name) AS n FROM public.thing"))
    return b.build()


def test_a_function_an_index_calls_comes_before_its_table() -> None:
    files = build_drizzle_files(chain(_baseline(function_in_an_index())), slug="f", title="f")
    up = files["drizzle/0000_v1_imported_baseline.sql"]
    down = files["drizzle/0000_v1_imported_baseline.down.sql"]
    assert (up.index("CREATE FUNCTION public.folded") < up.index("CREATE TABLE thing")
            < up.index("CREATE VIEW public.thing_names"))
    assert up.index("SET check_function_bodies = false") < up.index("CREATE FUNCTION")
    assert up.index("RESET check_function_bodies") > up.index("CREATE VIEW")
    assert (down.index("DROP VIEW") < down.index("DROP TABLE thing")
            < down.index("DROP FUNCTION"))


def call_creating_views() -> Schema:
    """A kept call of a kept function that creates a view on a table at run time (as
    evergreen's auditor.create_auditor() calls): the design does not model the view."""
    b = SchemaBuilder(name="runtime views")
    t = b.table("thing")
    t.column("id", "integer", pk=True)
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "make_view"), kind="function", name="make_view", namespace="aud",
        sql="CREATE FUNCTION aud.make_view(t text) RETURNS void AS $$ BEGIN "
            "EXECUTE 'CREATE VIEW aud.' || t || '_v AS SELECT * FROM public.' || t; END $$ "
            "LANGUAGE plpgsql"))
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "call"), kind="function call", name="make_view", namespace="aud",
        sql="SELECT aud.make_view('thing')"))
    return b.build()


def shared_owned_sequence() -> Schema:
    """A sequence owned by one table's column whose default another table uses too (as
    evergreen's queue tables share their parent's id sequence)."""
    b = SchemaBuilder(name="shared sequence")
    default = "nextval('q.queue_id_seq'::regclass)"
    queue = b.table("queue", namespace="q")
    queue.column("id", "bigint", pk=True, default=default)
    other = b.table("other_queue", namespace="q")
    other.column("id", "bigint", pk=True, default=default)
    b.sequences.append(Sequence(
        uid=stable_uid("sequence", "q", "queue_id_seq"), name="queue_id_seq", namespace="q",
        owned_by_table=queue.table.uid, owned_by_column=queue.col_uid("id")))
    return b.build()


def test_a_view_only_namespace_is_created_first_and_dropped_last() -> None:
    files = build_drizzle_files(chain(_baseline(view_only_namespace())), slug="v", title="v")
    up = files["drizzle/0000_v1_imported_baseline.sql"]
    down = files["drizzle/0000_v1_imported_baseline.down.sql"]
    assert up.index("CREATE SCHEMA IF NOT EXISTS rep;") < up.index("CREATE VIEW rep.items")
    assert down.index("DROP SCHEMA IF EXISTS rep;") > down.index("rep.items")
    # schema.ts declares no pgSchema for it: the snapshot lists only the tables' namespace
    assert '"rep"' not in files["drizzle/meta/0000_snapshot.json"]


@pytest.mark.postgres
def test_a_view_only_namespace_round_trips(pg_server: PgServer, tmp_path: Path,
                                           node_modules: Path) -> None:
    round_trip(pg_server, _baseline(view_only_namespace()), tmp_path, "views", node_modules)


@pytest.mark.postgres
def test_a_function_an_index_calls_round_trips(pg_server: PgServer, tmp_path: Path,
                                               node_modules: Path) -> None:
    round_trip(pg_server, _baseline(function_in_an_index()), tmp_path, "early", node_modules)


@pytest.mark.postgres
def test_what_a_kept_call_created_is_dropped_before_the_tables(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    round_trip(pg_server, _baseline(call_creating_views()), tmp_path, "calls", node_modules)
    down = (tmp_path / "drizzle" / "drizzle" / "0000_v1_imported_baseline.down.sql").read_text()
    assert down.index("DO $runtime$") < down.index("DROP TABLE thing")


@pytest.mark.postgres
def test_a_shared_owned_sequence_leaves_its_owner_before_the_tables_go(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    round_trip(pg_server, _baseline(shared_owned_sequence()), tmp_path, "seq", node_modules)
    down = (tmp_path / "drizzle" / "drizzle" / "0000_v1_imported_baseline.down.sql").read_text()
    assert (down.index("ALTER SEQUENCE q.queue_id_seq OWNED BY NONE")
            < down.index("DROP TABLE q.queue"))


@pytest.mark.postgres
def test_an_extension_another_one_brought_along_goes_with_it(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    """earthdistance requires cube, which CREATE EXTENSION ... CASCADE installs unlisted (as
    in evergreen): the down file leaves no cube behind (round_trip's leftovers)."""
    b = SchemaBuilder(name="along")
    b.extension("earthdistance")
    t = b.table("place")
    t.column("id", "integer", pk=True)
    round_trip(pg_server, _baseline(b.build()), tmp_path, "along", node_modules)


def do_block_creating_a_function() -> Schema:
    """A kept DO block that creates a function (which version depends on the server, as
    powa's does), naming no table: it is created before the tables, and the function it
    made must go with it on the way down."""
    b = SchemaBuilder(name="early do block")
    t = b.table("thing")
    t.column("id", "integer", pk=True)
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "do", "guc"), kind="do block", name="",
        sql="DO $anon$ BEGIN IF current_setting('server_version_num')::int < 90600 THEN "
            "CREATE FUNCTION public.guc_or(g text, d text) RETURNS text LANGUAGE sql AS "
            "$f$ SELECT d $f$; ELSE CREATE FUNCTION public.guc_or(g text, d text) RETURNS "
            "text LANGUAGE sql AS $f$ SELECT coalesce(current_setting(g, true), d) $f$; "
            "END IF; END $anon$"))
    return b.build()


@pytest.mark.postgres
def test_what_an_early_do_block_created_is_dropped_with_it(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    files = build_drizzle_files(chain(_baseline(do_block_creating_a_function())), slug="d",
                                title="d")
    up = files["drizzle/0000_v1_imported_baseline.sql"]
    assert up.index("DO $anon$") < up.index("CREATE TABLE thing")  # an early object
    round_trip(pg_server, _baseline(do_block_creating_a_function()), tmp_path, "do",
               node_modules)
