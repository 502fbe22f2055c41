"""End to end: export each design, then prove the bundle on a real PostgreSQL.

For every design in :mod:`tests.codegen.designs`:

1. ``alembic upgrade head`` (the CLI, in the bundle directory) on database A;
2. ``alembic check`` finds nothing;
3. ``pg_dump -s`` of A equals ``pg_dump -s`` of database B built by the bundle's own
   ``Base.metadata.create_all()``. No object is excluded: the generated models attach the
   objects SQLAlchemy's metadata cannot express (extensions, named types, sequences, the
   ``updated_at`` trigger, comments on non-table objects) as DDL events, so ``create_all``
   builds them the same way. Raw SQL objects of imports (views...) are not part of the
   models: they are applied to B from the design before dumping;
4. ``alembic downgrade base`` leaves only ``alembic_version`` (no relation, type, domain,
   sequence, function or schema of ours);
5. ``alembic upgrade head`` again gives the same dump as step 3 (rule MG-04);
6. the bundle's own ``tests/test_migrations.py`` passes on a fresh database C.

``mypy --strict`` over every bundle's ``models.py`` and ``db.py`` runs once, in
``test_generated_code_types.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from modeler.codegen.bundle import build_bundle, package_name
from tests.codegen import helpers as h
from tests.codegen.designs import DESIGNS
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def _create_all(bundle: Path, pkg: str, url: str, raw_sql: list[str]) -> None:
    with h.imported(bundle, f"{pkg}.models") as models:
        orm.configure_mappers()
        engine = sa.create_engine(h.sa_url(url), poolclass=sa.pool.NullPool)
        try:
            models.Base.metadata.create_all(engine)
            with engine.begin() as conn:
                for sql in raw_sql:
                    conn.exec_driver_sql(sql.replace("%", "%%"))
        finally:
            engine.dispose()


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_bundle_round_trip(slug: str, tmp_path: Path, pg_server: PgServer) -> None:
    versions = DESIGNS[slug]()
    pkg = package_name(slug)
    bundle = h.write_bundle(build_bundle(versions, slug=slug, diagram_svg="<svg/>"),
                            tmp_path / "bundle")
    migrated, reference, scratch = (pg_server.create_database() for _ in range(3))
    try:
        h.alembic(bundle, migrated, "upgrade", "head")
        h.alembic(bundle, migrated, "check")
        first = h.schema_dump(pg_server, migrated)

        raw = [r.sql for r in versions[-1].schema.raw_objects]
        _create_all(bundle, pkg, reference, raw)
        expected = h.schema_dump(pg_server, reference)
        assert first == expected, h.dump_diff(expected, first, ("create_all", "migrations"))

        h.alembic(bundle, migrated, "downgrade", "base")
        assert h.leftovers(migrated) == []
        h.alembic(bundle, migrated, "upgrade", "head")
        again = h.schema_dump(pg_server, migrated)
        assert again == first, h.dump_diff(first, again, ("first upgrade", "second upgrade"))

        proc = h.run([str(h.VENV_BIN / "python"), "-m", "pytest", "-q", "-rs", "-p", "no:django",
                      "-p", "no:cacheprovider"], bundle, {"DATABASE_URL": scratch})
        assert " passed" in proc.stdout, proc.stdout[-3000:]
    finally:
        for url in (migrated, reference, scratch):
            pg_server.drop_database(url)
