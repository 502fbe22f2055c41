"""A project with one member per role, a saved version 1, and a proposal by the editor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from modeler.review import services
from modeler.review.models import Proposal
from modeler.web import services as web_services
from modeler.web.models import Design, Membership, Project
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.review.helpers import good_schema

HX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    project: Project
    users: dict[str, Any]  # owner, author (editor), editor, reviewer, reviewer2, viewer, outsider

    @property
    def main(self) -> Design:
        return Design.objects.get(project=self.project, kind="main")

    def client(self, who: str | None) -> Client:
        c = Client()
        if who is not None:
            c.force_login(self.users[who])
        return c

    def propose(self, title: str = "Add products", by: str = "author",
                reviewers: tuple[str, ...] = ("reviewer",)) -> Proposal:
        return services.proposal_create(project=self.project, actor=self.users[by],
                                        title=title, description="Sell **things**",
                                        reviewers=[self.users[r] for r in reviewers])


ROLES = {"owner": "owner", "author": "editor", "editor": "editor", "reviewer": "reviewer",
         "reviewer2": "reviewer", "viewer": "viewer"}


@pytest.fixture
def world(django_user_model: Any, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast
    users = {name: django_user_model.objects.create_user(
        username=name, email=f"{name}@example.com", password=f"pw-{name}-123!")
        for name in (*ROLES, "outsider")}
    project = web_services.project_create(name="Shop", slug="shop", owner=users["owner"])
    for name, role in ROLES.items():
        if name != "owner":
            Membership.objects.create(project=project, user=users[name], role=role)
    materialize(good_schema(), web_services.main_design(project))
    version_save(project=project, actor=users["owner"], message="First version of the shop")
    return World(project=project, users=users)
