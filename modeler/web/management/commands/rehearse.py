"""python manage.py rehearse SLUG [--version N | --proposal N] [--rows-scale X]
[--format text|json] [--markdown FILE] [--store [--as USER]]: exit 1 when a check fails (for
CI). ``--store`` keeps the report like a rehearsal started from the web (the review page,
the version's bundle and the rules then use it)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from modeler.web.management.commands._lookup import project_arg
from modeler.web.management.commands._output import writable, write_out


class Command(BaseCommand):
    help = ("Rehearse a version (or a proposal) on a scratch database: migrations on sample "
            "data with their locks, down and up again, query plans. Exit 1 on a failed check.")
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_base_argument(self, parser: Any, *args: Any, **kwargs: Any) -> None:
        # --version selects the design version here, not Django's version banner.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--version", type=int, default=None, dest="number",
                            help="the saved version to rehearse (default: the latest)")
        target.add_argument("--proposal", type=int, default=None,
                            help="an open proposal, rehearsed as the next version")
        parser.add_argument("--rows-scale", type=float, default=1.0,
                            help="sample rows = expected rows (default 1,000) x this")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--markdown", default=None, help="also write REHEARSAL.md here")
        parser.add_argument("--server", default=None,
                            help="PostgreSQL URL of the rehearsal server (default: the "
                                 "MODELER_REHEARSAL_URL setting, else a local cluster)")
        parser.add_argument("--store", action="store_true",
                            help="store the report (as the web page does)")
        parser.add_argument("--as", dest="as_user", default=None,
                            help="with --store: the user recorded as having run it")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler.rehearsal import Options, rehearse, report_dict, report_markdown, report_text
        from modeler.web.views.rehearsal import proposal_target, version_target

        if opts["markdown"]:
            writable(opts["markdown"], "--markdown")
        project = project_arg(opts["slug"])
        if opts["rows_scale"] <= 0:
            raise CommandError("--rows-scale must be above 0")
        try:
            if opts["proposal"] is not None:
                _, inputs = proposal_target(project, opts["proposal"])
            else:
                _, inputs = version_target(project, opts["number"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        server = opts["server"] or getattr(settings, "MODELER_REHEARSAL_URL", "") or None
        progress = (lambda msg: self.stderr.write(msg)) if opts["verbosity"] > 1 else None
        if opts["store"]:
            report = self._store(project, opts, server, progress)
        else:
            report = rehearse(inputs, Options(server_url=server, scale=opts["rows_scale"],
                                              slug=project.slug), progress)
        if opts["markdown"]:
            write_out(opts["markdown"], report_markdown(report), "--markdown")
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report_dict(report), indent=2, default=str))
        else:
            self.stdout.write(report_text(report), ending="")
        if not report.ok:
            sys.exit(1)

    def _store(self, project: Any, opts: dict[str, Any], server: str | None,
               progress: Any) -> Any:
        from django.contrib.auth import get_user_model

        from modeler.web.rehearsals import rehearse_and_store

        user = None
        if opts["as_user"]:
            user = get_user_model().objects.filter(username=opts["as_user"]).first()
            if user is None:
                raise CommandError(f"no user {opts['as_user']!r}")
        kept: list[Any] = []
        try:
            run = rehearse_and_store(project=project, version=opts["number"],
                                     proposal=opts["proposal"], rows_scale=opts["rows_scale"],
                                     user=user, server_url=server, progress=progress,
                                     on_report=kept.append)
        except (LookupError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if not kept:
            raise CommandError(f"the rehearsal could not run: {run.error}")
        self.stderr.write(f"stored as rehearsal {run.pk} ({run.status})")
        return kept[0]
