"""Turn an :class:`~modeler.importers.ImportResult` into a project whose version 1 is the
imported baseline (already deployed: its findings are grandfathered); and who may import a
live database from the web, from where (:func:`live_import_allowed`, :func:`live_policy`)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from modeler.importers import ImportResult, ImportWarning, Progress
from modeler.importers.live import Policy, Timeouts
from modeler.schema import model as m
from modeler.schema import validate
from modeler.web import models as db
from modeler.web import services
from modeler.web.models import PG_VERSIONS
from modeler.web.snapshot import materialize
from modeler.web.versions import version_findings, version_save
from modeler.wording import counted

if TYPE_CHECKING:
    from modeler.rules import Finding


class ImportRefused(Exception):
    """The import cannot go ahead; nothing was created."""


LIVE_FORBIDDEN = ("Importing a live database is open to staff and to owners of a project only: "
                  "ask an administrator, or upload the schema as SQL (pg_dump --schema-only).")


def live_import_allowed(user: User | AnonymousUser) -> bool:
    """Whether ``user`` may import a live database from the web: staff, or the owner of at
    least one project (a role held through :class:`~modeler.web.models.Membership`)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False):
        return True
    return db.Membership.objects.filter(user=user, role=db.Membership.Role.OWNER).exists()


def live_policy() -> Policy:
    """Where the web may import from: ``LIVE_IMPORT_ALLOWED`` (``MODELER_LIVE_IMPORT_HOSTS``),
    never the application's own databases."""
    allowed = tuple((str(h), None if p is None else int(p))
                    for h, p in getattr(settings, "LIVE_IMPORT_ALLOWED", ()))
    return Policy(allowed=allowed, own=own_databases(),
                  resolve_timeout=min(5.0, live_timeouts().connect))


def live_timeouts() -> Timeouts:
    """The live import's timeouts from the settings (the command line's too)."""
    return Timeouts(connect=float(getattr(settings, "LIVE_IMPORT_CONNECT_TIMEOUT", 10.0)),
                    statement=float(getattr(settings, "LIVE_IMPORT_STATEMENT_TIMEOUT", 60.0)),
                    total=float(getattr(settings, "LIVE_IMPORT_TIMEOUT", 300.0)))


def own_databases() -> tuple[tuple[str, int, str], ...]:
    """(host, port, name) of every PostgreSQL database this application uses: each alias,
    as configured and as connected (a test run's database too), an empty host or port read
    as libpq would (``PGHOST``/``PGPORT``, else the local socket and 5432)."""
    entries = [*settings.DATABASES.values(), *(c.settings_dict for c in connections.all())]
    out: set[tuple[str, int, str]] = set()
    for entry in entries:
        if "postgresql" not in str(entry.get("ENGINE", "")):
            continue
        hosts = str(entry.get("HOST") or os.environ.get("PGHOST", "")).split(",")
        port = str(entry.get("PORT") or os.environ.get("PGPORT", "") or "5432")
        name = str(entry.get("NAME") or "")
        names = {name, f"test_{name}", str((entry.get("TEST") or {}).get("NAME") or "")}
        for host in hosts:
            for ports in port.split(","):
                out |= {(host.strip(), int(ports), n) for n in names if n and ports.isdigit()}
    return tuple(sorted(out))


def server_pg_version(server_version: int) -> int:
    """The project's PostgreSQL version for a server's ``server_version_num`` (``160004``
    → 16): its major version, brought within :data:`PG_VERSIONS` (an older server counts as
    the oldest version a project knows, a newer one as the newest)."""
    major = server_version // 10000
    return min(max(major, PG_VERSIONS[0]), PG_VERSIONS[-1])


def first_layout(schema: m.Schema) -> m.Schema:
    """``schema`` with the first layout of its diagram: every table placed as the editor's
    default view lays it out (``dot``, ``sfdp`` or a grid within ``GRAPHVIZ_TIMEOUT``).
    Imports store it with the design (the web's job and ``import_schema`` alike): the
    editor opens on the real layout and ``render_diagram`` only draws, pinned."""
    from modeler.web import diagrams

    return diagrams.ensure_positions(schema, diagrams.view_options(diagrams.DEFAULT_PREFS,
                                                                   schema))


def warning_record(w: ImportWarning) -> dict[str, Any]:
    return {"file": w.file, "line": w.line, "kind": w.kind, "message": w.message,
            "sql": (w.sql or "")[:2000]}


@transaction.atomic
def import_project(*, result: ImportResult, slug: str, name: str | None,
                   owner: User, source: str,
                   warnings: list[dict[str, Any]] | None = None,
                   progress: Progress | None = None,
                   placed: Callable[[], m.Schema | None] | None = None) -> db.Version:
    """Create the project (or fill an empty existing one the owner owns) with the imported
    design, and save it as version 1, an imported baseline. A project created for a live
    import (``result.server_version``) gets the server's PostgreSQL version
    (:func:`server_pg_version`); an existing one keeps its own. All or nothing: ``progress``
    (see :mod:`modeler.importers.progress`) hears of the rows stored and may raise to
    roll everything back.

    ``placed``: the first layout of ``result.schema`` being made meanwhile (Graphviz, on
    another thread: see ``import_schema``), called once the design as imported is checked
    and linted; it returns the schema with positions (None: no layout, stored without).
    Positions are presentation only: no rule reads them (the version's findings of the
    imported design are those of the placed one), so the version keeps the findings made
    while the layout ran when the placed schema is the imported one with positions only
    (:func:`positions_only`; else they are made again)."""
    if result.empty:
        raise ImportRefused("The input defines nothing a design holds (no table, type, "
                            "sequence, function...): nothing to import.")
    project = db.Project.objects.filter(slug=slug).first()
    if project is None:
        # a live import's project judges (rule CN-08...) against the server it came from
        version: dict[str, Any] = {} if result.server_version is None else {
            "pg_version": server_pg_version(result.server_version)}
        try:
            project = services.project_create(name=name or slug, slug=slug, owner=owner,
                                              **version)
        except ValidationError as exc:
            raise ImportRefused("; ".join(exc.messages)) from exc
    else:
        if not db.Membership.objects.filter(project=project, user=owner,
                                            role__in=["owner", "editor"]).exists():
            raise ImportRefused(f"{owner.get_username()} cannot edit project {slug}.")
        if db.DbTable.objects.filter(design__project=project).exists() or \
                db.Version.objects.filter(project=project).exists():
            raise ImportRefused(f"Project {slug} already has a design; import into a new "
                                "project.")
    design = services.main_design(project)
    settings_, named = project.settings, project.slug
    schema = replace(result.schema, settings=settings_, name=named)
    listed = warnings if warnings is not None else [warning_record(w) for w in
                                                     result.warnings]
    message = f"Imported baseline from {source}"
    if listed:
        message += f" ({counted(len(listed), 'warning')}: not represented objects are listed in " \
                   "DESIGN.md)"
    message = message[:1000]
    findings: tuple[Finding, ...] | None = None
    checked = False
    if placed is not None:
        # while the layout runs: what materialize and version_save would do to the design
        checked = validate.check(schema) is schema  # (the rules lint valid designs only)
        findings = version_findings(schema, project, design, message=message.strip(),
                                    baseline=True)
        laid = placed()
        if laid is not None:
            unplaced, schema = schema, replace(laid, settings=settings_, name=named)
            if not positions_only(unplaced, schema):  # checked and linted again
                findings, checked = None, False
    if progress is None:
        materialize(schema, design, checked=checked)
    else:
        with counting_rows(schema, progress):
            materialize(schema, design, checked=checked)
        progress("checking the rules and saving version 1", 0, 0)
    return version_save(project=project, actor=owner, message=message, baseline=True,
                        schema=schema, design=design, findings=findings)


def positions_only(a: m.Schema, b: m.Schema) -> bool:
    """Whether ``b`` is ``a`` with other table positions only: every other part the very
    same object (a layout replaces positions and keeps the rest, see
    :func:`modeler.web.diagrams.ensure_positions`); False when anything else may differ."""
    if len(a.tables) != len(b.tables):
        return False
    for f in fields(m.Schema):
        if f.name != "tables" and getattr(a, f.name) is not getattr(b, f.name):
            return False
    return all(ta is tb or all(getattr(ta, f.name) is getattr(tb, f.name)
                               for f in _TABLE_FIELDS)
               for ta, tb in zip(a.tables, b.tables, strict=True))


_TABLE_FIELDS = tuple(f for f in fields(m.Table) if f.name != "position")


# ------------------------------------------------------------------------ rows stored

_INSERT = re.compile(r'\s*INSERT\s+INTO\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
_VALUES_ROW = re.compile(r"\)\s*,\s*\(")


def rows_to_store(schema: m.Schema) -> dict[str, tuple[str, int]]:
    """The rows :func:`materialize` inserts for ``schema`` into an empty design: database
    table → (what people call them, how many)."""
    tables = schema.tables
    kinds: list[tuple[type[Any], str, int]] = [
        (db.EnumType, "enums", len(schema.enums)),
        (db.Domain, "domains", len(schema.domains)),
        (db.DbTable, "tables", len(tables)),
        (db.DbColumn, "columns", sum(len(t.columns) for t in tables)),
        (db.DbIndex, "indexes", sum(len(t.indexes) for t in tables)),
        (db.Constraint, "constraints", sum(len(t.uniques) + len(t.checks) for t in tables)),
        (db.QueryPattern, "query patterns", sum(len(t.query_patterns) for t in tables)),
        (db.Relationship, "relationships", len(schema.relationships)),
        (db.Extension, "extensions", len(schema.extensions)),
        (db.Sequence, "sequences", len(schema.sequences)),
        (db.RawObject, "raw SQL objects", len(schema.raw_objects)),
    ]
    return {model._meta.db_table: (label, n) for model, label, n in kinds}


def _rows_inserted(sql: str, params: Any, cursor: Any) -> int:
    """How many rows one INSERT statement wrote (the driver's count when it has one, else
    read from the statement: UNNEST arrays or VALUES groups)."""
    count = getattr(cursor, "rowcount", -1)
    if isinstance(count, int) and count > 0:
        return count
    if "UNNEST(" in sql and params and isinstance(params[0], list | tuple):
        return len(params[0])
    values = sql.upper().rfind(" VALUES ")
    return len(_VALUES_ROW.findall(sql, values)) + 1 if values >= 0 else 1


@contextmanager
def counting_rows(schema: m.Schema, progress: Progress) -> Iterator[None]:
    """Report ``storing <kind>: done of total rows`` while the design's rows are written
    on this thread's connection (the store inserts in batches of up to 2,000 rows)."""
    expected = rows_to_store(schema)
    total = sum(n for _, n in expected.values())
    done = 0

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool,
              context: dict[str, Any]) -> Any:
        nonlocal done
        result = execute(sql, params, many, context)
        found = _INSERT.match(sql)
        if found and found.group(1) in expected:
            done = min(total, done + _rows_inserted(sql, params, context.get("cursor")))
            progress(f"storing {expected[found.group(1)][0]}", done, total, "rows")
        return result

    progress("storing the design", 0, total, "rows")
    with connection.execute_wrapper(count):
        yield
