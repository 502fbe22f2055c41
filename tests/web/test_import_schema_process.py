"""import_schema as a process of its own (issue 17: database -> first diagram): the garbage
collector is off while it runs and stays off to the exit of manage.py only; called within a
longer process (call_command, as here) it is back on afterwards, also after a refusal."""

from __future__ import annotations

import gc
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from modeler.web.models import Project, Version

pytestmark = pytest.mark.django_db

SQL = "CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL);\n"


def test_the_collector_is_back_on_after_call_command(django_user_model: Any,
                                                      tmp_path: Path) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    f = tmp_path / "s.sql"
    f.write_text(SQL)
    assert gc.isenabled()
    seen: list[bool] = []
    real = Project.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:  # the project lookup, inside the import
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    Project.objects.filter = spy  # type: ignore[method-assign]
    try:
        call_command("import_schema", "--project", "one", "--format", "sql", str(f),
                     stdout=StringIO())
    finally:
        del Project.objects.filter
    assert seen and not any(seen)  # off during the import
    assert gc.isenabled()
    assert Project.objects.filter(slug="one").exists()
    # refused (the project has a design already): exits 1, the collector on again
    with pytest.raises(SystemExit):
        call_command("import_schema", "--project", "one", "--format", "sql", str(f),
                     stdout=StringIO(), stderr=StringIO())
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(django_user_model: Any, tmp_path: Path) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    f = tmp_path / "s.sql"
    f.write_text(SQL)
    gc.disable()
    try:
        call_command("import_schema", "--project", "two", "--format", "sql", str(f),
                     stdout=StringIO())
        assert not gc.isenabled()
    finally:
        gc.enable()


# ------------------------------------------------- the first layout beside the checks (#17)

def test_positions_are_read_by_no_rule() -> None:
    """The findings of a design do not depend on where its tables are drawn: the import
    lints the design while its first layout runs and keeps those findings."""
    from dataclasses import replace

    from modeler import rules
    from modeler.rules.core import Config
    from modeler.schema.model import Position
    from modeler.web.importing import first_layout
    from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec

    schema = import_spec(SQL_SCHEMAS["pagila"]).schema
    placed = first_layout(schema)
    assert all(t.position for t in placed.tables) and not any(t.position for t in schema.tables)
    elsewhere = replace(placed, tables=tuple(
        replace(t, position=Position(-5.0 * i, 1e6)) for i, t in enumerate(placed.tables)))
    for config in (Config(baseline=True), Config()):
        found = rules.lint(schema, config, incremental=False)
        assert found  # pagila has findings
        assert rules.lint(placed, config, incremental=False) == found
        assert rules.lint(elsewhere, config, incremental=False) == found


def test_positions_only() -> None:
    from dataclasses import replace

    from modeler.web.importing import first_layout, positions_only
    from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec

    schema = import_spec(SQL_SCHEMAS["pagila"]).schema
    placed = first_layout(schema)
    assert positions_only(schema, placed) and positions_only(schema, schema)
    t = placed.tables[0]
    renamed = replace(placed, tables=(replace(t, name=t.name + "_x"), *placed.tables[1:]))
    assert not positions_only(schema, renamed)
    assert not positions_only(schema, replace(placed, tables=placed.tables[1:]))
    assert not positions_only(schema, replace(placed, relationships=placed.relationships[1:]))
    # an equal copy is not taken on trust (the findings are made again): identity only
    copied = replace(placed, tables=tuple(replace(t, columns=tuple(t.columns))
                                          for t in placed.tables))
    assert not positions_only(schema, replace(copied, tables=tuple(
        replace(t, columns=tuple(replace(c) for c in t.columns)) for t in copied.tables)))


def _stored(slug: str) -> tuple[Any, Any, Any]:
    """The project's design as its rows hold it, version 1 and its snapshot."""
    from modeler.web import services
    from modeler.web.snapshot import snapshot
    from modeler.web.versions import version_schema

    project = Project.objects.get(slug=slug)
    version = Version.objects.get(project=project, number=1)
    return snapshot(services.main_design(project)), version, version_schema(version)


@pytest.mark.parametrize("kind", ["placed", "none", "changed"])
def test_import_project_with_the_layout_made_meanwhile(django_user_model: Any,
                                                       kind: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """``placed``: the stored design and version are the placed schema (or the imported one
    when there is no layout), and the version's findings are those of what is stored, also
    when the placed schema is not the imported one with positions only. The design is
    checked once, unless the placed schema is more than the imported one with positions."""
    from dataclasses import replace

    from modeler.schema import validate
    from modeler.web import services
    from modeler.web.importing import first_layout, import_project
    from modeler.web.versions import finding_record, version_findings
    from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec

    owner = django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    result = import_spec(SQL_SCHEMAS["pagila"])
    calls: list[int] = []
    checked: list[Any] = []
    check = validate.check

    def counted(schema: Any) -> Any:
        checked.append(schema)
        return check(schema)

    monkeypatch.setattr(validate, "check", counted)

    def placed() -> Any:
        calls.append(1)
        if kind == "none":
            return None
        laid = first_layout(result.schema)
        if kind == "changed":  # a table renamed: its findings name the new table
            t = laid.tables[0]
            laid = replace(laid, tables=(replace(t, name="renamed_here"), *laid.tables[1:]))
        return laid

    version = import_project(result=result, slug=kind, name=None, owner=owner,
                             source="test", placed=placed)
    assert calls == [1]
    tables = [{t.name for t in c.tables} for c in checked if len(c.tables) > 1]
    assert len(tables) == (2 if kind == "changed" else 1), len(tables)
    assert any("renamed_here" in names for names in tables) == (kind == "changed")
    project = Project.objects.get(slug=kind)
    design = services.main_design(project)
    stored, v, frozen = _stored(kind)
    # the same design (the rows read back in their canonical order)
    assert version.pk == v.pk and {t.uid: t for t in frozen.tables} == \
        {t.uid: t for t in stored.tables}
    assert replace(frozen, tables=()) == replace(stored, tables=())
    assert all(t.position for t in stored.tables) == (kind != "none")
    assert any(t.name == "renamed_here" for t in stored.tables) == (kind == "changed")
    fresh = version_findings(stored, project, design, message=v.message, baseline=True)
    assert v.findings == [finding_record(f) for f in fresh]
    assert any("renamed_here" in f["target"] for f in v.findings) == (kind == "changed")


def test_import_project_refuses_an_invalid_placed_design(django_user_model: Any) -> None:
    """A placed schema that is more than positions is checked again: an invalid one (two
    tables of one name) raises before anything is written."""
    from dataclasses import replace

    from modeler.schema.validate import InvalidSchema
    from modeler.web.importing import first_layout, import_project
    from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec

    owner = django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    result = import_spec(SQL_SCHEMAS["pagila"])

    def placed() -> Any:
        laid = first_layout(result.schema)
        a, b, *rest = laid.tables
        return replace(laid, tables=(a, replace(b, name=a.name, namespace=a.namespace), *rest))

    with pytest.raises(InvalidSchema), transaction.atomic():
        import_project(result=result, slug="invalid", name=None, owner=owner, source="test",
                       placed=placed)
    assert not Version.objects.filter(project__slug="invalid").exists()
