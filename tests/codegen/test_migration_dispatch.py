"""Issue 15: the revision renderer dispatches by op class (Alembic's ``dispatch_for`` shape)
and collects the imports of the statements it renders instead of reading the rendered text."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import modeler.diff
from modeler.codegen.migration import _creates, _drops, render_ops, render_revision
from modeler.codegen.migration_code import Call, execute
from modeler.codegen.migration_ctx import MissingRenderer, RenderCtx, Renderers
from modeler.codegen.migration_ops import RENDERERS
from modeler.diff import (
    CreateRawObject,
    CreateTable,
    DropTable,
    Op,
    ReorderColumns,
    SetComment,
    SetMetadata,
    diff,
    reverse_all,
)
from modeler.schema import model as m

SA = "import sqlalchemy as sa"


def _op_classes() -> set[type[Op]]:
    """Every op class the differ defines (its modules imported, subclasses walked)."""
    for info in pkgutil.iter_modules(modeler.diff.__path__):
        importlib.import_module(f"modeler.diff.{info.name}")
    found: set[type[Op]] = set()
    todo = list(Op.__subclasses__())
    while todo:
        cls = todo.pop()
        # (a slots dataclass replaces its class: the one its module names is the op)
        module = sys.modules[cls.__module__]
        if cls.__module__.startswith("modeler.diff.") and getattr(module, cls.__name__) is cls:
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_op_class_of_the_differ_has_a_renderer() -> None:
    classes = _op_classes()
    assert len(classes) > 40  # the walk found the differ's ops
    missing = sorted(c.__name__ for c in classes - RENDERERS.registered())
    assert missing == []


@dataclass(frozen=True)
class _Unknown(Op):
    def apply(self, schema: m.Schema) -> m.Schema:
        return schema

    def describe(self) -> str:
        return "an op nobody renders"


def test_an_op_without_a_renderer_is_a_clear_error() -> None:
    with pytest.raises(MissingRenderer, match=r"no migration renderer for op _Unknown"):
        render_ops([_Unknown()], m.Schema(), safe=False)


def test_a_second_renderer_for_one_op_class_is_refused() -> None:
    registry = Renderers()
    registry.dispatch_for(SetMetadata, kind="either")(lambda op, ctx: [])
    with pytest.raises(ValueError, match="SetMetadata"):
        registry.dispatch_for(SetMetadata, kind="alters")(lambda op, ctx: [])


def test_kinds_come_from_the_registry() -> None:
    table = m.Table(uid="00000000-0000-4000-8000-0000000000a1", name="t")
    assert _creates(CreateTable(table)) and not _drops(CreateTable(table))
    assert _drops(DropTable(table)) and not _creates(DropTable(table))
    assert RENDERERS.kind(SetComment("table", None, table.uid, "t", "", "x")) == "creates"
    meta = SetMetadata("table", None, table.uid, "t", ())
    assert _creates(meta) and _drops(meta)  # no SQL: fits either kind of revision
    reorder = ReorderColumns(table.uid, "t", ("a", "b"), ("b", "a"))
    assert not _creates(reorder) and not _drops(reorder)


def test_statements_record_the_imports_their_calls_need() -> None:
    ctx = RenderCtx(before=m.Schema(), after=m.Schema(), existing=frozenset(), safe=False)
    ctx.take([execute("SELECT 1")])
    assert ctx.imports.lines == set()  # op.execute("..."): op is the revision's own import
    ctx.take([execute("SELECT ':x'")])  # sa.text would bind :x: sa.DDL
    assert ctx.imports.lines == {SA}
    assert Call("postgresql.ARRAY", (Call("sa.Integer"),)).imports() == {
        SA, "from sqlalchemy.dialects import postgresql"}


VIEW = m.RawObject(uid="00000000-0000-4000-8000-0000000000b1", kind="view", name="v",
                   sql="CREATE VIEW v AS SELECT sa.id FROM t AS sa;")


def test_sa_in_kept_sql_imports_nothing() -> None:
    """Only calls need imports: ``sa.`` inside an SQL string does not (the text used to be
    searched for ``sa.``, which imported sqlalchemy for nothing here)."""
    text = render_revision(old=m.Schema(), new=m.Schema(raw_objects=(VIEW,)), revision="r1",
                           down_revision=None, message="view", created="2026-01-01")
    assert "SELECT sa.id" in text
    assert SA not in text
    ops = diff(m.Schema(), m.Schema(raw_objects=(VIEW,)))
    assert [type(op) for op in ops] == [CreateRawObject]
    stmts, imports = render_ops([*ops, *reverse_all(ops)], m.Schema(), safe=False)
    assert imports == set() and len(stmts) == 4  # SET/RESET check_function_bodies around


def test_a_revision_of_kept_sql_only_is_ruff_clean(tmp_path: Path) -> None:
    text = render_revision(old=m.Schema(), new=m.Schema(raw_objects=(VIEW,)), revision="r1",
                           down_revision=None, message="view", created="2026-01-01")
    (tmp_path / "r1_view.py").write_text(text)
    ruff = Path(sys.executable).parent / "ruff"
    proc = subprocess.run([str(ruff), "check", "--isolated", "--line-length", "100",
                           "--select", "E,F,W,I,UP,B", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
