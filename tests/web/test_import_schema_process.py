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

from modeler.web.models import Project

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
