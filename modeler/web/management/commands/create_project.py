"""python manage.py create_project NAME SLUG --owner USERNAME [--provider] [--key-policy]"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from modeler.schema.model import PK_POLICIES, PROVIDERS
from modeler.web import services


class Command(BaseCommand):
    help = "Create a design project owned by an existing user."
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("slug")
        parser.add_argument("--owner", required=True, help="username of the owner")
        parser.add_argument("--provider", choices=PROVIDERS, default="generic")
        parser.add_argument("--key-policy", choices=PK_POLICIES, default="identity")
        parser.add_argument("--pg-version", type=int, default=16)
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            owner = get_user_model().objects.get(username=opts["owner"])
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no user named {opts['owner']!r}") from exc
        try:
            project = services.project_create(
                name=opts["name"], slug=opts["slug"], owner=owner,
                description=opts["description"], provider=opts["provider"],
                pk_policy=opts["key_policy"], pg_version=opts["pg_version"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in
                                         exc.message_dict.items())) from exc
        self.stdout.write(f"created project {project.slug} (owner {owner.get_username()})")
