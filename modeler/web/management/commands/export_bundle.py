"""python manage.py export_bundle <project-slug> [--version N] [--target sqlalchemy|drizzle|both]
--out FILE.zip"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandParser

from modeler.web.management.commands._lookup import project_arg, version_arg
from modeler.web.management.commands._output import writable, write_out

if TYPE_CHECKING:
    from modeler.schema.model import Schema
    from modeler.web.models import Version

# what a command needs is imported in handle(): `--help` and a wrong argument answer at once
TARGETS = ("sqlalchemy", "drizzle", "both")  # modeler.codegen.bundle.TARGETS (a test compares)


class Command(BaseCommand):
    help = ("Write the export bundle (models, migrations, DDL, DESIGN.md, diagram; or the "
            "Drizzle project) as a zip.")
    # a product command: Django's system checks (which load every view) are for
    # `manage.py check` and `migrate`, not for every run
    requires_system_checks: list[str] = []

    def add_base_argument(self, parser: Any, *args: Any, **kwargs: Any) -> None:
        # --version selects the design version here, not Django's version banner.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--version", type=int, default=None, dest="number")
        parser.add_argument("--out", required=True)
        parser.add_argument("--target", choices=TARGETS, default=None,
                            help="sqlalchemy (models + Alembic), drizzle (a Drizzle ORM "
                                 "TypeScript project) or both; default: the "
                                 "MODELER_EXPORT_TARGET setting")

    def handle(self, *args: Any, **opts: Any) -> None:
        from modeler.web import exporting

        out = writable(opts["out"])
        version = _version(opts["slug"], opts["number"])
        # the diagram is drawn on a thread of its own (or read back from an earlier export
        # of the version) and schema.sql in a child process while the rest is built. The
        # collector is off meanwhile: a short-lived process whose objects stay alive to the
        # end (its young collections cost about 30 ms on musicbrainz and found nothing)
        gc.disable()
        try:
            name, body = exporting.bundle(version.project, version.number,
                                          diagram_svg=static_svg, target=opts["target"],
                                          fork=True, keep_drawing=True, version=version)
        finally:
            gc.enable()
        write_out(out, body)
        self.stdout.write(f"wrote {opts['out']} ({name}, {len(body)} bytes)")


def static_svg(schema: Schema) -> str:
    """:func:`modeler.web.diagrams.static_svg`, imported when a drawing is made (on the
    drawing's thread): an export whose drawing is read back does not import it. Its renders
    go through the commands' store (:class:`~modeler.web.rendercache.CommandCache`), as
    ``render_diagram``'s do: the bundle's drawing is that command's default view, byte for
    byte, so a design drawn by ``render_diagram`` before is read back rather than drawn
    again (issue #17)."""
    from modeler.web.diagrams import static_svg as draw
    from modeler.web.rendercache import CommandCache

    return draw(schema, cache=CommandCache())


def _version(slug: str, number: int | None) -> Version:
    """:func:`version_arg`'s version, read without its rule report (the export hands its
    stored JSON on undecoded: :func:`modeler.web.exporting.findings_json`); a missing one
    raises :func:`version_arg`'s error."""
    from modeler.web.selectors import versions_of

    project = project_arg(slug)
    found = versions_of(project).defer("findings")
    version = found.filter(number=number).first() if number else found.first()
    if version is None:
        return version_arg(slug, number)  # its message (or the version, saved meanwhile)
    version.project = project
    return version
