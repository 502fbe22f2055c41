"""The CLI: ensure_admin (first account, printed once) and create_project."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from modeler.web.models import Membership, Project

pytestmark = pytest.mark.django_db


def test_ensure_admin_creates_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MODELER_ADMIN_PASSWORD", raising=False)
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    text = out.getvalue()
    assert "username 'admin'" in text
    password = text.split("after signing in): ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    again = StringIO()
    call_command("ensure_admin", stdout=again)
    assert again.getvalue() == ""
    assert get_user_model().objects.count() == 1


def test_create_project_command(user: Any) -> None:
    out = StringIO()
    call_command("create_project", "Shop", "shop", owner="alice", provider="neon",
                 key_policy="uuid", stdout=out)
    project = Project.objects.get(slug="shop")
    assert (project.provider, project.pk_policy) == ("neon", "uuid")
    assert Membership.objects.get(project=project).role == "owner"
    assert "created project shop" in out.getvalue()


def test_create_project_command_errors(user: Any) -> None:
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("create_project", "Shop", "shop", owner="nobody")
    with pytest.raises(CommandError, match="slug"):
        call_command("create_project", "Shop", "Not A Slug", owner="alice")
    call_command("create_project", "Shop", "shop", owner="alice", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_project", "Shop 2", "shop", owner="alice")
    assert Project.objects.count() == 1
