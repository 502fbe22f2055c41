"""Import an existing schema as a project's first version (an imported baseline).

    python manage.py import_schema --project SLUG [--owner USERNAME] --format sql|dbml FILE...
    python manage.py import_schema --project SLUG [--owner USERNAME] --url URL [--schema NAME...]

Files are loaded in the order given. Creates the project when it does not exist (owner:
--owner, default the first superuser). Prints counts and warnings; exits 1 with nothing
created on failure. The URL is used once to read the catalog and is never stored.

``--url`` is for the administrator on the server: it is not limited to
``MODELER_LIVE_IMPORT_HOSTS`` and libpq reads it as usual (local sockets, ``PG*`` variables,
``~/.pgpass``); it keeps the web's timeouts (``MODELER_LIVE_IMPORT_CONNECT_TIMEOUT``,
``MODELER_LIVE_IMPORT_TIMEOUT``...).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

if TYPE_CHECKING:
    from modeler.importers import ImportResult


class Command(BaseCommand):
    help = "Import SQL DDL, DBML or a live PostgreSQL database as a new project's baseline."
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*")
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--name", help="project name (new projects)")
        parser.add_argument("--owner", help="username (default: the first superuser)")
        parser.add_argument("--format", choices=("sql", "dbml"))
        parser.add_argument("--url", help="postgresql:// URL of a live database (read only; "
                            "not limited to MODELER_LIVE_IMPORT_HOSTS)")
        parser.add_argument("--schema", action="append", dest="schemas",
                            help="schema to read from the live database (repeatable)")
        parser.add_argument("--diagram", metavar="FILE",
                            help="also write the ER diagram, as render_diagram draws it by "
                            "default (.svg, .png, .pdf or .dot by the name; else SVG)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler.web.importing import ImportRefused, first_layout, import_project

        owner = self._owner(opts["owner"])
        result, source = self._read(opts)
        for w in result.warnings:
            self.stdout.write(f"warning: {w}")
        try:  # stored with the design, as the web's import does: render_diagram only draws
            result = replace(result, schema=first_layout(result.schema))
        except Exception as exc:  # the editor lays it out on its first view
            self.stdout.write(f"warning: first layout failed ({exc}); the editor will lay "
                              "the diagram out")
        counts = ", ".join(f"{v} {k}" for k, v in sorted(result.counts.items()))
        try:
            version = import_project(result=result, slug=opts["project"], name=opts["name"],
                                     owner=owner, source=source)
        except ImportRefused as exc:
            self.stderr.write(f"import refused: {exc}")
            sys.exit(1)
        self.stdout.write(f"imported {counts} into project {opts['project']} as version "
                          f"{version.number} (imported baseline; "
                          f"{len(result.warnings)} warning(s))")
        if opts["diagram"]:
            self._diagram(version.project, Path(opts["diagram"]))

    def _diagram(self, project: Any, out: Path) -> None:
        """render_diagram's default drawing of the new design, in this process (no second
        start-up, the layout just stored; the render is kept for render_diagram too)."""
        from modeler.diagram import RenderError, ViewOptions
        from modeler.web import services
        from modeler.web.management.commands.render_diagram import FORMATS
        from modeler.web.rendercache import command_render
        from modeler.web.snapshot import snapshot

        schema = snapshot(services.main_design(project))
        if not schema.tables:
            self.stdout.write("no diagram: the design has no tables to draw")
            return
        fmt = out.suffix.lower().lstrip(".")
        try:
            body = command_render(schema, ViewOptions(), fmt if fmt in FORMATS else "svg")
        except RenderError as exc:
            raise CommandError(f"imported, but the diagram failed: {exc}") from exc
        out.write_bytes(body)
        self.stdout.write(f"wrote {out} ({len(body)} bytes)")

    def _owner(self, username: str | None) -> Any:
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"no user named {username!r}")
            return user
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError("no superuser to own the project: pass --owner")
        return user

    def _read(self, opts: dict[str, Any]) -> tuple[ImportResult, str]:
        from modeler.importers.result import SchemaImportError

        try:
            if opts["url"]:
                if opts["files"] or opts["format"]:
                    raise CommandError("give either --url or --format with files, not both")
                from modeler.importers.live import import_live
                from modeler.web.importing import live_timeouts

                return (import_live(opts["url"], schemas=opts["schemas"] or None,
                                    timeouts=live_timeouts()), "a live database")
            if not opts["files"] or not opts["format"]:
                raise CommandError("give --format sql|dbml and at least one file, or --url")
            files = []
            for name in opts["files"]:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"{name}: no such file")
                if path.stat().st_size > settings.MODELER_MAX_UPLOAD_BYTES:
                    raise CommandError(f"{name}: larger than the "
                                       f"{settings.MODELER_MAX_UPLOAD_BYTES} byte limit")
                files.append((path.name, path.read_text(encoding="utf-8", errors="replace")))
            source = f"{opts['format']}: " + ", ".join(n for n, _ in files)
            if opts["format"] == "sql":
                from modeler.importers.sql import import_sql

                return import_sql(files), source[:300]
            from modeler.importers.dbml import import_dbml

            return import_dbml(files), source[:300]
        except SchemaImportError as exc:
            self.stderr.write(f"import failed: {exc}")
            if exc.statement:
                self.stderr.write(f"statement: {exc.statement[:500]}")
            sys.exit(1)
