"""The declarative rows ↔ snapshot map (modeler/web/fieldmap.py): every field of a design
element model and every attribute of a snapshot element is mapped or explicitly left out,
rows written from the map read back as the same snapshot (update paths included), and the
editor forms' initial values and cleaned data go through the same map."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from django.apps import apps
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.web import editor_forms, services
from modeler.web import fieldmap as fm
from modeler.web import models as db
from modeler.web.snapshot import materialize, snapshot_uncached
from modeler.web.store import sync
from tests.diff.mutations import mutate
from tests.strategies import schemas

_COUNTER = itertools.count()


def _element_models() -> list[type[db.Element]]:
    return [model for model in apps.get_app_config("web").get_models()
            if issubclass(model, db.Element)]


def test_every_element_model_field_is_mapped_or_excluded() -> None:
    kinds_of: dict[type, list[fm.KindMap]] = {}
    for kind in fm.KINDS:
        kinds_of.setdefault(kind.model, []).append(kind)
    models = _element_models()
    assert set(kinds_of) == set(models), "a design element model without a field map"
    for model in models:
        covered = fm.ELEMENT_FIELDS.union(*(k.model_fields for k in kinds_of[model]))
        names = {f.name for f in model._meta.get_fields() if f.concrete}
        missing = names - covered
        assert not missing, (f"{model.__name__}: {sorted(missing)} in no field map of "
                             "modeler/web/fieldmap.py (map them or name them in unmapped)")
        assert covered - fm.ELEMENT_FIELDS <= names, f"{model.__name__}: the map names " \
            f"fields the model lacks: {sorted(covered - fm.ELEMENT_FIELDS - names)}"


@pytest.mark.parametrize("kind", fm.KINDS, ids=lambda k: k.element.__name__)
def test_every_snapshot_attribute_is_mapped_or_a_child(kind: fm.KindMap) -> None:
    attrs = [a.attr for a in kind.attrs]
    assert len(attrs) == len(set(attrs)), "an attribute mapped twice"
    wanted = {f.name for f in dataclasses.fields(kind.element)}
    assert wanted == set(attrs) | set(kind.children)


def test_a_lookup_is_read_once_per_query() -> None:
    for kind in fm.KINDS:
        assert len(kind.lookups) == len(set(kind.lookups)), kind.element.__name__


def _names(s: m.Schema) -> dict[tuple[Any, ...], str]:
    """The uid of each named element, by what makes its name unique (columns per table,
    the rest per design and kind)."""
    out: dict[tuple[Any, ...], str] = {}
    for t in s.tables:
        out["table", t.namespace, t.name] = t.uid
        out.update({("column", t.uid, c.name): c.uid for c in t.columns})
        named: tuple[Any, ...] = (*t.indexes, *t.uniques, *t.checks)
        out.update({("index", x.name): x.uid for x in named})
        out.update({("pattern", t.uid, q.name): q.uid for q in t.query_patterns})
    groups: tuple[tuple[Any, ...], ...] = (s.enums, s.domains, s.sequences, s.collations,
                                           s.extensions, s.relationships)
    for group in groups:
        out.update({(type(x).__name__, getattr(x, "namespace", None), x.name): x.uid
                    for x in group})
    return out


def compressed(data: Any, s: m.Schema) -> m.Schema:
    """``s`` with a drawn compression on some columns (the shared strategies predate it)."""
    pick = st.sampled_from((None, None, "pglz", "lz4"))
    return dataclasses.replace(s, tables=tuple(
        dataclasses.replace(t, columns=tuple(
            dataclasses.replace(c, compression=data.draw(pick)) for c in t.columns))
        for t in s.tables))


@pytest.mark.django_db
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(data=st.data())
def test_sync_then_read_is_the_new_snapshot(django_user_model: Any, data: Any) -> None:
    """materialize(a), sync(a → b) for b an edit of a, read: b (changed rows are written
    from the map too). Not an unrelated b: sync creates tables before it drops the old ones
    (a version restore replaces all rows with materialize instead)."""
    user, _ = django_user_model.objects.get_or_create(username="fieldmap")
    project = services.project_create(name="p", slug=f"fm{next(_COUNTER)}", owner=user)
    design = services.main_design(project)

    def here(s: m.Schema) -> m.Schema:
        return m.normalized(dataclasses.replace(s, settings=project.settings,
                                                name=project.slug))
    first = compressed(data, data.draw(schemas()))
    a, b = here(first), here(compressed(data, mutate(data.draw, first)))
    # sync creates before it deletes: a name passed from a dropped element to a new one in
    # one step is not an edit the editor makes
    old_names = _names(a)
    assume(all(old_names.get(k, u) == u for k, u in _names(b).items()))
    materialize(a, design)
    sync(design, a, b)
    assert snapshot_uncached(design.pk) == b


def _column(**kw: Any) -> m.Column:
    kw.setdefault("uid", "c1")
    return m.Column(name="price", type=m.ColumnType(name="numeric", precision=10,
                                                               scale=2), **kw)


@pytest.mark.parametrize("column", [
    _column(),
    _column(nullable=True, default="0", comment="What it costs", null_meaning="unknown",
            searchable="fulltext", frequently_queried=True, backfill="0"),
    _column(identity="always", pk_order=1, compression="lz4"),
])
def test_column_form_round_trip(column: m.Column) -> None:
    """A column form posted with its initial values changes nothing."""
    schema = m.Schema(tables=(m.Table(uid="t", name="item", columns=(column,)),))
    initial = editor_forms.ColumnForm.initial_for(column, 3, unique=False)
    data = {k: v for k, v in initial.items() if v not in (None, False)}
    form = editor_forms.ColumnForm(data, schema=schema)
    assert form.is_valid(), form.errors
    assert dataclasses.replace(column, **form.changes()) == column
    assert initial["primary_key"] == column.in_pk and initial["version"] == 3
    started = editor_forms.ColumnForm(schema=schema, element=column, initial={"version": 3})
    assert started.initial == initial


def test_table_and_relationship_forms_round_trip() -> None:
    table = m.Table(uid="t", name="item", comment="One thing for sale", kind="entity",
                    subject_area="sales", color="#aabbcc", expected_rows=1000)
    form = editor_forms.TableForm(editor_forms.TableForm.initial_for(table))
    assert form.is_valid(), form.errors
    assert editor_forms.TableForm(element=table).initial == editor_forms.TableForm.initial_for(
        table)
    assert dataclasses.replace(table, **form.changes()) == table
    rel = m.Relationship(uid="r", name="fk_a_b", child_table="a", child_columns=("x",),
                         parent_table="b", parent_columns=("id",), on_delete="CASCADE",
                         on_update="NO ACTION", deferrable=True, match="FULL", comment="who")
    data = {k: v for k, v in editor_forms.RelationshipEditForm.initial_for(rel).items()
            if v not in (None, False)}
    assert editor_forms.RelationshipEditForm(element=rel, initial={"version": 2}).initial == {
        **editor_forms.RelationshipEditForm.initial_for(rel), "version": 2}
    rel_form = editor_forms.RelationshipEditForm(data)
    assert rel_form.is_valid(), rel_form.errors
    assert dataclasses.replace(rel, **rel_form.changes()) == rel


@pytest.mark.django_db
def test_compression_is_stored_and_read(django_user_model: Any) -> None:
    """The one-attribute exercise: a column's compression through the rows, written and
    changed by sync, read back."""
    user = django_user_model.objects.create(username="compression")
    project = services.project_create(name="p", slug="compression", owner=user)
    design = services.main_design(project)
    uid = "00000000-0000-4000-8000-0000000000{:02d}".format
    a = m.normalized(m.Schema(tables=(m.Table(uid=uid(1), name="doc", columns=(
        _column(compression="lz4", uid=uid(2)),
        m.Column(uid=uid(3), name="body", type=m.ColumnType()))),),
        settings=project.settings, name=project.slug))
    materialize(a, design)
    assert snapshot_uncached(design.pk) == a
    assert db.DbColumn.objects.get(design=design, name="price").compression == "lz4"
    t = a.tables[0]
    b = dataclasses.replace(a, tables=(dataclasses.replace(t, columns=(
        dataclasses.replace(t.columns[0], compression=None),
        dataclasses.replace(t.columns[1], compression="pglz"))),))
    sync(design, a, b)
    assert snapshot_uncached(design.pk) == b


@pytest.mark.django_db
def test_match_is_stored_and_read(django_user_model: Any) -> None:
    """A relationship's MATCH FULL through the rows, written and changed by sync, read back."""
    user = django_user_model.objects.create(username="match")
    project = services.project_create(name="p", slug="match", owner=user)
    design = services.main_design(project)
    uid = "00000000-0000-4000-8000-0000000000{:02d}".format
    a = m.normalized(m.Schema(tables=(
        m.Table(uid=uid(1), name="parent", columns=(
            m.Column(uid=uid(2), name="id", type=m.ColumnType(name="bigint"), pk_order=1),)),
        m.Table(uid=uid(3), name="child", columns=(
            m.Column(uid=uid(4), name="parent_id", type=m.ColumnType(name="bigint")),))),
        relationships=(m.Relationship(uid=uid(5), name="fk_child", child_table=uid(3),
                                      child_columns=(uid(4),), parent_table=uid(1),
                                      parent_columns=(uid(2),), match="FULL"),),
        settings=project.settings, name=project.slug))
    materialize(a, design)
    assert snapshot_uncached(design.pk) == a
    assert db.Relationship.objects.get(design=design).match == "FULL"
    b = dataclasses.replace(a, relationships=(dataclasses.replace(a.relationships[0],
                                                                  match="SIMPLE"),))
    sync(design, a, b)
    assert snapshot_uncached(design.pk) == b
    assert db.Relationship.objects.get(design=design).match == "SIMPLE"
