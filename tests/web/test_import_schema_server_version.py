"""import_schema --url sets a new project's PostgreSQL version from the server's
(server_version_num), so that rule CN-08 judges the design against the real server."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command

from modeler.importers.sql import import_sql
from modeler.rules.runner import lint
from modeler.web import services
from modeler.web.importing import server_pg_version
from modeler.web.models import Project
from modeler.web.snapshot import snapshot

# one function PostgreSQL added in each version (modeler/rules/data/pg_functions.json)
ADDED_IN = {15: "regexp_count('abc', 'b') >= 0", 16: "random_normal() IS NOT NULL",
            17: "to_bin(1) <> ''", 18: "casefold('a') = 'a'"}


def test_server_pg_version_is_the_major_version_within_what_a_project_knows() -> None:
    assert server_pg_version(150020) == 15
    assert server_pg_version(160004) == 16
    assert server_pg_version(120000) == 12
    assert server_pg_version(110022) == 12  # older than any project version: the oldest
    assert server_pg_version(190000) == 18  # newer: the newest a project knows


@pytest.mark.django_db
@pytest.mark.postgres
def test_a_live_import_targets_the_server_version(django_user_model: Any, pg_url: str,
                                                  tmp_path: Path) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        server = conn.info.server_version
        major = server // 10000
        check = ADDED_IN.get(major)
        ddl = "CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL"
        ddl += f", CONSTRAINT recent CHECK ({check}))" if check else ")"
        conn.execute(ddl.encode())
    out = StringIO()
    call_command("import_schema", "--project", "srv", "--url", pg_url, "--schema", "public",
                 stdout=out)
    project = Project.objects.get(slug="srv")
    assert project.pg_version == server_pg_version(server)
    assert f"targets PostgreSQL {project.pg_version} (the server is {major})" in out.getvalue()
    schema = snapshot(services.main_design(project))
    assert schema.settings.pg_version == project.pg_version
    assert lint(schema, rules=["CN-08"]) == ()  # what the server has is judged present
    if check and major > 12:  # a version earlier than the server's lacks the function
        older = replace(schema, settings=replace(schema.settings, pg_version=major - 1))
        assert [f.rule for f in lint(older, rules=["CN-08"])] == ["CN-08"]


@pytest.mark.django_db
def test_a_file_import_keeps_the_default_version(django_user_model: Any) -> None:
    owner = django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    result = import_sql([("a.sql", "CREATE TABLE a (id int PRIMARY KEY);")])
    assert result.server_version is None
    from modeler.web.importing import import_project

    import_project(result=result, slug="file", name=None, owner=owner, source="sql")
    assert Project.objects.get(slug="file").pg_version == Project._meta.get_field(
        "pg_version").get_default()
