"""The editor screen: diagram + side panel, its partials, polling and downloads.

One template (``editor/editor.html``) with a named partial per htmx target. A full page is
rendered for plain requests (every form also works without JavaScript); htmx requests get
just the partial they target.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Subquery
from django.forms import BaseForm
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from modeler.diagram import RenderError
from modeler.rules import Finding
from modeler.schema import model as m
from modeler.web import diagram_view, diagrams, editor_forms, ruling, selectors, services
from modeler.web.http import AuthedRequest
from modeler.web.models import DbTable, Design, EnumType, Project, UndoStep
from modeler.web.permissions import can, design_for
from modeler.web.snapshot import snapshot, snapshot_at
from modeler.web.templatetags.modeler_tags import editor_url

PANEL = "editor/editor.html#panel"


def editor_context(request: AuthedRequest, project: Project, role: str, design: Design,
                   schema: m.Schema, **extra: Any) -> dict[str, Any]:
    prefs = extra.pop("prefs", None) or diagrams.prefs_for(request.user, project)
    selected = extra.pop("selected", None) or request.GET.get("table") or None
    table = None
    if selected:
        table = next((t for t in schema.tables if t.uid == selected), None)
    lint = extra.pop("lint") if "lint" in extra else selectors.design_findings(design, schema)
    ctx: dict[str, Any] = {
        "project": project, "role": role, "design": design, "schema": schema,
        # a merged or closed proposal's design is read only (design_for refuses its edits)
        "can_edit": can(role, "edit") and not design.locked, "prefs": prefs, "table": table,
        "tables": schema.tables, "q": request.GET.get("q", ""), "lint": lint,
        # an edit's answer knows it when the edit pushed a step (:func:`undo.record`)
        "undo_state": extra.pop("undo_state", None) or undo_state(design, request.user),
        # what only the whole page or the overview panel shows is made when a template
        # reads it (a template calls a callable value): an edit's response shows the panel
        # of a table, and would build the findings panel and the forms of the overview for
        # nothing (the relationship form lists every table)
        "auto_detail": cache(lambda: diagrams.resolved_detail("auto", schema)),
        "subject_areas": cache(lambda: sorted({t.subject_area for t in schema.tables
                                               if t.subject_area})),
        "new_table_form": cache(lambda: editor_forms.NewTableForm(prefix="new")),
        "relationship_form": cache(lambda: editor_forms.RelationshipForm(schema=schema,
                                                                         prefix="rel")),
        "enum_form": cache(lambda: editor_forms.EnumForm(prefix="enum")),
        # each enum's own edit form (its values, name, comment); a refused one comes back
        # bound (``enum_edit_form`` for ``enum_edit_uid``)
        "enum_edits": cache(lambda: enum_edit_forms(design, schema, extra)),
        "findings": cache(lambda: findings_panel(lint)),
        # the poller's period (``EDITOR_POLL_MS``, default 3 s; tests shorten it)
        "poll_ms": int(getattr(settings, "EDITOR_POLL_MS", 3000)),
    }
    if table is not None:
        edit_column = extra.pop("edit_column", None) or request.GET.get("column") or None
        ctx.update(table_panel_context(schema, table, design, edit_column=edit_column,
                                       bound=extra.pop("column_bound_form", None),
                                       args=url_args(project, design)))
        # an htmx panel fetches a closed section's form when it is opened (?part=)
        ctx["lazy_forms"] = bool(request.htmx)
        if "column_form" not in extra:  # the blank add-column form: rendered once
            ctx["column_form_fields"] = blank_column_fields(type_choices_key(schema))
        # the sections whose form comes back with errors are open (the others' forms are
        # not even made when the panel leaves them out)
        ctx["open_forms"] = {k for k, v in extra.items()
                             if isinstance(v, BaseForm) and v.is_bound and v.errors}
    ctx.update(extra)
    return ctx


def enum_edit_forms(design: Design, schema: Any, extra: dict[str, Any]
                    ) -> list[tuple[Any, editor_forms.EnumForm]]:
    """(enum, its edit form) for every enum of the design: prefilled, carrying the row
    version, or the refused bound form of the one just submitted."""
    out: list[tuple[Any, editor_forms.EnumForm]] = []
    versions = ({str(u): v for u, v in EnumType.objects.filter(design=design).values_list(
        "uid", "version")} if schema.enums else {})  # one query, not one per enum
    for e in schema.enums:
        auto_id = f"id_enum_{e.uid[:8]}_%s"
        bound = extra.get("enum_edit_form")
        if bound is not None and extra.get("enum_edit_uid") == e.uid:
            bound.auto_id = auto_id
            out.append((e, bound))
            continue
        out.append((e, editor_forms.EnumForm(prefix="enum", auto_id=auto_id, initial={
            "name": e.name, "namespace": e.namespace, "values": "\n".join(e.labels),
            "comment": e.comment or "",
            "version": versions.get(e.uid)})))
    return out


def undo_state(design: Design, user: Any) -> dict[str, str | None]:
    """:func:`undo.state` (what the undo and redo buttons would do) in one query, not one
    per button: every edit's answer shows them, and each query is a round trip (through
    PgBouncer, two more processes to wake on a busy machine)."""
    if not getattr(user, "is_authenticated", False):
        return {"undo": None, "redo": None}
    mine = UndoStep.objects.filter(design=design, user=user)
    row = Design.objects.filter(pk=design.pk).values_list(
        Subquery(mine.filter(undone=False).order_by("-id").values("summary")[:1]),
        Subquery(mine.filter(undone=True).order_by("id").values("summary")[:1])).first()
    return {"undo": row[0], "redo": row[1]} if row else {"undo": None, "redo": None}


def url_args(project: Project, design: Design) -> list[object]:
    """The URL arguments of the design's editor views (see ``modeler_tags.eurl``)."""
    return [project.slug] if design.kind == Design.Kind.MAIN else [project.slug, design.pk]


def type_choices_key(schema: m.Schema) -> tuple[Any, ...]:
    """The type picker's choices (:func:`editor_forms.type_choices`) as a cache key."""
    return tuple((group, tuple(options)) for group, options in
                 editor_forms.type_choices(schema))


@lru_cache(maxsize=64)
def blank_column_fields(choices: tuple[Any, ...]) -> SafeString:
    """The fields of the blank add-column form (the type picker lists every built-in type,
    the enums and the domains: ~20 fields and ~70 options, the costliest part of a table
    panel to render), rendered once per set of type choices."""
    form = editor_forms.ColumnForm(schema=m.Schema(), prefix="col", initial={"type": "text"})
    editor_forms.set_type_choices(form, [(g, list(o)) for g, o in choices])
    html = render_to_string("editor/_form_fields.html", {"form": form})
    # the blank lines between tags (~1 KB of the type picker): no text of the form is there
    return mark_safe(_BETWEEN_TAGS.sub(">\n<", html))  # noqa: S308


_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


def findings_panel(findings: tuple[Finding, ...], **kw: Any) -> dict[str, Any]:
    """:func:`ruling.panel` with each finding's target ``kind``: the template links a finding
    to its table's panel, one on an enum to the enum list, and shows any other (a domain, a
    sequence, the settings, ...) without a link, since only tables have a panel."""
    grouped = ruling.panel(findings, **kw)
    for group in grouped["groups"]:
        for item in group["items"]:
            item["kind"] = item["key"].partition(":")[0]
    return grouped


def table_panel_context(schema: m.Schema, table: m.Table, design: Design, *,
                        edit_column: str | None = None,
                        bound: editor_forms.ColumnForm | None = None,
                        args: list[object] | None = None) -> dict[str, Any]:
    """The table panel. Only the column being edited gets a form (a column form carries the
    whole type picker; one per column made a 12-column panel ~100 KB). The forms are made
    when the template shows them (a callable value: an htmx panel leaves the closed
    sections' forms out). The rows' URLs are made here, from one reverse() per view."""
    if args is None:
        args = url_args(design.project, design)
    fks = {u for r in schema.relationships_of(table.uid) for u in r.child_columns}
    uniques = {u.columns[0] for u in table.uniques if len(u.columns) == 1}
    # the row versions serve the one column form only (a query saved when none is open)
    versions = selectors.column_versions(design, table.uid) if edit_column else {}
    # the forms carry the row version in their own hidden field (optimistic locking)
    rows = [{"col": c, "fk": c.uid in fks, "unique": c.uid in uniques,
             "type": c.type.short(schema),
             "form": (bound if bound is not None and c.uid == edit_column else
                      editor_forms.ColumnForm(schema=schema, prefix=f"c{c.uid[:8]}", element=c,
                                              unique=c.uid in uniques,
                                              initial={"version": versions.get(c.uid)})
                      if c.uid == edit_column else None),
             "move": editor_url("column_move", *args, c.uid),
             "delete": editor_url("delete_element", *args, c.uid),
             "update": editor_url("column_update", *args, c.uid)
             if c.uid == edit_column else None}
            for c in table.columns]
    names = {c.uid: c.name for c in table.columns}
    return {
        "table": table, "column_rows": rows,
        "panel_href": editor_url("table_panel", *args, table.uid),
        "table_form": cache(lambda: editor_forms.TableForm(prefix="tbl", element=table, initial={
            "version": selectors.row_version("table", design, table.uid)})),
        "column_form": cache(lambda: editor_forms.ColumnForm(schema=schema, prefix="col",
                                                             initial={"type": "text"})),
        "index_form": cache(lambda: editor_forms.IndexForm(table=table, prefix="ix")),
        "unique_form": cache(lambda: editor_forms.UniqueForm(table=table, prefix="uq")),
        "check_form": cache(lambda: editor_forms.CheckForm(table=table, prefix="ck")),
        "pattern_form": cache(lambda: editor_forms.QueryPatternForm(table=table, prefix="qp")),
        "index_rows": [{"ix": i, "cols": ", ".join(
            ("-" if p.descending else "") + (names.get(p.column, "?") if p.column
                                             else f"({p.expression})") for p in i.parts)}
            for i in table.indexes],
        "unique_rows": [{"uq": u, "cols": ", ".join(names.get(c, "?") for c in u.columns)}
                        for u in table.uniques],
        "pattern_rows": [{"qp": q, "text": diagrams.describe_pattern(q, names)}
                         for q in table.query_patterns],
        "outgoing": [{"rel": r, "parent": schema.table(r.parent_table).qualified_name}
                     for r in schema.relationships_of(table.uid)],
        "incoming": [{"rel": r, "child": schema.table(r.child_table).qualified_name}
                     for r in schema.references_to(table.uid)],
    }


# The table panel's sections an htmx panel fetches when they are opened (``?part=``).
TABLE_PARTS = {"table": "table-form", "index": "index-form", "unique": "unique-form",
               "check": "check-form", "pattern": "pattern-form"}


def render_editor(request: AuthedRequest, ctx: dict[str, Any], partial: str = PANEL,
                  status: int = 200) -> HttpResponse:
    template = partial if request.htmx else "editor/editor.html"
    part = request.GET.get("part") if request.method == "GET" else None
    if request.htmx and part is not None and partial == PANEL:
        if part not in TABLE_PARTS or ctx.get("table") is None or not ctx["can_edit"]:
            raise Http404("No such part of the panel.")
        template = f"editor/_table_panel.html#{TABLE_PARTS[part]}"
    response = render(request, template, ctx, status=status)
    response["ETag"] = f'"{ctx["design"].revision}"'
    return response


def drawn_snapshot(design: Design) -> m.Schema:
    """The design's snapshot, with ``design.revision`` set to the revision it was read at
    (read once, before any element): a page carries the revision of what it drew, so
    that its poller sees every write stored after that read (a background layout landing
    while the page is built included)."""
    schema, design.revision = snapshot_at(design)
    return schema


def editor_page(request: AuthedRequest, ctx: dict[str, Any],
                partial: str = PANEL) -> HttpResponse:
    """The editor as a whole page (diagram drawn, ``ctx``'s panel open), or, for htmx,
    just ``partial``. A large design's page comes without its drawing, which the page
    fetches from the diagram view as soon as it is loaded (issue #17: a page of several MB
    that waited on the drawing)."""
    if request.htmx:
        return render_editor(request, ctx, partial)
    schema, design = ctx["schema"], ctx["design"]
    if diagram_view.separate_drawing(schema):
        args = [ctx["project"].slug] + ([design.pk] if design.kind != "main" else [])
        ctx["svg"] = diagram_view.placeholder(editor_url("diagram", *args),
                                              editor_url("diagram_download", *args, "svg"),
                                              len(schema.tables))
        if ctx["can_edit"] and not all(t.position for t in schema.tables):
            from modeler.web import layoutjobs

            layoutjobs.schedule_layout(design)  # now, not when the drawing is asked for
        # drawn meanwhile: the page's request for it waits for these bytes
        diagram_view.predraw(request.user, ctx["project"], design, schema, ctx["lint"],
                             can_store=ctx["can_edit"])
    else:
        ctx["svg"] = diagrams.svg_for(schema, ctx["project"], request.user, design,
                                      findings=ctx["lint"], can_store=ctx["can_edit"])
    return render(request, "editor/editor.html", ctx)


@login_required
@require_GET
def editor(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, design_ = design_for(request.user, slug, design)
    schema = drawn_snapshot(design_)
    return editor_page(request, editor_context(request, project, role, design_, schema))


@login_required
@require_GET
def table_panel(request: AuthedRequest, slug: str, uid: str,
                design: int | None = None) -> HttpResponse:
    """A table's panel (htmx), or the editor with that table open (a plain page load of
    the table's URL draws the diagram too, as ``?table=`` does)."""
    project, role, design_ = design_for(request.user, slug, design)
    schema = drawn_snapshot(design_)
    if not any(t.uid == uid for t in schema.tables):
        raise Http404("No such table.")
    return editor_page(request, editor_context(request, project, role, design_, schema,
                                               selected=uid))


@login_required
@require_GET
def diagram(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """The diagram partial (inline SVG), re-fetched after every change: a whole drawing
    from the shared render store (gzip when the browser takes it; ``304`` when it has it
    already, by ETag), or a patch since the drawing the browser shows (see
    :func:`diagram_view.editor_drawing`)."""
    project, role, design_ = design_for(request.user, slug, design)
    highlight = request.GET.get("highlight")
    # the whole drawing (no token: the browser shows none) is read from the render store
    # without the design's snapshot and findings when it is there
    kept = (None if diagrams.clean_token(request.headers.get("X-Diagram-Token")) else
            diagram_view.stored_drawing(request.user, project, design_,
                                        can_store=can(role, "edit"), highlight=highlight))
    found = kept if kept is not None else diagram_view.editor_drawing(
        request.user, project, design_, drawn_snapshot(design_), can_store=can(role, "edit"),
        highlight=highlight)
    if isinstance(found, str):
        response = HttpResponse(found)
        response["ETag"] = f'"{design_.revision}"'
        return response
    etag = f'"d-{found.etag}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(found.gz)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(found.html())
    response["ETag"] = etag
    # the browser keeps the drawing and asks each time whether it is still the one
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Accept-Encoding, Cookie, HX-Request, X-Diagram-Token"
    return response


@login_required
@require_GET
def poll(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """Cheap change check: 204 while the client's revision is current, else an event
    naming the revision (``{"rev": n}`` and ``X-Design-Revision`` on every answer: the
    client ignores an answer no newer than what an edit's response gave it).

    ``provisional=1``: the page shows the provisional placement; it is told to refresh as
    soon as every table has a stored position, whatever revision it names (it cannot
    miss the layout, however its revision was set)."""
    _, _, design_ = design_for(request.user, slug, design)
    revision = design_.revision
    seen = request.GET.get("rev", "")
    if seen == str(revision) and not (request.GET.get("provisional") == "1"
                                      and laid_out(design_)):
        response = HttpResponse(status=204)
    else:
        response = trigger_client_event(HttpResponse(status=200), "schema-changed",
                                        {"rev": revision})
    response["X-Design-Revision"] = str(revision)
    return response


def laid_out(design: Design) -> bool:
    """Whether every table of the design has a stored position (and it has a table)."""
    tables = DbTable.objects.filter(design=design)
    return tables.exists() and not tables.filter(pos_x__isnull=True).exists()


@login_required
def download(request: AuthedRequest, slug: str, fmt: str,
             design: int | None = None) -> HttpResponse:
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    project, _, design_ = design_for(request.user, slug, design, "download")
    if fmt not in diagrams.FORMATS:
        return HttpResponse(f"There is no diagram as .{fmt[:20]}: download it as "
                            f"{', '.join(f'.{f}' for f in diagrams.FORMATS)}.", status=404,
                            content_type="text/plain; charset=utf-8")
    schema = snapshot(design_)
    try:
        options = diagrams.options_from_query(request.GET, schema,
                                              diagrams.prefs_for(request.user, project))
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    try:
        body, content_type = diagrams.export(schema, options, fmt)
    except RenderError as exc:  # Graphviz gave up (a timeout on a huge design): say so
        response = HttpResponse(f"The diagram could not be drawn: {exc}. Try a smaller view "
                                "(detail, focus, area) or the .dot file.", status=503,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{project.slug}.{fmt}"'
    return response


@login_required
@require_POST
def save_view(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """Remember the diagram view options (detail, direction, focus, depth, area)."""
    project, role, design_ = design_for(request.user, slug, design)
    schema = snapshot(design_)
    try:
        prefs = diagrams.clean_prefs(request.POST, schema)
    except ValueError as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain")
    before = diagrams.prefs_for(request.user, project)
    services.view_prefs_set(project=project, user=request.user,
                            options=prefs)
    # a new direction re-lays the design out at once (pinned drawings ignore it)
    diagram_view.follow_direction(request.user, role, design_, schema, before, prefs)
    return trigger_client_event(HttpResponse(status=204), "schema-changed")


@login_required
@require_GET
def activity(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, _ = design_for(request.user, slug, design)
    entries = selectors.activity_of(project)
    return render(request, "editor/activity.html", {"project": project, "role": role,
                                                    "entries": entries})
