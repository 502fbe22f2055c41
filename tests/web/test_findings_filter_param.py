"""The findings page's ``?level=`` and ``?rule=``: an unknown value is refused with a 400
naming what exists (``?level=bogus`` listed every finding, as if nothing had been asked),
as the export link's unknown ``?target=`` is."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.snapshot import materialize
from tests.review.helpers import good_schema

pytestmark = pytest.mark.django_db


def test_an_unknown_findings_filter_is_refused(client: Client, user: Any,
                                               other_user: Any) -> None:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(project))
    client.force_login(user)
    url = reverse("findings", args=["shop"])
    bogus = client.get(url, {"level": "bogus"})
    assert bogus.status_code == 400
    assert bogus.content.decode() == ("Unknown finding level 'bogus': choose one of "
                                      "block, justify, advise.")
    rule = client.get(url, {"rule": "XX-99"})
    assert rule.status_code == 400
    assert rule.content.decode() == ("Unknown rule 'XX-99': rules are named like KR-01 "
                                     "(the list: /rules/).")
    for good in ({}, {"level": "advise"}, {"rule": "DC-01"}, {"level": "block", "rule": "KR-01"}):
        assert client.get(url, good).status_code == 200
    client.force_login(other_user)  # not a member: the project is not shown, bad filter or not
    assert client.get(url, {"level": "bogus"}).status_code == 404
