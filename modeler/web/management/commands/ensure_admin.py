"""Create the first account on first start and print its credentials once.

With no user in the database, creates the superuser ``admin`` (or ``--username``) with a
random password, printed once; with ``MODELER_ADMIN_PASSWORD`` set, uses that instead and
prints nothing secret. Does nothing when any user exists.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create the first (super)user when the database has none; print its password once."
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("MODELER_ADMIN_USER", "admin"))
        parser.add_argument("--email", default=os.environ.get("MODELER_ADMIN_EMAIL", ""))

    def handle(self, *args: Any, **opts: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.exists():
            return
        given = os.environ.get("MODELER_ADMIN_PASSWORD")
        password = given or secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=opts["username"], email=opts["email"],
                                            password=password)
        bar = "=" * 64
        self.stdout.write(bar)
        self.stdout.write(f"First account created: username {opts['username']!r}")
        if given:
            self.stdout.write("Password: the one in MODELER_ADMIN_PASSWORD.")
        else:
            self.stdout.write(f"Password (shown once, change it after signing in): {password}")
        self.stdout.write(bar)
