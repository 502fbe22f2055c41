"""Round trips of a database the importer tests build from a script: loaded, imported (from
the script or live), exported and upgraded into an empty database, whose catalog is then
compared with the original's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import psycopg

from modeler.codegen.version_table import version_table_name
from modeler.importers import ImportResult, import_live, import_sql
from modeler.schema.model import Schema
from tests.catalog import compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer


def load(url: str, script: str) -> None:
    """Run ``script`` on the database at ``url``."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(script.encode())


def import_loaded(url: str, script: str) -> ImportResult:
    """``script`` run on the database at ``url``, then the database imported live."""
    load(url, script)
    return import_live(url)


def kept(schema: Schema) -> list[tuple[str, str]]:
    """The objects ``schema`` keeps as SQL, as (kind, name), sorted."""
    return sorted((o.kind, o.name) for o in schema.raw_objects)


@contextlib.contextmanager
def rebuilt(server: PgServer, schema: Schema, root: Path, slug: str,
            like: str | None = None) -> Iterator[str]:
    """A new database built by ``alembic upgrade`` of ``schema``'s export (written under
    ``root``); yields its URL. ``like``: the URL of a database whose catalog the new one's
    must be (Alembic's version table aside)."""
    bundle = rt.export_bundle(schema, root, slug)
    with rt.database(server) as target:
        rt.alembic_upgrade(bundle, target)
        if like is not None:
            actual = rt.without_version_table(read_catalog(target), version_table_name([schema]))
            report = compare(read_catalog(like), actual)
            assert report.ok, report.text()
        yield target


def assert_round_trips(server: PgServer, script: str, workdir: Path, slug: str, *,
                       live: bool = False) -> None:
    """``script`` run on a new database; its design (imported from ``script``, or from the
    database with ``live``), exported and upgraded into an empty one, gives the same
    catalog."""
    with rt.database(server) as original:
        load(original, script)
        expected = read_catalog(original)
        schema = (import_live(original) if live else import_sql([("s.sql", script)])).schema
    actual = rt.migrated_catalog(server, schema, workdir, slug)
    report = compare(expected, actual)
    assert report.ok, report.text()
