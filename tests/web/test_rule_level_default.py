"""The rule-levels form: picking a rule's own default level keeps no setting (it stored a
"changed" row at the default level, listed under Changed levels), and removes the
project's setting when going back to the default asks what a reset asks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Activity, Membership, RuleSetting

pytestmark = pytest.mark.django_db
REASON = "back to how the rule ships"


def _levels(project: Any) -> dict[str, str]:
    return dict(RuleSetting.objects.filter(project=project).values_list("rule", "level"))


def test_a_rule_set_to_its_default_level_keeps_no_setting(client: Client, user: Any,
                                                          other_user: Any) -> None:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    url = reverse("rule_settings", args=["shop"])
    client.force_login(user)
    # DC-01 is block by default: picking block stores nothing, nothing is recorded
    done = client.post(url, {"rule": "DC-01", "level": "block"}, follow=True)
    assert done.status_code == 200 and _levels(project) == {}
    page = done.content.decode()
    assert "DC-01 is at its default level (block) now." in page
    assert "All rules at their default level." in page
    assert not Activity.objects.filter(action="rules.level").exists()
    # lowered, then picked at its default again (with the reason a reset needs): removed
    assert client.post(url, {"rule": "DC-01", "level": "advise",
                             "reason": "prototype phase only"}).status_code == 302
    assert client.post(url, {"rule": "NF-08", "level": "block"}).status_code == 302
    assert _levels(project) == {"DC-01": "advise", "NF-08": "block"}
    assert client.post(url, {"rule": "DC-01", "level": "block",
                             "reason": REASON}).status_code == 302
    assert _levels(project) == {"NF-08": "block"}
    # NF-08 (advise by default) raised, then lowered back to advise: a reset, its rules
    refused = client.post(url, {"rule": "NF-08", "level": "advise"})
    assert refused.status_code == 422 and _levels(project) == {"NF-08": "block"}
    assert client.post(url, {"rule": "NF-08", "level": "advise",
                             "reason": REASON}).status_code == 302
    assert _levels(project) == {}
    summaries = list(Activity.objects.filter(action="rules.level").order_by("id")
                     .values_list("summary", flat=True))
    assert summaries[-2:] == [f"reset rule DC-01 from advise to block (default): {REASON}",
                              f"reset rule NF-08 from block to advise (default): {REASON}"]
    # an editor may raise a lowered rule back to its default (not reset it): the raise
    # keeps no setting either, and is recorded as the raise it is
    Membership.objects.create(project=project, user=other_user, role="editor")
    assert client.post(url, {"rule": "DC-01", "level": "advise",
                             "reason": "prototype phase only"}).status_code == 302
    client.force_login(other_user)
    assert client.post(url, {"rule": "DC-01", "level": "block"}).status_code == 302
    assert _levels(project) == {}
    assert Activity.objects.filter(action="rules.level").order_by("id").last().summary \
        == "raised rule DC-01 from advise to block"
    assert "All rules at their default level." in client.get(url).content.decode()
