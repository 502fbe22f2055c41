"""Issue #17: fewer database round trips per editor edit, with the same outcome.

- the project's rule levels are read once per edit (the gate and the lint of the result);
- ``undo.record`` makes room on the stack in one statement (the redo stack and the steps
  beyond :data:`~modeler.web.undo.DEPTH`), then inserts the step.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from modeler.rules import Level
from modeler.schema import actions
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import selectors, services, undo
from modeler.web.snapshot import materialize

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()


def _design(user: Any) -> db.Design:
    project = services.project_create(name="q", slug=f"rt{next(_COUNTER)}", owner=user)
    return services.main_design(project)


def _sql(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries]


def _add(client: Any, slug: str, table: str, name: str, comment: str = "c") -> Any:
    return client.post(reverse("column_add", args=[slug, table]),
                       {"col-name": name, "col-type": "text", "col-searchable": "none",
                        "col-comment": comment}, HTTP_HX_REQUEST="true")


def test_an_edit_reads_the_rule_levels_once(client: Any, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("rt1")
    design = _design(user)
    s, a = actions.add_table(m.Schema(), name="alpha", comment="A.")
    materialize(s, design)
    client.force_login(user)
    slug = design.project.slug
    with CaptureQueriesContext(connection) as q:
        r = _add(client, slug, a, "extra")
    assert r.status_code == 200, r.content[:500]
    assert len([x for x in _sql(q) if 'FROM "web_rulesetting"' in x]) == 1, _sql(q)


def test_the_one_read_of_the_levels_gates_and_lints(client: Any,
                                                     django_user_model: Any) -> None:
    """The configuration read once serves both the gate and the lint of the result: an
    uncommented column in a complex table (a JSON column) is refused at DC-02's default
    level (BLOCK) and saved, its finding in the answer, once the project lowers the rule."""
    user = django_user_model.objects.create_user("rt2")
    design = _design(user)
    s, a = actions.add_table(m.Schema(), name="alpha", comment="A.")
    s = actions.add_column(s, a, m.Column(uid=actions.new_uid(), name="doc",
                                          type=m.ColumnType(name="jsonb"), comment="d"))
    materialize(s, design)
    client.force_login(user)
    slug = design.project.slug
    refused = _add(client, slug, a, "plain", comment="")
    assert refused.status_code == 422, refused.status_code
    db.RuleSetting.objects.create(project=design.project, rule="DC-02",
                                  level=Level.ADVISE.value, reason="not here", set_by=user)
    saved = _add(client, slug, a, "plain", comment="")
    assert saved.status_code == 200, saved.content[:500]
    # the answer's badge counts what the project's levels give for the new design
    found = [f for f in selectors.design_findings(design)
             if f.target.table_uid == a and not f.waived]
    assert any(f.rule == "DC-02" and f.level is Level.ADVISE for f in found), found
    worst = min((f.level for f in found), key=lambda level: level.rank)
    assert f"{len(found)} findings, the worst {worst.value}" in saved.content.decode()


def _step(design: db.Design, user: Any, n: int,
          queries: list[CaptureQueriesContext] | None = None) -> None:
    """Record a step that adds table t<n> (``queries``: capture undo.record's)."""
    act = db.Activity.objects.create(project=design.project, design=design, actor=user,
                                     action="table.add", summary=f"s{n}",
                                     design_revision=design.revision)
    new = m.normalized(m.Schema(tables=(m.Table(uid=f"00000000-0000-0000-0000-{n:012d}",
                                                name=f"t{n}"),)))
    with CaptureQueriesContext(connection) as q:
        undo.record(design, user, act, m.Schema(), new)
    if queries is not None:
        queries.append(q)


def test_undo_record_in_two_statements(django_user_model: Any) -> None:
    """A full stack: the oldest step goes, in the statement that makes room."""
    user = django_user_model.objects.create_user("rt3")
    other = django_user_model.objects.create_user("rt4")
    design = _design(user)
    for n in range(undo.DEPTH):
        _step(design, user, n)
        _step(design, other, n)
    mine = db.UndoStep.objects.filter(design=design, user=user)
    captured: list[CaptureQueriesContext] = []
    _step(design, user, 1000, captured)
    sql = _sql(captured[0])
    assert len(sql) == 2, sql
    assert sql[0].startswith("DELETE") and sql[1].startswith("INSERT"), sql
    summaries = list(mine.order_by("id").values_list("summary", flat=True))
    assert summaries == [f"s{n}" for n in range(1, undo.DEPTH)] + ["s1000"]
    # the other user's stack is untouched
    assert db.UndoStep.objects.filter(design=design, user=other).count() == undo.DEPTH


def test_undo_record_drops_the_redo_stack(django_user_model: Any) -> None:
    """A full stack whose two newest steps were undone: those go (a new edit empties the
    redo stack), and no other step needs to."""
    user = django_user_model.objects.create_user("rt6")
    design = _design(user)
    for n in range(undo.DEPTH):
        _step(design, user, n)
    mine = db.UndoStep.objects.filter(design=design, user=user)
    newest = list(mine.order_by("-id").values_list("id", flat=True)[:2])
    mine.filter(id__in=newest).update(undone=True)
    _step(design, user, 1000)
    assert not mine.filter(undone=True).exists()
    summaries = list(mine.order_by("id").values_list("summary", flat=True))
    assert summaries == [f"s{n}" for n in range(undo.DEPTH - 2)] + ["s1000"]


def test_undo_record_below_the_depth_keeps_every_step(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("rt5")
    design = _design(user)
    for n in range(5):
        _step(design, user, n)
    mine = db.UndoStep.objects.filter(design=design, user=user)
    assert list(mine.order_by("id").values_list("summary", flat=True)) == [
        f"s{n}" for n in range(5)]
