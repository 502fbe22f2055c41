"""Rows → snapshot → rows: bounded queries, exact round trips, atomic materialize."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modeler.schema import model as m
from modeler.schema import serialize
from modeler.schema.builder import SchemaBuilder
from modeler.schema.validate import InvalidSchema
from modeler.web import services
from modeler.web.models import DbColumn, DbTable, Design
from modeler.web.snapshot import materialize, snapshot

pytestmark = pytest.mark.django_db


def test_tests_run_on_postgresql() -> None:
    import os
    if os.environ.get("TEST_DB") == "sqlite":
        pytest.skip("TEST_DB=sqlite asked for the quick SQLite loop")
    assert connection.vendor == "postgresql"


def rich_schema(settings: m.Settings) -> m.Schema:
    """One of every element kind."""
    b = SchemaBuilder(settings=settings, name="shop")
    b.extension("citext").extension("pg_trgm", namespace="public")
    b.enum("order_status", ["new", "paid", "shipped"], comment="Lifecycle of an order")
    b.domain("positive_money", "numeric", precision=12, scale=2, not_null=True,
             checks=(("positive", "VALUE >= 0"),))
    c = b.table("customer", comment="People who buy things", subject_area="sales",
                color="#aabbcc", position=m.Position(10.5, -20.0))
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", custom="citext", comment="Login", searchable="substring")
    c.column("nickname", "varchar", length=40, nullable=True, null_meaning="not chosen yet")
    c.column("tags", "text", array_dims=1, default="'{}'::text[]")
    c.timestamps()
    c.unique("email").index(expressions=("lower(nickname)",), name="ix_customer_lower_nick",
                            where="nickname IS NOT NULL", method="btree")
    c.query_pattern("by_email", equality=("email",), hot=True)
    o = b.table("purchase", namespace="sales", comment="An order placed by a customer",
                kind="entity", delete_strategy="soft")
    o.column("id", "uuid", default="gen_random_uuid()", pk=True)
    o.column("customer_id", "bigint")
    o.column("status", enum="order_status", frequently_queried=True)
    o.column("total", domain="positive_money")
    o.column("customer_email", "text", comment="copy for invoices",
             denormalized=m.Denormalization("customer.email", "trigger", "invoices are legal "
                                            "documents and must keep the address used"))
    o.column("deleted_at", "timestamptz", nullable=True)
    o.timestamps()
    o.index("customer_id", "-created_at", include=("status",))
    o.check("total_small", "total < 1000000")
    o.query_pattern("recent", equality=("customer_id",), range_="created_at",
                    order_by=("-created_at",))
    b.relationship("purchase", ["customer_id"], "customer", child_ns="sales",
                   on_delete="RESTRICT", on_update="NO ACTION", deferrable=True,
                   initially_deferred=True, comment="who ordered")
    schema = b.build()
    seq = m.Sequence(uid="00000000-0000-4000-8000-000000000001", name="invoice_no",
                     start=1000, increment=1, owned_by_table=c.table.uid,
                     owned_by_column=c.col_uid("id"))
    raw = m.RawObject(uid="00000000-0000-4000-8000-000000000002", kind="view",
                      name="v_customer", sql="CREATE VIEW v_customer AS SELECT 1")
    return m.normalized(m.Schema(**{**{f: getattr(schema, f) for f in (
        "tables", "relationships", "enums", "domains", "extensions")},
        "sequences": (seq,), "raw_objects": (raw,), "settings": settings, "name": "shop"}))


def _design(user: Any) -> Design:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    return services.main_design(project)


def test_materialize_then_snapshot_is_identity(user: Any) -> None:
    design = _design(user)
    schema = rich_schema(design.project.settings)
    materialize(schema, design)
    again = snapshot(design)
    assert again == schema
    assert serialize.dumps(again) == serialize.dumps(schema)


def test_materialize_replaces_and_is_atomic(user: Any) -> None:
    design = _design(user)
    schema = rich_schema(design.project.settings)
    materialize(schema, design)
    broken = m.Schema(tables=(m.Table(uid=str(uuid.uuid4()), name="t", columns=(
        m.Column(uid=str(uuid.uuid4()), name="x",
                 type=m.ColumnType(kind="enum", ref=str(uuid.uuid4()))),)),))
    with pytest.raises(InvalidSchema, match="its enum type does not exist"):
        materialize(broken, design)
    assert snapshot(design) == schema  # nothing half-written


def test_snapshot_query_count_is_bounded(user: Any) -> None:
    design = _design(user)
    b = SchemaBuilder(settings=design.project.settings, name="shop")
    for i in range(60):
        t = b.table(f"t{i}", comment="synthetic table")
        t.column("id", "bigint", identity="always", pk=True)
        for j in range(5):
            t.column(f"c{j}", "text")
        if i:
            t.column("parent_id", "bigint").index("parent_id")
    for i in range(1, 60):
        b.relationship(f"t{i}", ["parent_id"], f"t{i - 1}", on_delete="CASCADE",
                       on_update="NO ACTION")
    materialize(b.build(), design)
    with CaptureQueriesContext(connection) as small:
        snapshot(design)
    assert len(small) <= 5
    rich = rich_schema(design.project.settings)
    materialize(rich, design)
    with CaptureQueriesContext(connection) as full:
        snapshot(design)
    assert len(full) <= 12  # one per element kind present, plus the design row


def test_column_rows_keep_design_scope(user: Any) -> None:
    design = _design(user)
    materialize(rich_schema(design.project.settings), design)
    assert DbColumn.objects.exclude(design=design).count() == 0
    assert set(DbTable.objects.values_list("namespace", flat=True)) == {"public", "sales"}


def test_sync_writes_only_what_changed(user: Any) -> None:
    from modeler.schema import edit
    from modeler.web.store import sync

    design = _design(user)
    schema = rich_schema(design.project.settings)
    materialize(schema, design)
    customer = schema.table_named("customer")
    assert customer is not None
    nick = customer.column_named("nickname")
    assert nick is not None
    renamed = edit.put_column(schema, customer.uid,
                              m.Column(uid=nick.uid, name="handle", type=nick.type,
                                       nullable=True, null_meaning="not chosen yet"))
    before = DbColumn.objects.get(uid=nick.uid).version
    index = next(i for i in renamed.table(customer.uid).indexes
                 if i.name == "ix_customer_lower_nick")
    # the index's expression and predicate follow the rename, as in PostgreSQL
    assert (index.parts[0].expression, index.where) == ("lower(handle)", "handle IS NOT NULL")
    result = sync(design, schema, renamed)
    assert (result.created, result.changed, result.deleted) == (0, 2, 0)
    assert DbColumn.objects.get(uid=nick.uid).version == before + 1
    assert snapshot(design) == renamed
    dropped = edit.drop(renamed, customer.uid)
    assert not any(r.parent_table == customer.uid for r in dropped.relationships)
    sync(design, renamed, dropped)
    assert snapshot(design) == dropped
    assert sync(design, dropped, dropped).empty


# ------------------------------------------------------------------ the snapshot cache

def _uncached_reads(design: Design) -> int:
    with CaptureQueriesContext(connection) as seen:
        snapshot(design)
    return len(seen)


def test_second_read_of_a_revision_takes_one_query(user: Any, settings: Any) -> None:
    settings.SNAPSHOT_CACHE_VERIFY = False  # count the cache's own queries only
    design = _design(user)
    materialize(rich_schema(design.project.settings), design)
    first = _uncached_reads(design)
    assert first > 5
    assert _uncached_reads(design) == 1
    assert snapshot(design) is snapshot(design)  # shared, immutable


def test_every_write_path_invalidates(user: Any) -> None:
    from modeler.schema import edit
    from modeler.web.editing import apply_edit

    design = _design(user)
    schema = rich_schema(design.project.settings)
    materialize(schema, design)
    assert snapshot(design) == schema
    table = schema.table_named("customer")
    assert table is not None
    out = apply_edit(design=design, actor=user, action="table.rename", summary="rename",
                     target_uid=table.uid, gated=False,
                     change=lambda s: edit.put_table(s, replace(s.table(table.uid),
                                                                name="client")))
    assert snapshot(design) == out.new
    assert snapshot(design).table(table.uid).name == "client"
    materialize(m.Schema(settings=schema.settings, name="shop"), design)  # emptied
    assert snapshot(design).tables == ()


def test_a_write_that_skips_the_revision_is_caught(user: Any) -> None:
    from modeler.web.snapshot import StaleSnapshot

    design = _design(user)
    materialize(rich_schema(design.project.settings), design)
    snapshot(design)
    DbColumn.objects.filter(design=design, name="nickname").update(comment="sneaky")
    with pytest.raises(StaleSnapshot, match="differs from the rows"):
        snapshot(design)


def test_project_settings_are_not_cached_with_the_rows(user: Any) -> None:
    design = _design(user)
    materialize(rich_schema(design.project.settings), design)
    before = snapshot(design)
    project = design.project
    project.pg_version = 14 if before.settings.pg_version != 14 else 15
    project.save()
    after = snapshot(design)
    assert after.settings.pg_version == project.pg_version
    assert after.tables == before.tables
