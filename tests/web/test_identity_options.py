"""An identity's sequence options in the web layer: stored in the rows and read back (sync
included), and the column form's START WITH and INCREMENT BY (the other options kept, all of
them gone with the identity)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import editor_forms, services
from modeler.web import models as db
from modeler.web.snapshot import materialize, snapshot_uncached
from modeler.web.store import sync
from tests.web.test_editor import HX, add_table, editor, project, schema_of, table_uid

__all__ = ["editor", "project"]  # the editor tests' fixtures

UID = "00000000-0000-4000-8000-0000000000{:02d}".format


def _id(**kw: Any) -> m.Column:
    return m.Column(uid=UID(2), name="id", type=m.ColumnType(name="bigint"), identity="always",
                    pk_order=1, **kw)


@pytest.mark.django_db
def test_identity_options_are_stored_and_read(django_user_model: Any) -> None:
    user = django_user_model.objects.create(username="identity")
    project = services.project_create(name="p", slug="identity", owner=user)
    design = services.main_design(project)
    a = m.normalized(m.Schema(tables=(m.Table(uid=UID(1), name="ticket", columns=(
        _id(identity_options=m.IdentityOptions(start=1000, increment=10, cycle=True)),)),),
        settings=project.settings, name=project.slug))
    materialize(a, design)
    assert snapshot_uncached(design.pk) == a
    assert db.DbColumn.objects.get(design=design, name="id").identity_options == {
        "start": 1000, "increment": 10, "cycle": True}
    t = a.tables[0]
    b = dataclasses.replace(a, tables=(dataclasses.replace(t, columns=(
        dataclasses.replace(t.columns[0], identity_options=m.IdentityOptions(cache=20)),)),))
    sync(design, a, b)
    assert snapshot_uncached(design.pk) == b
    c = dataclasses.replace(b, tables=(dataclasses.replace(t, columns=(
        dataclasses.replace(t.columns[0], identity_options=None),)),))
    sync(design, b, c)
    assert snapshot_uncached(design.pk) == c


def _posted(column: m.Column, **changed: Any) -> editor_forms.ColumnForm:
    schema = m.Schema(tables=(m.Table(uid="t", name="ticket", columns=(column,)),))
    initial = editor_forms.ColumnForm.initial_for(column, 3)
    data = {k: v for k, v in {**initial, **changed}.items() if v not in (None, False)}
    form = editor_forms.ColumnForm(data, schema=schema)
    assert form.is_valid(), form.errors
    return form


def test_the_column_form_sets_start_and_increment_and_keeps_the_rest() -> None:
    column = _id(identity_options=m.IdentityOptions(start=1000, increment=10, cache=20))
    form = _posted(column)
    assert form.identity_options(column.identity_options) == column.identity_options
    changed = _posted(column, identity_start=5, identity_increment="")
    assert changed.identity_options(column.identity_options) == m.IdentityOptions(start=5,
                                                                                  cache=20)
    # a start equal to the default is the default
    assert _posted(column, identity_start=1, identity_increment="").identity_options(
        m.IdentityOptions()) is None
    assert _posted(column, identity="").identity_options(column.identity_options) is None


def test_the_column_form_shows_the_options() -> None:
    column = _id(identity_options=m.IdentityOptions(start=1000, increment=10))
    initial = editor_forms.ColumnForm.initial_for(column, 3)
    assert (initial["identity_start"], initial["identity_increment"]) == (1000, 10)
    plain = editor_forms.ColumnForm.initial_for(_id(), 3)
    assert (plain["identity_start"], plain["identity_increment"]) == (None, None)


@pytest.mark.django_db
def test_start_and_increment_through_the_editor(editor: Client, project: Any) -> None:
    """The edit form of an identity column sets START WITH and INCREMENT BY (saved, shown
    when edited again); clearing the identity clears them."""
    add_table(editor, "ticket")
    uid = table_uid(project, "ticket")
    col = schema_of(project).table(uid).columns[0]
    assert col.identity is not None
    prefix = f"c{col.uid[:8]}"

    def post(status: int = 200, **fields: str) -> str:
        data = {f"{prefix}-name": col.name, f"{prefix}-type": col.type.name,
                f"{prefix}-primary_key": "on", f"{prefix}-searchable": "none",
                f"{prefix}-comment": "The ticket's number",
                f"{prefix}-version": str(db.DbColumn.objects.get(uid=col.uid).version),
                **{f"{prefix}-{k}": v for k, v in fields.items()}}
        r = editor.post(reverse("column_update", args=["shop", col.uid]), data, **HX)
        assert r.status_code == status, r.content[:400]
        return r.content.decode()

    post(identity=col.identity, identity_start="1000", identity_increment="10")
    saved = schema_of(project).table(uid).column(col.uid)
    assert saved.identity_options == m.IdentityOptions(start=1000, increment=10)
    # PostgreSQL would refuse it: so does the editor, saying why
    refused = post(422, identity=col.identity, identity_start="0")
    assert "START value (0) must lie within MINVALUE and MAXVALUE" in refused
    assert schema_of(project).table(uid).column(col.uid).identity_options == saved.identity_options
    panel = editor.get(reverse("table_panel", args=["shop", uid]), {"column": col.uid},
                       **HX).content.decode()
    assert f'name="{prefix}-identity_start" value="1000"' in panel
    post(default="0")  # no identity: no options either
    saved = schema_of(project).table(uid).column(col.uid)
    assert (saved.identity, saved.identity_options) == (None, None)
