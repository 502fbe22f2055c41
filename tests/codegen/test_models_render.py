"""``models.py`` rendering: golden text, naming edge cases, Optional exactly where nullable,
explicit names on every constraint, determinism."""

from __future__ import annotations

import ast
import os
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from modeler.codegen.models import render_models
from modeler.codegen.plan import build_plan
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema
from tests.codegen import helpers as h
from tests.codegen.designs import DESIGNS

GOLDEN = Path(__file__).parent / "golden"


def awkward() -> Schema:
    """Names that collide with Python, SQLAlchemy and each other."""
    b = SchemaBuilder()
    b.enum("status", ["new", "New", "in progress", "2fa", ""])
    st = b.table("status", comment="A lookup table named like the enum")
    st.column("id", "integer", pk=True)
    st.column("value", enum="status")
    cls = b.table("class", comment="Python keyword as a table name")
    cls.column("id", "bigint", identity="always", pk=True)
    for name, type_ in (("class", "text"), ("metadata", "jsonb"), ("registry", "text"),
                        ("1st", "integer"), ("text", "text"), ("sa", "text"),
                        ("datetime", "timestamptz"), ("relationship", "text"),
                        ("Mapped", "text"), ("status_id", "integer"), ("int", "integer")):
        cls.column(name, type_, nullable=True)
    cls.index("status_id")
    b.table("order-item", comment="Pascal-cases to OrderItem").column("id", "bigint", pk=True)
    b.table("order_item", comment="Also OrderItem").column("id", "bigint", pk=True)
    b.relationship("class", ["status_id"], "status", on_delete="SET NULL",
                   on_update="NO ACTION")
    return b.build()


def _exec_models(text: str, tmp_path: Path, name: str) -> None:
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error", sa.exc.SAWarning)
        with h.imported(tmp_path, f"{name}.models"):
            orm.configure_mappers()


def test_golden_models() -> None:
    """Golden text for the shop design (regenerate with UPDATE_GOLDEN=1)."""
    text = render_models(DESIGNS["shop"]()[-1].schema, title="Shop")
    path = GOLDEN / "shop_models.py.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_awkward_names_are_sanitized(tmp_path: Path) -> None:
    schema = awkward()
    text = render_models(schema)
    for expected in ('class_: Mapped[str | None] = mapped_column("class"',
                     'metadata_: Mapped[Any | None] = mapped_column("metadata"',
                     'registry_: Mapped[str | None] = mapped_column("registry"',
                     '_1st: Mapped[int | None] = mapped_column("1st"',
                     'sa_: Mapped[str | None] = mapped_column("sa"',
                     'datetime_: Mapped[datetime.datetime | None] = mapped_column(\n'
                     '        "datetime",',
                     'relationship_: Mapped[str | None] = mapped_column("relationship"',
                     'Mapped_: Mapped[str | None] = mapped_column("Mapped"',
                     'int_: Mapped[int | None] = mapped_column("int"',
                     "class Class(Base):", "class StatusEnum(enum.Enum):",
                     "class OrderItem(Base):", "class OrderItemModel(Base):",
                     'NEW = "new"', 'NEW_2 = "New"', 'IN_PROGRESS = "in progress"',
                     'V_2FA = "2fa"', 'X = ""'):
        assert expected in text, expected
    compile(text, "models.py", "exec")
    _exec_models(text, tmp_path, "awkward_pkg")
    plan = build_plan(schema)
    status = next(tp for tp in plan.tables if tp.table.name == "status")
    assert [rp.parent_attr for rp in status.one_to_many] == ["classes"]


def test_table_args_name_renamed_columns_by_database_name(tmp_path: Path) -> None:
    """Regression (netbox: ``_location_id``): a column whose attribute differs from its name
    is named by its database name in ``__table_args__`` (PK, unique, composite FK, index),
    which is the key SQLAlchemy resolves them with."""
    b = SchemaBuilder()
    parent = b.table("parent")
    parent.column("1st", "integer", pk=True).column("class", "integer", pk=True)
    child = b.table("child")
    child.column("_id", "bigint", pk=True).column("_parent_1st", "integer")
    child.column("class", "integer").column("_site_id", "bigint", nullable=True)
    child.unique("_parent_1st", "class", name="child_parent_uq")
    child.index("_site_id", name="child_site_ix")
    child.index("class", "-_site_id", name="child_class_site_ix")
    b.relationship("child", ["_parent_1st", "class"], "parent", name="child_parent_fk")
    text = render_models(b.build())
    assert 'sa.Index("child_site_ix", "_site_id")' in text
    _exec_models(text, tmp_path, "renamed_pkg")
    with h.imported(tmp_path, "renamed_pkg.models") as models:
        table = models.Base.metadata.tables["child"]
        got = {c.name: [col.name for col in c.columns] for c in table.constraints
               if not isinstance(c, sa.CheckConstraint)}
        got.update({i.name: [col.name for col in i.columns] for i in table.indexes})
    assert got == {
        "pk_child": ["_id"], "child_parent_uq": ["_parent_1st", "class"],
        "child_parent_fk": ["_parent_1st", "class"], "child_site_ix": ["_site_id"],
        "child_class_site_ix": ["class"]}


def _mapped_columns(text: str) -> dict[tuple[str, str], str]:
    """(table, column) -> annotation text, from the generated source."""
    out: dict[tuple[str, str], str] = {}
    for node in ast.parse(text).body:
        if not isinstance(node, ast.ClassDef):
            continue
        table = ""
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and ast.unparse(stmt.targets[0]) == "__tablename__":
                table = ast.literal_eval(stmt.value)
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.value, ast.Call)
                    and ast.unparse(stmt.value.func) == "mapped_column"):
                args = stmt.value.args
                name = (str(args[0].value) if args and isinstance(args[0], ast.Constant)
                        else ast.unparse(stmt.target))
                out[(table, name)] = ast.unparse(stmt.annotation)
    return out


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_optional_exactly_where_nullable(slug: str) -> None:
    schema = DESIGNS[slug]()[-1].schema
    columns = _mapped_columns(render_models(schema))
    expected = {(t.name, c.name): c.nullable and not c.in_pk
                for t in schema.tables for c in t.columns}
    assert set(columns) == set(expected)
    for key, nullable in expected.items():
        assert columns[key].endswith("| None]") == nullable, (key, columns[key])


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_every_constraint_and_index_is_named(slug: str) -> None:
    tree = ast.parse(render_models(DESIGNS[slug]()[-1].schema))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    named = ("sa.PrimaryKeyConstraint", "sa.UniqueConstraint", "sa.CheckConstraint",
             "sa.ForeignKey", "sa.ForeignKeyConstraint")
    for call in calls:
        func = ast.unparse(call.func)
        if func in named:
            assert any(k.arg == "name" for k in call.keywords), ast.unparse(call)
        if func == "sa.Index":
            assert isinstance(call.args[0], ast.Constant), ast.unparse(call)


def test_relationships_are_paired_and_flag_cascades() -> None:
    text = render_models(DESIGNS["shop"]()[-1].schema)
    assert ('orders: Mapped[list[Order]] = relationship(back_populates="customer", '
            "passive_deletes=True)") in text
    assert 'customer: Mapped[Customer] = relationship(back_populates="orders")' in text
    org = render_models(DESIGNS["org-chart"]()[-1].schema)
    assert 'remote_side="[Employee.id]"' in org  # self-reference
    assert org.count("use_alter=True") == 2  # department <-> employee cycle
    assert "sa.ForeignKeyConstraint(" in render_models(DESIGNS["stock"]()[-1].schema)


def test_rendering_is_deterministic() -> None:
    for factory in DESIGNS.values():
        schema = factory()[-1].schema
        assert render_models(schema) == render_models(schema)
