"""python manage.py save_version <project-slug> -m MESSAGE [--notes NOTES] [--as USERNAME]

Prints the new version number; exits 1 listing why when the version gate refuses.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from modeler.web.management.commands._lookup import project_arg


class Command(BaseCommand):
    help = "Freeze the working design as the next version (when the version gate passes)."
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("-m", "--message", required=True)
        parser.add_argument("--notes", default="",
                            help="rollout/rollback notes (backup, pre-checks, how to roll "
                                 "back): needed when the version drops or rewrites data")
        parser.add_argument("--as", dest="username", default=None,
                            help="author (default: the project owner)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler.web.editing import Refused
        from modeler.web.versions import NothingToSave, version_save

        project = project_arg(opts["slug"])
        author = project.owner
        if opts["username"]:
            try:
                author = get_user_model().objects.get(username=opts["username"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {opts['username']!r}") from exc
        try:
            version = version_save(project=project, actor=author, message=opts["message"],
                                   notes=opts["notes"], changed_only=True)
        except NothingToSave as exc:
            self.stderr.write(exc.reasons[0])
            raise SystemExit(1) from exc
        except Refused as exc:
            self.stderr.write("The version gate refused the version:")
            for reason in exc.reasons:
                self.stderr.write(f"  {reason}")
            raise SystemExit(1) from exc
        self.stdout.write(str(version.number))
