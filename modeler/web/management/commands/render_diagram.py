"""python manage.py render_diagram <project-slug> --format svg|png|pdf|dot --out FILE
[--focus TABLE --depth N --detail all|keys|names --direction LR|TB]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from modeler.web.management.commands._lookup import project_arg

# what a command needs is imported in handle(): `--help` and a wrong argument answer at once
FORMATS = ("dot", "pdf", "png", "svg")  # modeler.web.diagrams.FORMATS (a test compares them)


class Command(BaseCommand):
    help = "Render a project's ER diagram to a file."
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=FORMATS, default="svg")
        parser.add_argument("--out", required=True)
        parser.add_argument("--focus", help="table name (schema.table for non-public)")
        parser.add_argument("--depth", type=int, default=1)
        parser.add_argument("--detail", choices=("all", "keys", "names"), default="all")
        parser.add_argument("--direction", choices=("LR", "TB"), default="LR")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler.diagram.options import ViewOptions
        from modeler.web import services
        from modeler.web.rendercache import command_render
        from modeler.web.snapshot import snapshot

        project = project_arg(opts["slug"])
        schema = snapshot(services.main_design(project))
        if not schema.tables:
            raise CommandError("the design has no tables to draw")
        focus = None
        if opts["focus"]:
            ns, _, name = opts["focus"].rpartition(".")
            table = schema.table_named(name, ns or "public")
            if table is None:
                raise CommandError(f"no table {opts['focus']!r}")
            focus = table.uid
        if opts["depth"] < 0:
            raise CommandError("--depth must be 0 or more")
        options = ViewOptions(detail=opts["detail"], direction=opts["direction"], focus=focus,
                              depth=opts["depth"])
        body = command_render(schema, options, opts["format"])
        Path(opts["out"]).write_bytes(body)
        self.stdout.write(f"wrote {opts['out']} ({len(body)} bytes)")
