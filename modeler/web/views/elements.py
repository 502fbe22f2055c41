"""Editor actions on design elements. Each returns the refreshed panel (htmx) or redirects
(plain POST); invalid input → 422 with the errors in place; stale version → 409; nothing is
saved in either case."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from django import forms as dj_forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from modeler.rules import Config
from modeler.schema import actions, edit, naming, sqlexpr
from modeler.schema import model as m
from modeler.web import columnline, diagrams, editor_forms, ruling, ways_out
from modeler.web.editing import Conflict, EditOutcome, Refused, apply_edit
from modeler.web.http import AuthedRequest
from modeler.web.models import Design
from modeler.web.permissions import design_for, design_for_editing
from modeler.web.snapshot import snapshot, snapshot_at
from modeler.web.views.editor import editor_context, render_editor


class _Ctx:
    """What every action needs: the project, the role, the design and its snapshot."""

    def __init__(self, request: AuthedRequest, slug: str, design: int | None = None) -> None:
        self.request = request
        # the design, the role, the user's view and the baseline's findings in one query
        self.project, self.role, self.design, known = design_for_editing(
            request.user, slug, design, "edit")
        self.design.project = self.project  # the design's own (design_for filters by it)
        self.schema, self.revision = snapshot_at(self.design, just_read=True)
        self.outcome: EditOutcome | None = None
        self.drawing: tuple[m.Schema, tuple[Any, ...], Future[str]] | None = None
        self._prefs: dict[str, Any] | None = None
        if "prefs" in known:
            self._prefs = {**diagrams.DEFAULT_PREFS, **(known["prefs"] or {})}
        self._grandfathered = ruling.keys_of(known["baseline"]) if "baseline" in known \
            else None
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        """The project's rule configuration, read once per request (the edit's gate and the
        lint of its result both use it)."""
        if self._config is None:
            self._config = ruling.config_for(self.project)
        return self._config

    @property
    def prefs(self) -> dict[str, Any]:
        """The user's view of the design, read once per request (the drawing and the panel
        both show it)."""
        if self._prefs is None:
            self._prefs = diagrams.prefs_for(self.request.user, self.project)
        return self._prefs

    def draw(self, new: m.Schema) -> None:
        """Start drawing the edited design (htmx edits get it back with the panel)."""
        if self.request.htmx:
            lint = ruling.lint_project(new, self.project, self.design, config=self.config,
                                       grandfathered=self._grandfathered)
            self.drawing = (new, lint, diagrams.svg_later(new, self.project,
                                                          self.request.user, lint,
                                                          prefs=self.prefs))

    def url_args(self) -> list[object]:
        if self.design.kind == Design.Kind.MAIN:
            return [self.project.slug]
        return [self.project.slug, self.design.pk]

    def table(self, uid: str) -> m.Table:
        table = actions.locate(self.schema, uid, "table")
        if not isinstance(table, m.Table):
            raise Http404("No such table.")
        return table

    def element_table(self, uid: str) -> tuple[m.Table, Any]:
        found = self.schema.locate(uid)
        if found is None or found.table is None or found.kind not in _TABLE_ELEMENTS:
            raise Http404("No such element.")
        return found.table, found.element


_TABLE_ELEMENTS = ("column", "index", "unique", "check", "query_pattern")


def _table_uid(schema: m.Schema, uid: str) -> str | None:
    """``uid`` when it is one of the design's tables (the one to show), else None."""
    return uid if actions.locate(schema, uid, "table") is not None else None


def _relationship(schema: m.Schema, uid: str) -> m.Relationship:
    rel = actions.locate(schema, uid, "relationship")
    if not isinstance(rel, m.Relationship):
        raise Http404("No such relationship.")
    return rel


SVG_MARK = "<!--diagram-svg-goes-here-->"


def _version(request: HttpRequest, key: str = "version") -> int | None:
    raw = (request.POST.get(key) or "").strip()
    # ASCII digits only: "²".isdigit() holds and int() refuses it; 18 digits fit a bigint
    return int(raw) if _VERSION.fullmatch(raw) else None


_VERSION = re.compile(r"[0-9]{1,18}")
# A plain decimal number: float() would also take nan, inf, 1_000 and ten thousand digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,12}(?:\.[0-9]{0,12})?|\.[0-9]{1,12})"
                     r"(?:[eE][+-]?[0-9]{1,3})?")


def _delta(raw: str) -> float | None:
    """A drag amount: a finite decimal number, else None."""
    raw = raw.strip()
    if not _NUMBER.fullmatch(raw):
        return None
    value = float(raw)
    return value if math.isfinite(value) else None


def _done(ctx: _Ctx, selected: str | None, message: str = "", **extra: Any) -> HttpResponse:
    request = ctx.request
    if not request.htmx:
        url = reverse("editor", args=ctx.url_args())
        return redirect(f"{url}?table={selected}" if selected else url)
    # what the edit wrote is exactly the new snapshot: no need to read it back
    schema = ctx.outcome.new if ctx.outcome is not None else snapshot(ctx.design)
    if ctx.drawing is not None and ctx.drawing[0] is schema:
        lint, drawing = ctx.drawing[1], ctx.drawing[2]
    else:
        lint = ruling.lint_project(schema, ctx.project, ctx.design, config=ctx.config,
                                   grandfathered=ctx._grandfathered)
        drawing = diagrams.svg_later(schema, ctx.project, request.user, lint, prefs=ctx.prefs)
    if ctx.outcome is not None and ctx.outcome.undo is not None:
        extra.setdefault("undo_state", ctx.outcome.undo)
    c = editor_context(request, ctx.project, ctx.role, ctx.design, schema, selected=selected,
                       notice=message, lint=lint, prefs=ctx.prefs, **extra)
    # a table added, renamed or dropped: the toolbar's Focus list is sent along too
    old = ctx.outcome.old if ctx.outcome is not None else None
    c["tables_changed"] = old is not None and [
        (t.uid, t.qualified_name) for t in old.tables] != [
        (t.uid, t.qualified_name) for t in schema.tables]
    # The new diagram rides along as an out-of-band swap: one request per edit. It was
    # drawn on a worker thread meanwhile; the page is rendered around a marker for it.
    c["svg"] = SVG_MARK
    response = render(request, "editor/editor.html#edited", c)
    body = response.content.decode()
    assert body.count(SVG_MARK) == 1, "the edited partial must show the diagram once"
    response.content = body.replace(SVG_MARK, drawing.result()).encode()
    response["ETag"] = f'"{ctx.design.revision}"'
    return trigger_client_event(response, "schema-saved", {"rev": ctx.design.revision})


def _refuse(ctx: _Ctx, selected: str | None, status: int, errors: list[str],
            **forms: Any) -> HttpResponse:
    # Each message once: a rule's message is in its finding (with the rule and the hint).
    findings = tuple(forms.pop("refused_findings", ()) or ())
    said = {getattr(f, "message", None) for f in findings}
    errors = [e for e in errors if e not in said]
    # A refusal of a form is shown in that form, which stays open where it was (the box at
    # the top of the panel was out of sight for the forms low in it); an invalid form's
    # field errors are next to its fields already.
    carrier = next((f for f in forms.values() if isinstance(f, dj_forms.BaseForm)
                    and f.is_bound), None)
    if carrier is not None and (errors or findings):
        if not carrier.errors:
            carrier.refusal = {  # type: ignore[attr-defined]  # for the form's template
                "errors": errors, "findings": findings,
                # the one-click ways out: a rule's fix, or a junction's two parents
                "offers": ways_out.offers(findings),
                "parents": ways_out.junction_parents(ctx.schema, findings)
                if carrier.prefix == "new" else None,  # the add-table form only
                "prefix": carrier.prefix}
            carrier.add_error(None, "Not saved.")
        errors, findings = [], ()
    elif carrier is not None:
        carrier.refusal = None  # type: ignore[attr-defined]  # for the form's template
    forms["refused_findings"] = findings
    schema = snapshot(ctx.design)
    ctx.design.refresh_from_db(fields=["revision"])
    c = editor_context(ctx.request, ctx.project, ctx.role, ctx.design, schema,
                       selected=selected, errors=errors, **forms)
    if not ctx.request.htmx:
        c["svg"] = diagrams.svg_for(schema, ctx.project, ctx.request.user, ctx.design,
                                    findings=c["lint"])
    return render_editor(ctx.request, c, status=status)


def _kept_input(forms: dict[str, Any], exc: Conflict) -> str:
    """The 409's message, and the refused form kept as the user typed it (their input was
    lost: the panel came back with the saved values) with the element's current version, so
    that saving it again is a deliberate overwrite of the other change, not another 409."""
    message = str(exc)
    if not isinstance(exc.current, int):  # deleted, or a form without a version
        return message
    for form in forms.values():
        if isinstance(form, dj_forms.BaseForm) and form.is_bound and "version" in form.fields:
            raw = form.data  # a QueryDict (several values per key kept) from a POST
            data: Any = raw.copy() if isinstance(raw, QueryDict) else dict(raw)
            data[form.add_prefix("version")] = str(exc.current)
            form.data = data
            return (f"{message} What you typed is kept in the form: check the current "
                    "state first, as saving it again replaces that change.")
    return message


def _clash(form: Any, field: str, check: Callable[[], None]) -> bool:
    """Whether ``check`` (one of :mod:`modeler.schema.actions`' name checks) finds the name
    taken in the snapshot the form was checked against; the message goes on the form's
    ``field``. The edit's ``change`` checks again under the lock."""
    try:
        check()
    except ValueError as exc:
        form.add_error(field, str(exc))
        return True
    return False


_SELECTED = "selected"  # _run's refused_at default: the refusal shows the same panel


def _run(ctx: _Ctx, *, action: str, summary: str, target: str | None, selected: str | None,
         change: Callable[[m.Schema], m.Schema], expect: tuple[str, str, int | None] | None,
         forms: dict[str, Any], done: dict[str, Any] | None = None,
         refused_at: str | None = _SELECTED) -> HttpResponse:
    """Apply the edit; ``selected`` is the table whose panel the answer shows, and
    ``refused_at`` the one a refusal shows (None: the overview), where the refused form is."""
    change = ways_out.wrap(ctx.request, ctx.project, target, change)
    try:
        ctx.outcome = apply_edit(design=ctx.design, actor=ctx.request.user,
                                 action=action, summary=summary, target_uid=target,
                                 change=change, expect=expect,
                                 known=(ctx.schema, ctx.revision), accepted=ctx.draw,
                                 config=ctx.config)
    except Conflict as exc:
        return _refuse(ctx, selected, 409, [_kept_input(forms, exc)], conflict=True, **forms)
    except Refused as exc:
        at = selected if refused_at == _SELECTED else refused_at
        return _refuse(ctx, at, 422, exc.reasons, refused_findings=exc.findings, **forms)
    return _done(ctx, selected, **(done or {}))


# ------------------------------------------------------------------------------ tables

def _with_lines(s: m.Schema, uid: str | None, lines: list[tuple[int, str]],
                table_name: str = "new_table") -> m.Schema:
    """``s`` with the new table's one-line columns added (``uid`` None: a dry run on a
    stand-in table, to say which line is wrong before anything is written)."""
    if not lines:
        return s
    if uid is None:
        s, uid = actions.add_table(s, name=f"{table_name}__lines", comment="dry run")
    for n, line in lines:
        try:
            parsed = _read_line(line, s, s.table(uid))
            s = _add_line(s, uid, parsed)
        except ValueError as exc:
            raise columnline.LineError(f"Line {n}: {exc}") from None
    return s


@login_required
@require_POST
def table_add(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    form = editor_forms.NewTableForm(request.POST, prefix="new")
    if not form.is_valid():
        return _refuse(ctx, None, 422, [], new_table_form=form)
    d = form.cleaned_data
    new_uid = actions.new_uid()
    if _clash(form, "name", lambda: actions.check_table_name(ctx.schema, d["namespace"],
                                                             d["name"])):
        return _refuse(ctx, None, 422, [], new_table_form=form)

    parents = ways_out.parents_from(request, "new", ctx.schema) if d["kind"] == "junction" \
        else None
    if isinstance(parents, str):
        return _refuse(ctx, None, 422, [parents], new_table_form=form)

    def change(s: m.Schema) -> m.Schema:
        # the junction's way out (parents): both parents in one edit
        out = actions.create_table(s, name=d["name"], comment=d["comment"].strip(),
                                   namespace=d["namespace"], kind=d["kind"],
                                   delete_strategy=d["delete_strategy"],
                                   subject_area=d["subject_area"], uid=new_uid,
                                   expected_rows=d.get("expected_rows"),
                                   parents=parents if isinstance(parents, tuple) else None)
        if isinstance(parents, tuple):
            return diagrams.place_new_tables(out)
        return diagrams.place_new_tables(_with_lines(out, new_uid, lines))
    lines = [(n, line) for n, line in enumerate((d.get("columns") or "").splitlines(), 1)
             if line.strip()]
    try:  # the lines' errors go next to the field, with their line number
        _with_lines(ctx.schema, None, lines, table_name=d["name"])
    except columnline.LineError as exc:
        form.add_error("columns", str(exc))
        return _refuse(ctx, None, 422, [], new_table_form=form)
    # the new table's panel takes the focus (its title: keyboard users go on from there)
    return _run(ctx, action="table.add", summary=f"added table {d['name']}", target=new_uid,
                selected=new_uid, change=change, expect=None, forms={"new_table_form": form},
                done={"table_added": True})


def _changed(kind: str, old: str, new: str) -> str:
    """An update's summary (the undo button's title, the activity log): a rename names the
    element by both names, else by its name (the same after the edit as before)."""
    return f"renamed {kind} {old} to {new}" if new != old else f"changed {kind} {old}"


@login_required
@require_POST
def table_update(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    table = ctx.table(uid)
    form = editor_forms.TableForm(request.POST, prefix="tbl")
    if not form.is_valid():
        return _refuse(ctx, uid, 422, [], table_form=form)
    d = form.cleaned_data
    if _clash(form, "name", lambda: actions.check_table_name(ctx.schema, d["namespace"],
                                                             d["name"], uid)):
        return _refuse(ctx, uid, 422, [], table_form=form)

    def change(s: m.Schema) -> m.Schema:
        return actions.update_table(s, replace(s.table(uid), **form.changes()))
    return _run(ctx, action="table.update", summary=_changed("table", table.name, d["name"]),
                target=uid,
                selected=uid, change=change,
                expect=("table", uid, _version(request, "tbl-version")),
                forms={"table_form": form})


@login_required
@require_POST
def table_move(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    """Drag: the client sends the drag delta in SVG units. Logged and undoable like any
    edit (drags of the same table in a row are one undo step, see :mod:`modeler.web.undo`)."""
    ctx = _Ctx(request, slug, design)
    table = ctx.table(uid)
    dx, dy = _delta(request.POST.get("dx", "")), _delta(request.POST.get("dy", ""))
    if dx is None or dy is None:
        return HttpResponse("dx and dy must be numbers, like 12 or -3.5", status=422,
                            content_type="text/plain")
    if abs(dx) > diagrams.MAX_DRAG or abs(dy) > diagrams.MAX_DRAG:
        return HttpResponse("move too large", status=422, content_type="text/plain")
    try:
        apply_edit(design=ctx.design, actor=request.user,
                   action="table.move", summary=f"moved table {table.name}", target_uid=uid,
                   change=lambda s: diagrams.move(s, uid, dx, dy), gated=False)
    except Refused as exc:
        return HttpResponse("; ".join(exc.reasons), status=422, content_type="text/plain")
    return trigger_client_event(HttpResponse(status=204), "schema-changed")


@login_required
@require_POST
def relayout(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    if len(ctx.schema.tables) > diagrams.inline_layout_tables():  # issue #17: background
        from modeler.web import layoutjobs

        layoutjobs.schedule_layout(ctx.design, relayout=True, actor=request.user)
    else:
        apply_edit(design=ctx.design, actor=request.user,
                   action="diagram.relayout", summary="re-laid out the diagram",
                   target_uid=None, change=lambda s: diagrams.relayout(s, diagrams.view_options(
                       diagrams.prefs_for(request.user, ctx.project), s)),
                   log=True, gated=False)
    if not request.htmx:
        return redirect("editor", *ctx.url_args())
    return trigger_client_event(HttpResponse(status=204), "schema-changed")


# ----------------------------------------------------------------------------- columns

def _column_from(form: editor_forms.ColumnForm, uid: str, old: m.Column | None) -> m.Column:
    """The column the form describes (over ``old``'s other attributes); its key order is the
    action's (:func:`~modeler.schema.actions.pk_order_for`)."""
    changes = form.changes()
    base = old or m.Column(uid=uid, name=changes["name"], type=changes["type"])
    return replace(base, **changes, identity_options=form.identity_options(base.identity_options))


@login_required
@require_POST
def column_add(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    table = ctx.table(uid)
    form = editor_forms.ColumnForm(request.POST, schema=ctx.schema, prefix="col")
    if not form.is_valid():
        return _refuse(ctx, uid, 422, [], column_form=form)
    col_uid = actions.new_uid()
    d = form.cleaned_data
    if _clash(form, "name", lambda: actions.check_column_name(table, d["name"])):
        return _refuse(ctx, uid, 422, [], column_form=form)

    def change(s: m.Schema) -> m.Schema:
        return actions.add_column(s, uid, _column_from(form, col_uid, None),
                                  primary_key=d["primary_key"], unique=d["unique"])
    return _run(ctx, action="column.add",
                summary=f"added column {table.name}.{form.cleaned_data['name']}",
                target=col_uid, selected=uid, change=change, expect=None,
                forms={"column_form": form}, done={"column_added": True})


def _read_line(line: str, s: m.Schema, table: m.Table) -> columnline.ColumnLine:
    """:func:`columnline.parse` with the room :mod:`~modeler.schema.sqlexpr` gives an
    expression (pglast prints ``a + b + ... + z`` recursing once per term): a long chain is
    read as in the full form, a line nested deeper still is a :class:`LineError`, not a
    RecursionError (a 500)."""
    try:
        with sqlexpr._deep():
            return columnline.parse(line, s, table)
    except sqlexpr.ExpressionError as exc:  # the depth; the line's own errors are LineErrors
        raise columnline.LineError(str(exc)) from None


def _add_line(s: m.Schema, uid: str, parsed: columnline.ColumnLine,
              col_uid: str | None = None) -> m.Schema:
    """``s`` with the column of a one-line entry added to table ``uid``
    (:func:`~modeler.schema.actions.add_described_column`)."""
    ref = parsed.reference
    return actions.add_described_column(
        s, uid, replace(parsed.column, uid=col_uid or actions.new_uid()),
        unique=parsed.unique, checks=parsed.checks,
        references=None if ref is None else (ref.parent.uid, ref.on_delete, ref.on_update))


@login_required
@require_POST
def column_line_add(request: AuthedRequest, slug: str, uid: str,
                    design: int | None = None) -> HttpResponse:
    """A column typed on one line (:mod:`modeler.web.columnline`): its CHECKs, UNIQUE and
    REFERENCES (a relationship, as the relationship form draws it) in the same edit."""
    ctx = _Ctx(request, slug, design)
    table = ctx.table(uid)
    form = editor_forms.ColumnLineForm(request.POST, prefix="cl")
    if not form.is_valid():
        return _refuse(ctx, uid, 422, [], column_line_form=form)
    try:
        parsed = _read_line(form.cleaned_data["line"], ctx.schema, table)
    except columnline.LineError as exc:
        form.add_error("line", str(exc))
        return _refuse(ctx, uid, 422, [], column_line_form=form)
    name, ref = parsed.column.name, parsed.reference
    if _clash(form, "line", lambda: actions.check_column_name(table, name)):
        return _refuse(ctx, uid, 422, [], column_line_form=form)
    col_uid = actions.new_uid()

    def change(s: m.Schema) -> m.Schema:
        return _add_line(s, uid, parsed, col_uid)
    return _run(ctx, action="column.add", summary=f"added column {table.name}.{name}",
                target=col_uid if ref is None else uid, selected=uid, change=change,
                expect=None, forms={"column_line_form": form},
                done={"column_added": True, "column_line_added": True})


@login_required
@require_POST
def column_update(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    table, col = ctx.element_table(uid)
    if not isinstance(col, m.Column):
        raise Http404("No such column.")
    form = editor_forms.ColumnForm(request.POST, schema=ctx.schema, prefix=f"c{col.uid[:8]}")
    if not form.is_valid():
        return _refuse(ctx, table.uid, 422, [f"{col.name}: {e}" for errs in form.errors.values()
                                             for e in errs],
                       edit_column=uid, column_bound_form=form)

    def change(s: m.Schema) -> m.Schema:
        d = form.cleaned_data
        return actions.update_column(s, _column_from(form, uid, s.column(uid)),
                                     primary_key=d["primary_key"], unique=d["unique"])
    return _run(ctx, action="column.update",
                summary=_changed("column", f"{table.name}.{col.name}",
                                 f"{table.name}.{form.cleaned_data.get('name') or col.name}"),
                target=uid, selected=table.uid, change=change,
                expect=("column", uid, _version(request, f"c{col.uid[:8]}-version")),
                forms={"edit_column": uid, "column_bound_form": form})


@login_required
@require_POST
def null_meaning(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    """The Fix of CN-01 (a nullable column without a stated NULL meaning): the findings
    panel asks for the meaning inline and this saves it on the column, as an edit."""
    ctx = _Ctx(request, slug, design)
    form = editor_forms.NullMeaningForm(request.POST)
    key = request.POST.get("key") or ""
    if not key.startswith("column:"):
        raise Http404("No such column.")
    table, col = ctx.element_table(key.removeprefix("column:"))
    if not isinstance(col, m.Column):
        raise Http404("No such column.")
    meaning = " ".join(form.cleaned_data["null_meaning"].split()) if form.is_valid() else ""
    if not meaning:
        return _refuse(ctx, table.uid, 422, [
            f"{table.name}.{col.name}: say what NULL means, in at most 300 characters "
            "(for example: not shipped yet)."])

    return _run(ctx, action="column.update",
                summary=f"said what NULL means in {table.name}.{col.name}", target=col.uid,
                selected=table.uid, change=lambda s: actions.say_null_meaning(s, col.uid, meaning),
                expect=None, forms={})


@login_required
@require_POST
def column_move(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    table, col = ctx.element_table(uid)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        return _refuse(ctx, table.uid, 422, ["Move a column up or down."])
    delta = -1 if direction == "up" else 1
    return _run(ctx, action="column.move", summary=f"moved column {table.name}.{col.name}",
                target=uid, selected=table.uid,
                change=lambda s: actions.move_column(s, uid, delta), expect=None, forms={})


# ------------------------------------------------------------------------ relationships

@login_required
@require_POST
def relationship_add(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    form = editor_forms.RelationshipForm(request.POST, schema=ctx.schema, prefix="rel")
    if not form.is_valid():
        # the overview panel carries the relationship form (and so its errors)
        return _refuse(ctx, None, 422, [], relationship_form=form)
    d = form.cleaned_data
    child, parent = ctx.table(d["child"]), ctx.table(d["parent"])
    if d["name"] and _clash(form, "name", lambda: actions.check_relationship_name(
            ctx.schema, child.uid, d["name"])):
        return _refuse(ctx, None, 422, [], relationship_form=form)

    def change(s: m.Schema) -> m.Schema:
        out = actions.draw_relationship(
            s, child_uid=d["child"], parent_uid=d["parent"],
            column_names=d["column_names"] or None, name=d["name"] or None,
            cardinality=d["cardinality"], optional=d["optional"],
            identifying=d["identifying"], on_delete=d["on_delete"] or None,
            on_update=d["on_update"] or None, deferrable=d["deferrable"],
            initially_deferred=d["initially_deferred"], match=d["match"],
            comment=d["comment"],
            backfill=d.get("backfill") or None)
        # many-to-many drew a junction table: it gets a place on the diagram
        return diagrams.place_new_tables(out) if len(out.tables) > len(s.tables) else out
    return _run(ctx, action="relationship.add",
                summary=f"drew relationship {child.name} → {parent.name}", target=None,
                selected=d["child"], change=change, expect=None,
                # the form (and so its refusal) is the overview's, not the child's panel
                forms={"relationship_form": form}, refused_at=None)


@login_required
@require_http_methods(["GET", "POST"])
def relationship_edit(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design) if request.method == "POST" else None
    if ctx is None:
        project, role, design_ = design_for(request.user, slug, design)
        schema = snapshot(design_)
        rel = _relationship(schema, uid)
        c = editor_context(request, project, role, design_, schema, selected=rel.child_table)
        c["rel"] = rel
        c["rel_form"] = editor_forms.RelationshipEditForm(element=rel, initial={
            "version": diagrams.row_version("relationship", design_, uid)})
        return render_editor(request, c)
    rel = _relationship(ctx.schema, uid)
    form = editor_forms.RelationshipEditForm(request.POST)
    # a refusal shows the relationship's form again, with its errors and ways out
    forms = {"rel": rel, "rel_form": form}
    if not form.is_valid():
        return _refuse(ctx, rel.child_table, 422, [], **forms)
    d = form.cleaned_data
    if _clash(form, "name", lambda: actions.check_relationship_name(
            ctx.schema, rel.child_table, d["name"], uid)):
        return _refuse(ctx, rel.child_table, 422, [], **forms)

    def change(s: m.Schema) -> m.Schema:
        return actions.update_relationship(s, uid, **form.changes())
    return _run(ctx, action="relationship.update",
                summary=_changed("relationship", rel.name, d.get("name") or rel.name),
                target=uid, selected=rel.child_table, change=change,
                expect=("relationship", uid, d.get("version")), forms=forms)


# ----------------------------------------------------- indexes, constraints, patterns

def _table_child(request: AuthedRequest, slug: str, uid: str, design: int | None,
                 form_cls: type[Any],
                 prefix: str, action: str,
                 build: Callable[[m.Table, dict[str, Any]], tuple[Any, str]]) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    table = ctx.table(uid)
    form = form_cls(request.POST, table=table, prefix=prefix)
    if not form.is_valid():
        return _refuse(ctx, uid, 422, [], **{_FORM_KEYS[prefix]: form})
    element, what = build(table, form.cleaned_data)
    if _clash(form, "name", lambda: actions.check_table_element_name(table, element)):
        return _refuse(ctx, uid, 422, [], **{_FORM_KEYS[prefix]: form})
    return _run(ctx, action=f"{action}.add", summary=f"added {what}", target=element.uid,
                selected=uid, change=lambda s: actions.add_table_element(s, uid, element),
                expect=None, forms={_FORM_KEYS[prefix]: form})


_FORM_KEYS = {"ix": "index_form", "uq": "unique_form", "ck": "check_form", "qp": "pattern_form"}


def _parts(uids: list[str]) -> tuple[m.IndexPart, ...]:
    return tuple(m.IndexPart(column=u.lstrip("-"), descending=u.startswith("-")) for u in uids)


@login_required
@require_POST
def index_add(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    def build(t: m.Table, d: dict[str, Any]) -> tuple[Any, str]:
        parts = _parts(d["column_uids"])
        if (d.get("expression") or "").strip():
            parts = (*parts, m.IndexPart(expression=d["expression"].strip()))
        names = [t.column(u.lstrip("-")).name for u in d["column_uids"]] or ["expr"]
        name = d.get("name") or naming.ix_name(t.name, names)
        ix = m.Index(uid=actions.new_uid(), name=name, parts=parts, unique=d["unique"],
                     method=d["method"], where=(d.get("where") or "").strip() or None,
                     include=tuple(d["include_uids"]))
        return ix, f"index {name} on {t.name}"
    return _table_child(request, slug, uid, design, editor_forms.IndexForm, "ix", "index", build)


@login_required
@require_POST
def unique_add(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    def build(t: m.Table, d: dict[str, Any]) -> tuple[Any, str]:
        names = [t.column(u).name for u in d["column_uids"]]
        name = d.get("name") or naming.uq_name(t.name, names)
        return (m.UniqueConstraint(uid=actions.new_uid(), name=name,
                                   columns=tuple(d["column_uids"]),
                                   nulls_not_distinct=d["nulls_not_distinct"]),
                f"unique constraint {name} on {t.name}")
    return _table_child(request, slug, uid, design, editor_forms.UniqueForm, "uq", "unique", build)


@login_required
@require_POST
def check_add(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    def build(t: m.Table, d: dict[str, Any]) -> tuple[Any, str]:
        name = naming.ck_name(t.name, d["name"])
        return (m.CheckConstraint(uid=actions.new_uid(), name=name,
                                  expression=d["expression"].strip()),
                f"check {name} on {t.name}")
    return _table_child(request, slug, uid, design, editor_forms.CheckForm, "ck", "check", build)


@login_required
@require_POST
def pattern_add(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    def build(t: m.Table, d: dict[str, Any]) -> tuple[Any, str]:
        return (m.QueryPattern(uid=actions.new_uid(), name=d["name"],
                               equality=tuple(u.lstrip("-") for u in d["equality_uids"]),
                               range=d["range_uid"].lstrip("-") if d["range_uid"] else None,
                               order_by=tuple(m.OrderKey(u.lstrip("-"), u.startswith("-"))
                                              for u in d["order_uids"]), hot=d["hot"]),
                f"query pattern {d['name']} on {t.name}")
    return _table_child(request, slug, uid, design, editor_forms.QueryPatternForm, "qp", "pattern",
                        build)


# ------------------------------------------------------------------------------- enums

@login_required
@require_POST
def enum_save(request: AuthedRequest, slug: str, uid: str | None = None,
              design: int | None = None) -> HttpResponse:
    ctx = _Ctx(request, slug, design)
    form = editor_forms.EnumForm(request.POST, prefix="enum")
    # an existing enum's form is its own (in its list entry), not the add form
    forms: dict[str, Any] = ({"enum_edit_form": form, "enum_edit_uid": uid} if uid
                             else {"enum_form": form})
    if not form.is_valid():
        return _refuse(ctx, None, 422, [], **forms)
    d = form.cleaned_data
    enum_uid = uid or actions.new_uid()
    namespace = d["namespace"] or "public"
    if _clash(form, "name", lambda: actions.check_type_name(ctx.schema, namespace, d["name"],
                                                            enum_uid)):
        return _refuse(ctx, None, 422, [], **forms)

    def change(s: m.Schema) -> m.Schema:
        return actions.save_enum(s, uid=enum_uid, name=d["name"], namespace=namespace,
                                 labels=d["values"], comment=d["comment"],
                                 existing=uid is not None)
    return _run(ctx, action="enum.save", summary=f"saved enum {d['name']}", target=enum_uid,
                selected=None, change=change,
                expect=("enum", enum_uid, d.get("version")) if uid else None,
                forms=forms)


# ------------------------------------------------------------------------------ delete

@login_required
@require_http_methods(["GET", "POST"])
def delete(request: AuthedRequest, slug: str, uid: str,
        design: int | None = None) -> HttpResponse:
    """GET: confirmation listing what goes with the element. POST: delete it; a POST from
    a confirmation whose list is not what would go now (``seen``: someone added or removed
    a dependent since) deletes nothing and shows the list again (409)."""
    project, _role, design_ = design_for(request.user, slug, design, "edit")
    schema = snapshot(design_)
    label, selected = _describe(schema, uid)
    dependents = edit.dependents(schema, uid)
    listed = _listed(dependents)
    seen = request.POST.get("seen")
    stale = request.method == "POST" and seen is not None and seen != listed
    if request.method == "GET" or stale:
        found = schema.locate(uid)
        # a type still used by columns is refused by edit.drop: say so, offer no Delete
        in_use = bool(dependents) and found is not None and found.kind in ("enum", "domain")
        return render(request, "editor/confirm_delete.html", {
            "project": project, "design": design_, "uid": uid, "label": label,
            "selected": selected, "dependents": dependents, "in_use": in_use,
            "seen": listed, "stale": stale}, status=409 if stale else 200)
    ctx = _Ctx(request, slug, design)
    return _run(ctx, action="element.delete", summary=f"deleted {label}", target=uid,
                selected=selected if selected != uid else None,
                change=lambda s: edit.drop(s, uid), expect=None, forms={})


def _listed(dependents: list[str]) -> str:
    """A short key of a delete confirmation's list (what goes with the element)."""
    return hashlib.sha256("\n".join(map(str, dependents)).encode()).hexdigest()[:16]


def _describe(schema: m.Schema, uid: str) -> tuple[str, str | None]:
    found = schema.locate(uid)
    if found is None or found.kind == "extension":
        raise Http404("No such element.")
    el, owner = found.element, found.table.uid if found.table is not None else None
    if isinstance(el, m.Table | m.EnumType | m.Domain):
        return f"{'table' if found.kind == 'table' else 'type'} {el.qualified_name}", owner
    if isinstance(el, m.Column) and found.table is not None:
        return f"column {found.table.name}.{el.name}", owner
    if isinstance(el, m.Relationship):
        return f"relationship {el.name}", el.child_table
    label = {"index": "index", "query_pattern": "query pattern"}.get(found.kind, "constraint")
    return f"{label} {el.name}", owner



# ------------------------------------------------------------------------- undo / redo

def _undo_or_redo(request: AuthedRequest, slug: str, design: int | None,
                  backwards: bool) -> HttpResponse:
    """Undo (or redo) the user's own newest edit of the design through the write path; a
    refusal (nothing to undo, someone changed the same elements since, a rule) is a 409
    with the reason in the panel and nothing changed."""
    from modeler.web import undo

    ctx = _Ctx(request, slug, design)
    wanted = (request.POST.get("table") or "").strip()
    try:
        step, ctx.outcome = (undo.undo if backwards else undo.redo)(
            ctx.design, request.user)
    except Refused as exc:
        return _refuse(ctx, _table_uid(ctx.schema, wanted), 409, exc.reasons)
    selected = _table_uid(ctx.outcome.new, wanted)
    verb = "Undone" if backwards else "Redone"
    return _done(ctx, selected, message=f"{verb}: {step.summary}.")


@login_required
@require_POST
def undo_edit(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    return _undo_or_redo(request, slug, design, backwards=True)


@login_required
@require_POST
def redo_edit(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    return _undo_or_redo(request, slug, design, backwards=False)
