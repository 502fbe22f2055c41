"""The rule helpers an edit calls read only what they use: the baseline's finding keys come
without the version's schema JSON (1 MB on a large design, read and decoded on every edit
and findings panel before)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modeler.web import models as db
from modeler.web import ruling, services

pytestmark = pytest.mark.django_db


def _version(project: Any, user: Any, number: int, *, baseline: bool,
             findings: list[dict[str, str]]) -> None:
    db.Version.objects.create(project=project, number=number, message=f"v{number}",
                              author=user, schema_json='{"big": "' + "x" * 5000 + '"}',
                              baseline=baseline, findings=findings)


def test_baseline_keys_read_the_first_baselines_findings_only(user: Any) -> None:
    project = services.project_create(name="b", slug="b", owner=user)
    assert ruling.baseline_keys(project) == set()
    _version(project, user, 1, baseline=False, findings=[{"rule": "KR-01", "key": "t0"}])
    assert ruling.baseline_keys(project.pk) == set()
    _version(project, user, 2, baseline=True,
             findings=[{"rule": "KR-01", "key": "t1"}, {"rule": "NM-01", "key": "t2"},
                       {"rule": "DC-02"}])
    _version(project, user, 3, baseline=True, findings=[{"rule": "KR-01", "key": "t3"}])
    with CaptureQueriesContext(connection) as queries:
        keys = ruling.baseline_keys(project)
    assert keys == {("KR-01", "t1"), ("NM-01", "t2")}
    assert len(queries) == 1
    assert "schema_json" not in queries[0]["sql"] and "x" * 100 not in str(queries[0])
