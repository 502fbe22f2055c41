"""The export link's ``?target=``: an unknown one is refused and says which exist (it fell
back to the default target silently: a typo downloaded a bundle of another stack)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Project
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.review.helpers import good_schema

pytestmark = pytest.mark.django_db


def test_an_unknown_export_target_is_refused(client: Client, user: Any) -> None:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(project))
    version_save(project=Project.objects.get(slug="shop"), actor=user,
                 message="First version of the shop")
    client.force_login(user)
    url = reverse("version_export", args=["shop", 1])
    bad = client.get(url, {"target": "drizzel"})
    assert bad.status_code == 400
    assert bad.content.decode() == ("Unknown export target 'drizzel': choose one of "
                                    "sqlalchemy, drizzle, both.")
    # "" is the default target: a form whose "default" choice is empty sends it
    for target in ("drizzle", "sqlalchemy", None, ""):
        good = client.get(url, {"target": target} if target is not None else {})
        assert good.status_code == 200 and good["Content-Type"] == "application/zip"
        assert ("-drizzle.zip" in good["Content-Disposition"]) == (target == "drizzle")
