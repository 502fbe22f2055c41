"""Import an existing schema as a project's first version (an imported baseline).

    python manage.py import_schema --project SLUG [--owner USERNAME] --format sql|dbml FILE...
    python manage.py import_schema --project SLUG [--owner USERNAME] --url URL [--schema NAME...]

Files are loaded in the order given. Creates the project when it does not exist (owner:
--owner, default the first superuser). Prints counts and warnings; exits 1 with nothing
created on failure. The URL is used once to read the catalog and is never stored; a project
it creates targets the server's PostgreSQL version (``server_version_num``, within the
versions a project knows), which rules such as CN-08 judge the design against.

``--url`` is for the administrator on the server: it is not limited to
``MODELER_LIVE_IMPORT_HOSTS`` and libpq reads it as usual (local sockets, ``PG*`` variables,
``~/.pgpass``); it keeps the web's timeouts (``MODELER_LIVE_IMPORT_CONNECT_TIMEOUT``,
``MODELER_LIVE_IMPORT_TIMEOUT``...).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from modeler.web.management.commands._output import writable, write_out
from modeler.wording import counted

if TYPE_CHECKING:
    from modeler.forking import Child, OnThread
    from modeler.importers import ImportResult
    from modeler.importers.live.session import Timeouts
    from modeler.schema.model import Schema


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

    # set by run_from_argv: the command is the process (manage.py), which ends after it
    whole_process = False

    def run_from_argv(self, argv: list[str]) -> None:
        self.whole_process = True
        super().run_from_argv(argv)

    def handle(self, *args: Any, **opts: Any) -> None:
        # Issue #17: no garbage collection while the design is imported, saved and drawn.
        # What the import makes stays alive to the end (the catalog rows, the draft, the
        # snapshot, the rows written, the drawing): the collector walked it again and again
        # to free little (musicbrainz: ~19 collections, ~0.16 s of CPU of ~2.5; without:
        # ~5 MB more at most). It stays off to the exit of manage.py (whose last collection
        # is skipped anyway: gc.freeze), as turning it back on collects once over all of it
        # (~0.08 s); called in a longer process (call_command), it is back on afterwards.
        import gc

        was = gc.isenabled()
        gc.disable()
        try:
            self._handle(opts)
        finally:
            if was and not self.whole_process:
                gc.enable()

    def _handle(self, opts: dict[str, Any]) -> None:
        self.verbosity = int(opts.get("verbosity", 1))
        out = writable(opts["diagram"], "--diagram") if opts["diagram"] else None
        owner = self._owner(opts["owner"])
        # the catalog is read on a thread while this one loads the importer and the saving side
        reading = LiveRead(opts["url"], opts["schemas"]) if opts["url"] and not (
            opts["files"] or opts["format"]) else None
        from modeler.web.importing import ImportRefused, import_project

        result, source = self._read(opts, reading)
        for w in result.warnings:
            self.stdout.write(f"warning: {w}")
        # stored with the design, as the web's import does (render_diagram only draws): laid
        # out on a thread (Graphviz on the other CPU) while this one checks and lints the
        # design as imported (see import_project's ``placed``)
        layout = FirstLayout(result.schema)
        aside: Aside | None = None

        def placed() -> Schema | None:
            nonlocal aside
            laid = layout.join()
            if laid is None:  # the editor lays it out on its first view
                self.stdout.write(f"warning: first layout failed ({layout.error}); the "
                                  "editor will lay the diagram out")
                return None
            aside = Aside.start(laid, _format(out))  # drawn while the design is saved
            return laid

        counts = ", ".join(f"{v} {k}" for k, v in sorted(result.counts.items()))
        try:
            with transaction.atomic():  # the stamp of what the import wrote, no other write
                version = import_project(result=result, slug=opts["project"],
                                         name=opts["name"], owner=owner, source=source,
                                         placed=placed)
                if aside is not None:
                    from modeler.web.management.commands.render_diagram import design_stamp

                    aside.stamp = design_stamp(version.project)
        except BaseException as exc:
            layout.join()  # no Graphviz run outlives the command
            if aside is not None:
                aside.discard()
            if not isinstance(exc, ImportRefused):
                raise
            self.stderr.write(f"import refused: {exc}")
            sys.exit(1)
        self.stdout.write(f"imported {counts} into project {opts['project']} as version "
                          f"{version.number} (imported baseline; "
                          f"{counted(len(result.warnings), 'warning')})")
        if result.server_version is not None:
            self.stdout.write(f"project {opts['project']} targets PostgreSQL "
                              f"{version.project.pg_version} (the server is "
                              f"{result.server_version // 10000})")
        if out is not None or aside is not None:
            self._diagram(version.project, out, aside)

    def _diagram(self, project: Any, out: Path | None, aside: Aside | None) -> None:
        """render_diagram's default drawing of the new design, in this process (no second
        start-up, the layout just stored), stored for render_diagram to read back (its first
        run after the import draws nothing); written to ``out`` when given. ``aside``: the
        drawing made while the design was saved (drawn here when it failed)."""
        from modeler.diagram.render import RenderError
        from modeler.web.management.commands.render_diagram import drawing

        fmt = _format(out)
        try:
            body = aside.take() if aside is not None else None
            if body is None:
                if out is None:  # only the store's: render_diagram will draw it
                    return
                body = drawing(project, fmt)
            elif self.verbosity >= 2:
                self.stdout.write("the diagram was drawn while the design was saved")
        except CommandError as exc:  # nothing to draw
            if out is not None:
                self.stdout.write(f"no diagram: {exc}")
            return
        except RenderError as exc:
            if out is None:  # only the store's: render_diagram will say so
                return
            raise CommandError(f"imported, but the diagram failed: {exc}") from exc
        if out is not None:
            write_out(out, body, "--diagram")
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

    def _read(self, opts: dict[str, Any], reading: LiveRead | None,
              ) -> tuple[ImportResult, str]:
        from modeler.importers.result import SchemaImportError

        try:
            if opts["url"]:
                if reading is None:
                    raise CommandError("give either --url or --format with files, not both")
                return reading.result(), "a live database"
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


def live_timeouts() -> Timeouts:
    """:func:`modeler.web.importing.live_timeouts` without importing that module (the
    saving side, loaded meanwhile on the main thread); a test compares the two."""
    from modeler.importers.live.session import Timeouts

    return Timeouts(connect=float(getattr(settings, "LIVE_IMPORT_CONNECT_TIMEOUT", 10.0)),
                    statement=float(getattr(settings, "LIVE_IMPORT_STATEMENT_TIMEOUT", 60.0)),
                    total=float(getattr(settings, "LIVE_IMPORT_TIMEOUT", 300.0)))


class LiveRead:
    """The catalog of the command's URL read on a thread of its own, started at once: the
    queries wait on the server while the main thread imports the SQL importer and what
    saves the design (:meth:`result` then makes the design of the rows, on the main
    thread: no two threads import the same modules at once)."""

    def __init__(self, url: str, schemas: list[str] | None) -> None:
        import threading

        self.url, self.schemas = url, schemas or None
        self.value: dict[str, Any] | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="import-live", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            from modeler.importers.live import read_catalog

            self.value = read_catalog(self.url, schemas=self.schemas, timeouts=live_timeouts())
        except BaseException as exc:  # re-raised on the main thread
            self.error = exc

    def result(self) -> ImportResult:
        from modeler.importers.live import import_catalog, preload

        preload()  # while the queries run
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return import_catalog(self.value)


def _format(out: Path | None) -> str:
    """``--diagram``'s format by the file's name (SVG when none or unknown)."""
    from modeler.web.management.commands.render_diagram import FORMATS

    fmt = out.suffix.lower().lstrip(".") if out is not None else "svg"
    return fmt if fmt in FORMATS else "svg"


class FirstLayout:
    """:func:`modeler.web.importing.first_layout` of the imported design on a thread of its
    own, started at once: Graphviz lays it out on the other CPU while the main thread
    checks and lints the design (:meth:`join`: the placed schema, None when it failed)."""

    def __init__(self, schema: Schema) -> None:
        import threading

        self.schema = schema
        self.value: Schema | None = None
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, name="import-layout", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from modeler.web.importing import first_layout

        try:
            self.value = first_layout(self.schema)
        except Exception as exc:  # reported by the caller
            self.error = exc

    def join(self) -> Schema | None:
        self.thread.join()
        return self.value


class Aside:
    """The default drawing of a laid-out design, made while the main thread saves the design
    (Graphviz and the drawing's Python on the other CPU), stored under the revision stamp
    read in the import's transaction (:meth:`take`). On any failure the caller draws as
    usual. Made by a forked child where that is safe (:meth:`start`), else on a thread."""

    stamp: tuple[Any, ...] | None = None

    def __init__(self, schema: Schema, fmt: str, job: Child | OnThread) -> None:
        self.schema, self.fmt, self.job = schema, fmt, job

    @classmethod
    def start(cls, schema: Schema, fmt: str) -> Aside | None:
        """The drawing of ``schema`` started (None when it has no table). Issue #17: in a
        forked child the drawing's Python runs on the other CPU too, beside the saving, not
        in turns with it (musicbrainz: about 0.3 s of CPU); on a thread Graphviz draws on
        the other CPU, the Python parts take turns with the saving. The child only where a
        fork is safe (:func:`modeler.forking.fork_safe`), the system allows it (a refused
        fork draws on the thread: no error out of the import's transaction), and with the
        local-memory cache (the child touches no connection the parent uses: the drawing
        reads and writes the cache, a shared Redis connection would be used by both). The
        child writes its drawing to a pipe and leaves without any clean-up; the renders it
        keeps on disk (:class:`modeler.web.rendercache.CommandCache`) are the thread's."""
        if not schema.tables:
            return None
        from modeler.forking import aside

        def draw() -> bytes:
            from modeler.diagram.options import ViewOptions
            from modeler.web.rendercache import command_render

            return command_render(schema, ViewOptions(), fmt)

        local = "locmem" in str(settings.CACHES["default"]["BACKEND"])
        return cls(schema, fmt, aside(draw, name="import-drawing", fork=local))

    def body(self) -> bytes | None:
        """The drawing, None when it failed (a child is given the Graphviz timeout and half
        a minute more: then killed)."""
        import time

        return self.job.result(time.monotonic() + float(settings.GRAPHVIZ_TIMEOUT) + 30)

    def discard(self) -> None:
        """Wait for the drawing (its Graphviz run is bounded in time): no Graphviz process
        outlives the command."""
        self.body()

    def take(self) -> bytes | None:
        """The drawing, stored as render_diagram's for :attr:`stamp` (the design's revision
        stamp read in the import's transaction: the rows hold the design drawn, as
        :func:`modeler.web.snapshot.written` takes them to); None when it failed or no stamp
        was read."""
        from modeler.web.management.commands.render_diagram import DEFAULT_VIEW, stored_key
        from modeler.web.rendercache import CommandCache

        body = self.body()
        if body is None or self.stamp is None:
            return None
        CommandCache().set(stored_key(self.stamp, DEFAULT_VIEW, self.fmt), body)
        return body
