"""Issue #17: what one editor edit costs in database round trips (PostgreSQL behind PgBouncer
pays each one), and that the fewer queries write the same rows.

- ``store.sync`` runs in the edit's transaction without a savepoint of its own;
- the columns an added column moves along get their positions in one UPDATE;
- the parents' row keys are read only for what the written rows refer to (a text column:
  its table's key, no enum or domain query);
- the design's new revision comes back from the UPDATE that bumps it (no read after);
- ``apply_edit`` does not read the caller's project again.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from modeler.schema import actions
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import services
from modeler.web.editing import apply_edit
from modeler.web.snapshot import materialize, snapshot, snapshot_uncached
from modeler.web.store import sync

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()


def _design(user: Any) -> db.Design:
    project = services.project_create(name="q", slug=f"eq{next(_COUNTER)}", owner=user)
    return services.main_design(project)


def _base() -> tuple[m.Schema, str, str]:
    """Two tables (id, code, created_at, updated_at each) and an enum."""
    s, a = actions.add_table(m.Schema(), name="alpha", comment="A.")
    s, b = actions.add_table(s, name="beta", comment="B.")
    s = actions.add_column(s, a, m.Column(uid=actions.new_uid(), name="code",
                                          type=m.ColumnType(name="text"), comment="c"))
    s = actions.save_enum(s, uid=actions.new_uid(), name="mood", namespace="public",
                          labels=["ok", "sad"], comment="", existing=False)
    return s, a, b


def _versions(design: db.Design, table_uid: str) -> dict[str, int]:
    return dict(db.DbColumn.objects.filter(design=design, table__uid=table_uid)
                .values_list("name", "version"))


def _sql(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def test_added_column_writes_in_few_queries(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("eq1")
    design = _design(user)
    old, a, _ = _base()
    materialize(old, design)
    old = snapshot_uncached(design.pk)
    before = _versions(design, a)
    new = actions.add_column(old, a, m.Column(uid=actions.new_uid(), name="note",
                                              type=m.ColumnType(name="text"), comment="n"))
    # the new column goes before the audit columns: those two move down one place
    assert [c.name for c in new.table(a).columns][-3:] == ["note", "created_at", "updated_at"]
    with CaptureQueriesContext(connection) as q:
        result = sync(design, old, new, validated=True)
    sql = _sql(q)
    assert not any("SAVEPOINT" in x for x in sql), sql
    column_updates = [x for x in sql if x.startswith('UPDATE "web_column"')]
    assert len(column_updates) == 1, column_updates  # both moved columns in one statement
    assert not any('"web_enumtype"' in x or '"web_domain"' in x for x in sql), sql
    table_reads = [x for x in sql if x.startswith("SELECT") and '"web_table"' in x]
    assert len(table_reads) == 1 and " IN (" in table_reads[0], table_reads
    assert len(sql) == 4, sql  # the table's key, the moved columns, the new one, the design
    # the same rows as before: what the snapshot says, the moved columns' versions bumped
    assert snapshot_uncached(design.pk) == new
    after = _versions(design, a)
    assert after["created_at"] == before["created_at"] + 1
    assert after["updated_at"] == before["updated_at"] + 1
    assert after["id"] == before["id"] and after["code"] == before["code"]
    assert after["note"] == 1
    # the stamp the write returned is the row's
    row = db.Design.objects.filter(pk=design.pk).values_list("revision", "updated_at").get()
    assert result.stamp == row


def test_moved_and_changed_columns_both_written(django_user_model: Any) -> None:
    """A column that moved and changed is written in full, the others by position."""
    user = django_user_model.objects.create_user("eq2")
    design = _design(user)
    old, a, _ = _base()
    materialize(old, design)
    old = snapshot_uncached(design.pk)
    t = old.table(a)
    first, *rest = t.columns
    renamed = replace(rest[0], name="code2")
    new = replace(old, tables=tuple(replace(x, columns=(*rest[1:], renamed, first))
                                    if x.uid == a else x for x in old.tables))
    with CaptureQueriesContext(connection) as q:
        sync(design, old, new, validated=True)
    # the moved ones in one statement, the renamed one on its own (and its name vacated)
    assert len([x for x in _sql(q) if x.startswith('UPDATE "web_column"')]) == 3
    assert snapshot_uncached(design.pk) == new


def test_enum_and_relationship_keys_read_when_needed(django_user_model: Any) -> None:
    """A column of an enum type reads the enums' keys; a relationship its two tables'."""
    user = django_user_model.objects.create_user("eq3")
    design = _design(user)
    old, a, b = _base()
    materialize(old, design)
    old = snapshot_uncached(design.pk)
    mood = old.enums[0].uid
    new = actions.add_column(old, b, m.Column(uid=actions.new_uid(), name="mood",
                                              type=m.ColumnType(kind="enum", ref=mood),
                                              comment="how"))
    new = actions.draw_relationship(new, child_uid=b, parent_uid=a)
    with CaptureQueriesContext(connection) as q:
        sync(design, old, new, validated=True)
    assert any('"web_enumtype"' in x for x in _sql(q))
    assert snapshot_uncached(design.pk) == new
    rel = db.Relationship.objects.get(design=design)
    assert (str(rel.child_table.uid), str(rel.parent_table.uid)) == (b, a)


def test_column_add_view_reads_the_project_once(client: Any, django_user_model: Any) -> None:
    """The add-column view hands its project to the edit (no read of web_project but the
    membership's join and the snapshot's row) and reads the user's view once."""
    user = django_user_model.objects.create_user("eq5")
    design = _design(user)
    old, a, _ = _base()
    materialize(old, design)
    client.force_login(user)
    slug = design.project.slug
    with CaptureQueriesContext(connection) as q:
        r = client.post(reverse("column_add", args=[slug, a]),
                        {"col-name": "extra", "col-type": "text", "col-searchable": "none",
                         "col-comment": "e"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200, r.content[:500]
    reads = [x for x in _sql(q) if x.startswith("SELECT") and 'FROM "web_project"' in x
             and "web_membership" not in x]
    assert reads == [], reads
    # the user's view: read once for the drawing and the panel
    assert len([x for x in _sql(q) if 'FROM "web_viewprefs"' in x]) == 1, _sql(q)


def test_apply_edit_reuses_the_callers_project(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("eq4")
    design = _design(user)
    old, a, _ = _base()
    materialize(old, design)
    design = db.Design.objects.select_related("project").get(pk=design.pk)
    with CaptureQueriesContext(connection) as q:
        out = apply_edit(design=design, actor=user, action="column.add",
                         summary="added column alpha.extra", target_uid=a,
                         change=lambda s: actions.add_column(
                             s, a, m.Column(uid=actions.new_uid(), name="extra",
                                            type=m.ColumnType(name="text"), comment="e")))
    sql = _sql(q)
    assert not any(x.startswith("SELECT") and 'FROM "web_project"' in x for x in sql), sql
    # the revision the edit reports is the row's, and the snapshot read next is the new one
    assert design.revision == db.Design.objects.get(pk=design.pk).revision
    assert snapshot(design.pk) == out.new


def test_undo_state_in_one_query(django_user_model: Any) -> None:
    """The undo and redo buttons' state in one query, the same as undo.state in every
    state of the stacks (empty, edits, one undone, another user's)."""
    from modeler.web import undo
    from modeler.web.views.editor import undo_state

    user = django_user_model.objects.create_user("eq6")
    other = django_user_model.objects.create_user("eq7")
    design = _design(user)
    old, a, _ = _base()
    materialize(old, design)

    def same() -> None:
        for who in (user, other):
            with CaptureQueriesContext(connection) as q:
                got = undo_state(design, who)
            assert len(q.captured_queries) == 1
            assert got == undo.state(design, who)

    same()
    assert undo_state(design, user) == {"undo": None, "redo": None}
    for name in ("one", "two"):
        apply_edit(design=design, actor=user, action="column.add",
                   summary=f"added column alpha.{name}", target_uid=a,
                   change=lambda s, n=name: actions.add_column(
                       s, a, m.Column(uid=actions.new_uid(), name=n,
                                      type=m.ColumnType(name="text"), comment="x")))
    same()
    assert undo_state(design, user) == {"undo": "added column alpha.two", "redo": None}
    undo.undo(design, user)
    same()
    assert undo_state(design, user) == {"undo": "added column alpha.one",
                                        "redo": "added column alpha.two"}


def test_column_add_answer_reads_nothing_back(client: Any, django_user_model: Any,
                                              settings: Any) -> None:
    """The edit's answer shows the undo button from the step the edit pushed (the undo stack
    is not read after the write), and the design the permission check has just read serves
    the cached snapshot (its row is not read a second time before the edit's lock)."""
    from modeler.web import undo

    settings.SNAPSHOT_CACHE_VERIFY = False  # the tests' check of every hit reads the rows

    user = django_user_model.objects.create_user("eq8")
    design = _design(user)
    old, a, _ = _base()
    materialize(old, design)
    client.force_login(user)
    slug = design.project.slug

    def add(name: str) -> tuple[Any, list[str]]:
        with CaptureQueriesContext(connection) as q:
            r = client.post(reverse("column_add", args=[slug, a]),
                            {"col-name": name, "col-type": "text", "col-searchable": "none",
                             "col-comment": "e"}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200, r.content[:500]
        return r, _sql(q)

    add("first")  # this process now holds the design's snapshot at its revision
    r, sql = add("second")
    undo_reads = [x for x in sql if x.startswith("SELECT") and '"web_undostep"' in x]
    assert undo_reads == [], undo_reads
    design_reads = [x for x in sql if x.startswith("SELECT") and 'FROM "web_design"' in x
                    and "FOR UPDATE" not in x]
    assert len(design_reads) == 1, design_reads  # the permission check's
    # which also read the user's view and the baseline's findings: no query of their own
    assert not [x for x in sql if x.startswith(('SELECT "web_viewprefs"',
                                                'SELECT "web_version"'))], sql
    assert len([x for x in sql if x.startswith('SELECT "web_membership"')]) == 0, sql
    # what the buttons say is the stack's state
    assert undo.state(design, user) == {"undo": "added column alpha.second", "redo": None}
    assert 'title="Undo: added column alpha.second (Ctrl+Z)"' in r.content.decode()
    assert 'id="redo-button" class="small" aria-keyshortcuts="Control+Shift+Z" disabled' \
        in r.content.decode()
    # and the rows hold both columns
    assert {"first", "second"} <= {c.name for c in snapshot(design.pk).table(a).columns}



def test_design_for_editing_reads_what_design_for_and_the_edit_read(
        django_user_model: Any) -> None:
    """One query gives the project, the role, the design, the user's stored view options and
    the baseline's findings, the same as the queries it replaces; every refusal is
    design_for's own, with its message."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from modeler.web import diagrams, ruling
    from modeler.web.permissions import design_for, design_for_editing

    owner = django_user_model.objects.create_user("eq10")
    viewer = django_user_model.objects.create_user("eq11")
    stranger = django_user_model.objects.create_user("eq12")
    design = _design(owner)
    project = design.project
    db.Membership.objects.create(project=project, user=viewer, role="viewer")
    slug = project.slug

    with CaptureQueriesContext(connection) as q:
        got_project, role, got_design, extras = design_for_editing(owner, slug, None)
    assert len(q.captured_queries) == 1, _sql(q)
    assert (got_project, role, got_design) == design_for(owner, slug, None, "edit")
    assert extras == {"prefs": None, "baseline": None}  # nothing stored yet
    assert got_design.project is got_project

    db.ViewPrefs.objects.create(project=project, user=owner,
                                options={"detail": "keys", "labels": "off"})
    db.ViewPrefs.objects.create(project=project, user=viewer, options={"detail": "names"})
    findings = [{"rule": "NM-01", "key": "table:x", "level": "warn"},
                {"rule": "DC-01", "level": "advise"}]
    for number, baseline in ((1, True), (2, False)):
        db.Version.objects.create(project=project, number=number, message="m", author=owner,
                                  schema_json="{}", baseline=baseline,
                                  findings=findings if baseline else [{"rule": "X", "key": "y"}])
    _, _, _, extras = design_for_editing(owner, slug, None)
    assert {**diagrams.DEFAULT_PREFS, **extras["prefs"]} == diagrams.prefs_for(owner, project)
    assert ruling.keys_of(extras["baseline"]) == ruling.baseline_keys(project) \
        == {("NM-01", "table:x")}

    # a proposal's working design by its id
    proposal = db.Design.objects.create(project=project, kind=db.Design.Kind.PROPOSAL)
    assert design_for_editing(owner, slug, proposal.pk)[2] == proposal

    def refusal(call: Any) -> tuple[type, str]:
        try:
            call()
        except (Http404, PermissionDenied) as exc:
            return type(exc), str(exc)
        raise AssertionError("not refused")

    for who, design_id in ((viewer, None), (stranger, None), (owner, 10**9),
                           (viewer, proposal.pk)):
        assert refusal(lambda w=who, d=design_id: design_for_editing(w, slug, d)) == \
            refusal(lambda w=who, d=design_id: design_for(w, slug, d, "edit"))
    assert refusal(lambda: design_for_editing(owner, "no-such", None))[0] is Http404
    proposal.locked = True
    proposal.save(update_fields=["locked"])
    assert refusal(lambda: design_for_editing(owner, slug, proposal.pk)) == \
        refusal(lambda: design_for(owner, slug, proposal.pk, "edit"))
    assert refusal(lambda: design_for_editing(owner, slug, proposal.pk))[0] is PermissionDenied
