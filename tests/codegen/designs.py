"""Designs the export tests run end to end, each a list of saved versions.

Together they cover: named enums (public and another namespace), domains, extensions, composite
keys and composite FKs, self-references, an FK cycle (and a deferrable FK), partial,
expression, GIN/trigram/jsonb, INCLUDE, DESC/NULLS and NULLS NOT DISTINCT indexes, a
standalone sequence, generated and identity columns, reserved words as names, a table without
a primary key, a raw view, Neon settings, ORM-maintained updated_at, and across versions:
renames (column, table), drops (column, index), type changes and an added enum value; and
collations and partitions (the "partitioned" design, imported from SQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from modeler.codegen.bundle import VersionInput
from modeler.schema.builder import SchemaBuilder, stable_uid
from modeler.schema.model import (
    EnumValue,
    Index,
    IndexPart,
    RawObject,
    Schema,
    Sequence,
    Settings,
    Table,
    normalized,
)


def _v(number: int, schema: Schema, message: str, *, baseline: bool = False,
       notes: tuple[str, ...] = ()) -> VersionInput:
    return VersionInput(number=number, message=message, author="tester",
                        created=f"2026-01-{number:02d}", schema=schema, baseline=baseline,
                        notes=notes)


def shop_v1() -> Schema:
    b = SchemaBuilder(name="Shop")
    b.extension("pg_trgm")
    b.enum("order_status", ["pending", "paid", "in-progress"], comment="Order life cycle")
    b.domain("positive_amount", "numeric", precision=12, scale=2,
             checks=(("positive_amount_check", "VALUE >= 0"),), comment="Money, never negative")
    c = b.table("customer", comment="People who buy things", subject_area="sales")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", "varchar", length=320, comment="Login and contact address")
    c.column("full_name", "text", searchable="substring")
    c.column("class", "text", nullable=True, null_meaning="not classified yet")
    c.column("metadata", "jsonb", nullable=True, comment="Free-form CRM attributes")
    c.timestamps()
    c.unique("email")
    c.index(expressions=("lower((email)::text)",), name="ix_customer_lower_email", unique=True)
    p = b.table("product", comment="Things we sell", subject_area="catalog")
    p.column("id", "bigint", identity="always", pk=True)
    p.column("sku", "text")
    p.column("name", "varchar", length=200)
    p.column("price", domain="positive_amount")
    p.timestamps()
    p.unique("sku")
    p.check("ck_product_name_not_blank", "length(btrim((name)::text)) > 0")
    o = b.table("order", comment="A purchase by a customer", subject_area="sales")
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    o.column("status", enum="order_status", default="'pending'::order_status")
    o.column("total", "numeric", precision=12, scale=2, default="0")
    o.column("note", "varchar", length=200, nullable=True, null_meaning="no note")
    o.timestamps()
    o.index("customer_id")
    o.index("customer_id", "-created_at", name="ix_order_open_by_customer",
            where="(status <> 'paid'::order_status)", include=("total",))
    o.check("ck_order_total_non_negative", "total >= (0)::numeric")
    ln = b.table("order_line", comment="One product line of an order", subject_area="sales")
    ln.column("order_id", "bigint", pk=True)
    ln.column("line_no", "integer", pk=True)
    ln.column("product_id", "bigint")
    ln.column("quantity", "integer", default="1")
    ln.column("unit_price", domain="positive_amount")
    ln.timestamps()
    ln.index("product_id")
    ln.check("ck_order_line_quantity_positive", "quantity > 0")
    b.relationship("order", ["customer_id"], "customer", on_delete="CASCADE",
                   on_update="NO ACTION")
    b.relationship("order_line", ["order_id"], "order", on_delete="CASCADE",
                   on_update="NO ACTION", comment="Lines live and die with their order")
    b.relationship("order_line", ["product_id"], "product", on_delete="RESTRICT",
                   on_update="NO ACTION")
    s = b.build()
    return _with_trgm_index(s)


def _with_trgm_index(s: Schema) -> Schema:
    """The builder has no opclass argument: set the trigram part by hand."""
    cust = s.table_named("customer")
    assert cust is not None
    col = cust.column_named("full_name")
    assert col is not None
    idx = Index(uid=stable_uid("index", "public", "customer", "ix_customer_full_name_trgm"),
                name="ix_customer_full_name_trgm", method="gin",
                parts=(IndexPart(column=col.uid, opclass="gin_trgm_ops"),),
                comment="Substring search on names")
    others = tuple(i for i in cust.indexes if i.name != "ix_customer_full_name_trgm")
    return _replace_table(s, replace(cust, indexes=(*others, idx)))


def _replace_table(s: Schema, table: Table) -> Schema:
    tables = tuple(table if t.uid == table.uid else t for t in s.tables)
    return normalized(replace(s, tables=tables))


def rename_column(s: Schema, table: str, old: str, new: str) -> Schema:
    t = s.table_named(table)
    assert t is not None
    cols = tuple(replace(c, name=new) if c.name == old else c for c in t.columns)
    return _replace_table(s, replace(t, columns=cols))


def drop_column(s: Schema, table: str, name: str) -> Schema:
    t = s.table_named(table)
    assert t is not None
    col = t.column_named(name)
    assert col is not None
    return _replace_table(s, replace(t, columns=tuple(c for c in t.columns if c is not col)))


def shop_versions() -> list[VersionInput]:
    v1 = shop_v1()
    v2 = rename_column(v1, "customer", "full_name", "display_name")
    v2 = drop_column(v2, "customer", "metadata")
    order = v2.table_named("order")
    assert order is not None
    cols = tuple(replace(c, type=replace(c.type, length=None, name="text"))
                 if c.name == "note" else c for c in order.columns)
    v2 = _replace_table(v2, replace(order, columns=cols,
                                    indexes=tuple(i for i in order.indexes
                                                  if i.name != "ix_order_open_by_customer")))
    enum = v2.enums[0]
    shipped = EnumValue(uid=stable_uid("enum-value", "public", "order_status", "shipped"),
                        label="shipped")
    v2 = normalized(replace(v2, enums=(replace(enum, values=(*enum.values, shipped)),)))
    prod = v2.table_named("product")
    assert prod is not None
    v2 = _replace_table(v2, replace(prod, name="catalog_item"))
    return [_v(1, v1, "Initial shop schema"),
            _v(2, v2, "Rename full_name, drop metadata, widen note, add shipped status",
               notes=("MG-05 waived: customer.metadata was never populated (checked in prod)",))]


def org_versions() -> list[VersionInput]:
    b = SchemaBuilder(name="Org chart")
    b.enum("member_role", ["lead", "member", "observer"], namespace="hr")
    d = b.table("department", namespace="hr", comment="Organisational unit")
    d.column("id", "bigint", identity="always", pk=True)
    d.column("name", "text")
    d.column("head_id", "bigint", nullable=True, comment="Current head of the department")
    d.timestamps()
    d.unique("name")
    d.index("head_id")
    e = b.table("employee", namespace="hr", comment="A person employed by us")
    e.column("id", "bigint", identity="always", pk=True)
    e.column("department_id", "bigint")
    e.column("manager_id", "bigint", nullable=True, null_meaning="top of the hierarchy")
    e.column("salary", "numeric", precision=10, scale=2)
    e.column("hired_on", "date")
    e.column("left_on", "date", nullable=True)
    e.timestamps()
    e.index("department_id")
    e.index("manager_id")
    e.check("ck_employee_salary_non_negative", "salary >= (0)::numeric")
    e.check("ck_employee_left_after_hired", "left_on >= hired_on")
    pr = b.table("project", comment="A piece of work with members")
    pr.column("id", "bigint", identity="always", pk=True)
    pr.column("code", "char", length=8)
    pr.column("owner_id", "bigint")
    pr.timestamps()
    pr.unique("code")
    pr.index("owner_id")
    m = b.table("project_member", namespace="hr", kind="junction",
                comment="Who works on which project")
    m.column("project_id", "bigint", pk=True)
    m.column("employee_id", "bigint", pk=True)
    m.column("role", enum="hr.member_role", default="'member'::hr.member_role")
    m.column("created_at", "timestamptz", default="now()")
    m.index("employee_id")
    badge = b.table("badge", namespace="hr", comment="The access badge of one employee")
    badge.column("id", "bigint", identity="always", pk=True)
    badge.column("employee_id", "bigint")
    badge.column("serial", "text")
    badge.timestamps()
    badge.unique("employee_id")
    badge.unique("serial")
    b.relationship("badge", ["employee_id"], "employee", child_ns="hr", parent_ns="hr",
                   cardinality="one-to-one", on_delete="CASCADE", on_update="NO ACTION")
    b.relationship("department", ["head_id"], "employee", child_ns="hr", parent_ns="hr",
                   on_delete="SET NULL", on_update="NO ACTION", deferrable=True,
                   initially_deferred=True)
    b.relationship("employee", ["department_id"], "department", child_ns="hr", parent_ns="hr",
                   on_delete="RESTRICT", on_update="NO ACTION")
    b.relationship("employee", ["manager_id"], "employee", child_ns="hr", parent_ns="hr",
                   on_delete="SET NULL", on_update="NO ACTION")
    b.relationship("project", ["owner_id"], "employee", parent_ns="hr",
                   on_delete="RESTRICT", on_update="NO ACTION")
    b.relationship("project_member", ["project_id"], "project", child_ns="hr",
                   on_delete="CASCADE", on_update="NO ACTION")
    b.relationship("project_member", ["employee_id"], "employee", child_ns="hr",
                   parent_ns="hr", on_delete="CASCADE", on_update="NO ACTION")
    return [_v(1, b.build(), "Departments, employees and projects")]


def stock_versions() -> list[VersionInput]:
    b = SchemaBuilder(name="Stock")
    w = b.table("warehouse", kind="lookup", comment="A storage site, by code")
    w.column("code", "varchar", length=10, pk=True)
    w.column("city", "text")
    w.timestamps()
    bn = b.table("bin", comment="A shelf position inside a warehouse")
    bn.column("warehouse_code", "varchar", length=10, pk=True)
    bn.column("bin_no", "integer", pk=True)
    bn.column("capacity", "integer")
    bn.timestamps()
    bn.check("ck_bin_capacity_positive", "capacity > 0")
    s = b.table("stock", comment="Quantity of a SKU in a bin")
    s.column("id", "bigint", identity="by default", pk=True)
    s.column("warehouse_code", "varchar", length=10)
    s.column("bin_no", "integer")
    s.column("sku", "text", nullable=True, null_meaning="unlabelled goods")
    s.column("quantity", "integer")
    s.timestamps()
    s.unique("warehouse_code", "bin_no", "sku", nulls_not_distinct=True)
    s.check("ck_stock_quantity_non_negative", "quantity >= 0")
    t = b.table("transfer", kind="append_only", comment="Goods moved between two bins")
    t.column("id", "bigint", identity="always", pk=True)
    for side in ("from", "to"):
        t.column(f"{side}_warehouse", "varchar", length=10)
        t.column(f"{side}_bin", "integer")
    t.column("quantity", "integer")
    t.column("created_at", "timestamptz", default="now()")
    t.column("updated_at", "timestamptz", default="now()")
    t.index("from_warehouse", "from_bin")
    t.index("to_warehouse", "to_bin")
    t.index("created_at", name="ix_transfer_created_at_brin", method="brin")
    b.relationship("bin", ["warehouse_code"], "warehouse", on_delete="CASCADE",
                   on_update="CASCADE")
    b.relationship("stock", ["warehouse_code", "bin_no"], "bin", on_delete="CASCADE",
                   on_update="CASCADE")
    for side in ("from", "to"):
        b.relationship("transfer", [f"{side}_warehouse", f"{side}_bin"], "bin",
                       on_delete="RESTRICT", on_update="CASCADE")
    v1 = b.build()
    v2 = rename_column(v1, "stock", "sku", "item_sku")
    return [_v(1, v1, "Warehouses, bins, stock and transfers"),
            _v(2, v2, "Rename stock.sku to item_sku")]


def types_versions() -> list[VersionInput]:
    b = SchemaBuilder(settings=Settings(pk_policy="uuid"), name="Type zoo")
    b.extension("citext")
    b.domain("short_code", "text", not_null=True, default="'n/a'::text",
             checks=(("short_code_length", "length(VALUE) <= 12"),))
    d = b.table("document", comment="Every column type the exporter maps")
    d.column("id", "uuid", pk=True, default="gen_random_uuid()")
    d.column("serial_no", "bigint", default="nextval('document_serial_seq'::regclass)")
    d.column("title", "text")
    d.column("email", "citext", nullable=True)
    d.column("code", domain="short_code")
    d.column("body", "jsonb", default="'{}'::jsonb", comment="Rendered blocks (schema v3)")
    d.column("tags", "text", array_dims=1, default="'{}'::text[]")
    d.column("matrix", "integer", array_dims=2, nullable=True)
    d.column("search", "tsvector", nullable=True,
             generated="to_tsvector('english'::regconfig, title)")
    d.column("client_ip", "inet", nullable=True)
    d.column("mac", "macaddr", nullable=True)
    d.column("payload", "bytea", nullable=True)
    d.column("ttl", "interval", nullable=True)
    d.column("at_time", "time", nullable=True)
    d.column("on_day", "date", nullable=True)
    d.column("flag", "boolean", default="false")
    d.column("ratio", "numeric", precision=10, scale=3, nullable=True)
    d.column("score", "real", nullable=True)
    d.column("weight", "double precision", nullable=True)
    d.column("rank", "smallint", nullable=True)
    d.column("country", "char", length=2, nullable=True)
    d.column("valid", "tstzrange", nullable=True)
    d.column("pages", "int4range", nullable=True)
    d.column("xml_doc", "xml", nullable=True)
    d.column("location", "point", nullable=True)
    d.timestamps()
    d.index("body", name="ix_document_body_gin", method="gin")
    d.index("search", name="ix_document_search", method="gin")
    d.index(name="ix_document_title_fts", method="gin",
            expressions=("to_tsvector('english'::regconfig, title)",))
    d.index("-created_at", name="ix_document_created_at_desc")
    d.index("valid", name="ix_document_valid", method="gist")
    d.unique("serial_no")
    b.sequences.append(Sequence(uid=stable_uid("sequence", "document_serial_seq"),
                                name="document_serial_seq", start=1000, increment=1))
    v1 = b.build()
    v2 = rename_column(v1, "document", "payload", "blob")
    doc = v2.table_named("document")
    assert doc is not None
    cols = tuple(replace(c, type=replace(c.type, name="bigint")) if c.name == "rank" else c
                 for c in doc.columns)
    v2 = _replace_table(v2, replace(doc, columns=cols))
    return [_v(1, v1, "Documents with every type"), _v(2, v2, "Rename payload, widen rank")]


def legacy_versions() -> list[VersionInput]:
    b = SchemaBuilder(settings=Settings(provider="neon", updated_at_mode="orm"), name="Legacy")
    u = b.table("user", comment="Accounts (imported)")
    u.column("id", "integer", identity="by default", pk=True)
    u.column("from", "text", nullable=True)
    u.column("type", "text", default="'basic'::text")
    u.column("registry", "text", nullable=True)
    u.column("date", "date", nullable=True)
    u.timestamps()
    od = b.table("Order Details", comment="Imported as is, spaces and all")
    od.column("OrderID", "integer", pk=True)
    od.column("user_id", "integer")
    od.column("Quantity", "smallint", default="1")
    od.column("created_at", "timestamptz", default="now()")
    od.column("updated_at", "timestamptz", default="now()")
    od.index("user_id", name="ix_order_details_user_id", method="hash")
    log = b.table("audit_log", comment="Append-only log without a key (imported)",
                  kind="append_only")
    log.column("at", "timestamptz", default="now()")
    log.column("message", "text")
    b.relationship("Order Details", ["user_id"], "user", on_delete="CASCADE",
                   on_update="CASCADE")
    b.raw_objects.append(RawObject(
        uid=stable_uid("raw", "user_names"), kind="view", name="user_names",
        sql='CREATE VIEW public.user_names AS SELECT id, "from" FROM public."user"'))
    v1 = b.build()
    user = v1.table_named("user")
    assert user is not None
    v2 = _replace_table(v1, replace(user, columns=(*user.columns, replace(
        user.columns[1], uid=stable_uid("column", "public", "user", "nickname"),
        name="nickname", nullable=True))))
    return [_v(1, v1, "Baseline imported from the legacy database", baseline=True),
            _v(2, v2, "Add nickname")]


PARTITIONED_V1 = '''
CREATE SCHEMA app;
CREATE COLLATION app."Natural ""Sort""" (provider = icu, locale = 'und-u-kn-true');
COMMENT ON COLLATION app."Natural ""Sort""" IS 'digits sort by their value';
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE customer (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text COLLATE app."Natural ""Sort""" NOT NULL,
    code varchar(20) COLLATE "C",
    tags varchar(10)[] COLLATE "C"
);
CREATE INDEX customer_name_c ON customer (name COLLATE "C");
CREATE TABLE event (
    id bigint NOT NULL,
    customer_id bigint NOT NULL REFERENCES customer (id),
    happened_on date NOT NULL,
    kind text NOT NULL,
    note text COLLATE ci,
    PRIMARY KEY (id, happened_on),
    CONSTRAINT event_kind_check CHECK (kind <> '')
) PARTITION BY RANGE (happened_on);
CREATE INDEX event_customer ON event (customer_id);
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE event_old PARTITION OF event DEFAULT;
CREATE TABLE event_2026 PARTITION OF event FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
    PARTITION BY RANGE (happened_on);
CREATE TABLE event_2026_h1 PARTITION OF event_2026
    FOR VALUES FROM ('2026-01-01') TO ('2026-07-01');
CREATE TABLE event_2026_rest PARTITION OF event_2026 DEFAULT;
CREATE TABLE event_2024 (id bigint NOT NULL, customer_id bigint NOT NULL,
    happened_on date NOT NULL,
    kind text NOT NULL CONSTRAINT event_kind_check CHECK (kind <> ''), note text COLLATE ci);
ALTER TABLE ONLY event ATTACH PARTITION event_2024
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE bucket (id integer NOT NULL, label text) PARTITION BY HASH (id);
CREATE TABLE bucket_0 PARTITION OF bucket FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE bucket_1 PARTITION OF bucket FOR VALUES WITH (MODULUS 2, REMAINDER 1);
'''

# A partition added, one detached, a column's collation changed, a collation dropped after
# its column moves off it, an index added on the partitioned table (and its copies).
PARTITIONED_V2 = (PARTITIONED_V1
                  .replace("note text COLLATE ci", "note text")
                  .replace("CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', "
                           "deterministic = false);\n", "")
                  .replace('code varchar(20) COLLATE "C"',
                           'code varchar(20) COLLATE app."Natural ""Sort"""') + '''
CREATE TABLE event_2027 PARTITION OF event FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
ALTER TABLE event DETACH PARTITION event_old;
CREATE INDEX event_kind ON event (kind);
''')


def partitioned_versions() -> list[VersionInput]:
    """Collations (a quoted hostile name, a nondeterministic one) and partitions (range, range
    under range, hash, default; PARTITION OF and pg_dump's ATTACH)."""
    from modeler.importers import import_sql

    v1 = import_sql([("v1.sql", PARTITIONED_V1)]).schema
    v2 = import_sql([("v2.sql", PARTITIONED_V2)]).schema
    return [_v(1, v1, "Partitioned baseline", baseline=True),
            _v(2, v2, "New partition, detach the old one, collations move")]


DESIGNS: dict[str, Callable[[], list[VersionInput]]] = {
    "partitioned": partitioned_versions,
    "shop": shop_versions,
    "org-chart": org_versions,
    "stock": stock_versions,
    "type-zoo": types_versions,
    "legacy": legacy_versions,
}
