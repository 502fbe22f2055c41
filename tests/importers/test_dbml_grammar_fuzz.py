"""DBML text drawn from a small grammar (tests/importers/dbml_strategies.py: the awkward
names, notes, defaults, references, indexes and elements strangers write) through the whole
path. Whatever the file says, the import either refuses it with a line and a reason or gives
a design that: the store accepts (validate.problems is empty), the rules can judge, the DBML
export reads back as the same design, text mode shows without a change, and exports as a
bundle whose Python compiles; on PostgreSQL a few of them upgrade, downgrade and upgrade
again."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from modeler.codegen.bundle import build_bundle
from modeler.codegen.dbml import to_dbml
from modeler.codegen.versions import VersionInput
from modeler.diff import diff
from modeler.importers import ImportResult, SchemaImportError, import_dbml
from modeler.importers.align import adopt_uids
from modeler.rules.runner import lint
from modeler.schema import validate
from modeler.web import textmode
from tests.codegen import helpers as h
from tests.importers.dbml_strategies import dbml_documents
from tests.pgtemp import PgServer


def _imported(text: str) -> ImportResult | None:
    """The import, or None when it is refused for a reason the file gives (two long names
    that PostgreSQL's 63 bytes make one)."""
    try:
        result = import_dbml([("drawn.dbml", text)])
    except SchemaImportError as exc:
        assert exc.line is not None and "are the same name" in exc.message, (str(exc), text)
        return None
    assert [w.message for w in result.warnings if w.kind == "error"] == [], text
    return result


def _version(result: ImportResult) -> VersionInput:
    return VersionInput(number=1, message="Imported baseline", author="drawn",
                        created="2026-01-01", schema=result.schema, baseline=True)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(dbml_documents())
def test_drawn_dbml_imports_into_a_design_every_step_takes(text: str) -> None:
    result = _imported(text)
    if result is None:
        return
    s = result.schema
    assert validate.problems(s) == [], text
    lint(s)
    written = to_dbml(s)
    back = adopt_uids(s, import_dbml([("back.dbml", written)]).schema)
    assert [op.describe() for op in diff(s, back)] == [], (text, written)
    assert back == s, (text, written)
    shown = textmode.preview(s, textmode.design_text(s))
    assert shown.error is None and shown.ops == (), (text, shown.error)
    for path, data in build_bundle([_version(result)], slug="drawn").items():
        if path.endswith(".py"):
            compile(data.decode(), path, "exec")


@pytest.mark.postgres
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck),
          phases=(Phase.explicit, Phase.reuse, Phase.generate))  # a failure prints its file;
# shrinking it through alembic runs would take minutes
@given(text=dbml_documents(max_tables=3))
def test_drawn_dbml_exports_upgrade_and_downgrade(text: str, pg_server: PgServer,
                                                  tmp_path_factory: pytest.TempPathFactory
                                                  ) -> None:
    result = _imported(text)
    if result is None:
        return
    root: Path = tmp_path_factory.mktemp("drawn")
    bundle = h.write_bundle(build_bundle([_version(result)], slug="drawn"), root)
    url = pg_server.create_database()
    try:
        for step in (("upgrade", "head"), ("downgrade", "base"), ("upgrade", "head")):
            h.alembic(bundle, url, *step)
    finally:
        pg_server.drop_database(url)
