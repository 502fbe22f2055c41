"""python manage.py render_diagram <project-slug> --format svg|png|pdf|dot --out FILE
[--focus TABLE --depth N --detail all|keys|names --direction LR|TB]

A render is kept (:class:`modeler.web.rendercache.CommandCache`) under the design's revision
stamp and the view asked for (:func:`stored_key`): a second render of an unchanged design,
or the first one after ``import_schema`` (which stores its default drawing), reads the
bytes back after two queries, without reading the design or importing the drawing code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from modeler.web import readback
from modeler.web.management.commands._lookup import project_arg
from modeler.web.management.commands._output import writable, write_out

if TYPE_CHECKING:
    from modeler.web.models import Project

# what a command needs is imported in handle(): `--help` and a wrong argument answer at once
FORMATS = readback.FORMATS  # modeler.web.diagrams.FORMATS (a test compares them)
STORED_PREFIX = readback.STORED_PREFIX
DEFAULT_VIEW = {"detail": "all", "direction": "LR", "focus": None, "depth": 1}


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
        if opts["depth"] < 0:
            raise CommandError("--depth must be 0 or more")
        out = writable(opts["out"])
        project = project_arg(opts["slug"])
        body = drawing(project, opts["format"], detail=opts["detail"],
                       direction=opts["direction"], focus=opts["focus"], depth=opts["depth"])
        write_out(out, body)
        self.stdout.write(f"wrote {opts['out']} ({len(body)} bytes)")


def drawing(project: Project, fmt: str = "svg", *, detail: str = "all", direction: str = "LR",
            focus: str | None = None, depth: int = 1) -> bytes:
    """The project's main design drawn as ``render_diagram`` draws it (``focus``: a table
    name, ``schema.table`` outside ``public``): read back from the store when this design
    revision was drawn so before, else drawn (:func:`modeler.web.rendercache.command_render`)
    and stored. CommandError when there is nothing (or no such table) to draw."""
    from modeler.web.rendercache import CommandCache

    view = {"detail": detail, "direction": direction, "focus": focus, "depth": depth}
    store = CommandCache()
    stamp = design_stamp(project)
    key = stored_key(stamp, view, fmt)
    hit = store.get(key)
    if hit is not None:
        return hit
    body = _draw(stamp[0], view, fmt)
    if design_stamp(project) == stamp:  # no write since the stamp: the drawing is of it
        store.set(key, body)
    return body


def _draw(design_id: int, view: dict[str, Any], fmt: str) -> bytes:
    from modeler.diagram.options import ViewOptions
    from modeler.web.rendercache import command_render
    from modeler.web.snapshot import snapshot

    schema = snapshot(design_id)
    if not schema.tables:
        raise CommandError("the design has no tables to draw")
    focus = None
    if view["focus"]:
        ns, _, name = view["focus"].rpartition(".")
        table = schema.table_named(name, ns or "public")
        if table is None:
            raise CommandError(f"no table {view['focus']!r}")
        focus = table.uid
    options = ViewOptions(detail=view["detail"], direction=view["direction"], focus=focus,
                          depth=view["depth"])
    return command_render(schema, options, fmt)


def design_stamp(project: Project) -> tuple[Any, ...]:
    """What identifies the main design's rows and what its drawing reads of the project:
    the design's pk, revision and ``updated_at`` (every write bumps both; a rolled-back one
    may reuse a revision, not a time), the project's slug and settings."""
    from modeler.web.models import Design

    pk, revision, updated = Design.objects.filter(
        project=project, kind=Design.Kind.MAIN).values_list("pk", "revision",
                                                            "updated_at").get()
    return (pk, revision, updated.isoformat(), project.slug, project.pg_version,
            project.provider, project.pk_policy)


# the store's key, shared with the Django-free read-back (modeler.web.readback), which
# manage.py runs first: both must find the same file
stored_key = readback.stored_key
code_stamp = readback.code_stamp
