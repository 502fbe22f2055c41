"""The bundle's package is never named like a standard library module: a design called
"concurrent" (or "email", "logging"...) gave a package of that name, which the standard
library's (imported already, or imported later by SQLAlchemy and Alembic) shadows or is
shadowed by: ``alembic upgrade`` failed (No module named 'concurrent.db'). Found while
writing a test of bench/stranger_schemas.py's fixes, whose slug was "concurrent"."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from modeler.codegen.pynames import package_name
from modeler.importers import import_sql
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer


def test_no_package_is_named_like_a_standard_module() -> None:
    clashes = [n for n in sorted(sys.stdlib_module_names) if package_name(n) == n]
    assert clashes == []
    assert package_name("my-shop") == "my_shop"


@pytest.mark.postgres
@pytest.mark.parametrize("slug", ["concurrent", "email"])
def test_a_bundle_named_like_a_standard_module_upgrades(slug: str, pg_server: PgServer,
                                                         tmp_path: Path) -> None:
    schema = import_sql([("s.sql", "CREATE TABLE note (id int PRIMARY KEY, body text);")]).schema
    bundle = rt.export_bundle(schema, tmp_path / slug, slug)
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
