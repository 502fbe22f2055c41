"""Issue 17: a revision that only creates (or only drops) is rendered against its end state,
without applying its ops one by one, sequence owners included (a baseline of an imported
database has one per owned sequence), and says exactly what the step-by-step rendering
says."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.codegen import migration
from modeler.codegen.migration import render_body, render_ops
from modeler.diff import AlterSequence, Op, diff, reverse_all
from modeler.importers import import_sql
from modeler.schema.model import Schema, normalized
from tests.importers.conftest import CORPUS, corpus_files

SQL = """
CREATE SCHEMA app;
CREATE SEQUENCE app.ticket_no;
CREATE TABLE app.customer (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE app.ticket (
    no integer NOT NULL DEFAULT nextval('app.ticket_no') PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES app.customer (id),
    updated_at timestamptz NOT NULL DEFAULT now());
ALTER SEQUENCE app.ticket_no OWNED BY app.ticket.no;
CREATE SEQUENCE app.free_counter;
CREATE VIEW app.open_tickets AS SELECT no FROM app.ticket;
CREATE FUNCTION app.answer() RETURNS integer LANGUAGE sql AS 'SELECT 42';
"""


def _step_by_step(ops: list[Op], start: Schema) -> tuple[list[str], set[str]]:
    """The same ops rendered the slow way: each applied in turn (no end state given)."""
    stmts, imports = render_ops(ops, start, safe=True)
    return render_body(stmts), imports


def _static(ops: list[Op], start: Schema, end: Schema) -> tuple[list[str], set[str]]:
    stmts, imports = render_ops(ops, start, safe=True, end=end)
    return render_body(stmts), imports


def _applied_never(monkeypatch: pytest.MonkeyPatch, ops: list[Op]) -> list[str]:
    """Make every op's apply() record its call; returns the record."""
    calls: list[str] = []
    for cls in {type(op) for op in ops}:
        original = cls.apply

        def spy(self: Op, schema: Schema, _orig=original) -> Schema:  # type: ignore[no-untyped-def]
            calls.append(type(self).__name__)
            return _orig(self, schema)

        monkeypatch.setattr(cls, "apply", spy)
    return calls


def _check(schema: Schema, monkeypatch: pytest.MonkeyPatch) -> None:
    empty, new = normalized(Schema()), normalized(schema)
    up = diff(empty, new)
    down = reverse_all(up)
    assert any(isinstance(op, AlterSequence) for op in up)  # owners: the case at hand
    assert migration._static(up, empty, new) and migration._static(down, new, empty)
    slow_up, slow_down = _step_by_step(up, empty), _step_by_step(down, new)
    calls = _applied_never(monkeypatch, up + down)
    assert _static(up, empty, new) == slow_up
    assert _static(down, new, empty) == slow_down
    assert calls == []


def test_owned_sequences_render_statically_and_identically(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = import_sql([("app.sql", SQL)])
    schema = result.schema
    assert {q.name for q in schema.sequences} >= {"ticket_no", "free_counter"}
    assert any(q.owned_by_table for q in schema.sequences)
    _check(schema, monkeypatch)


@pytest.mark.parametrize("name,files", [
    ("hexpm", ("hexpm/structure.sql",)),
    ("crates-io", ("crates-io/diesel-migrations.sql",)),
])
def test_corpus_baselines_render_statically_and_identically(
        name: str, files: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    if not CORPUS.exists():
        pytest.skip("the shared corpus is not there")
    _check(import_sql(corpus_files(*files)).schema, monkeypatch)


def test_a_revision_that_also_alters_is_still_applied_step_by_step() -> None:
    """Owner changes make no revision static by themselves: with a rename among them the
    ops are applied one by one (a rename's statements need the state right before it)."""
    start = normalized(import_sql([("app.sql", SQL)]).schema)
    customer = next(t for t in start.tables if t.name == "customer")
    free = next(q for q in start.sequences if q.name == "free_counter")
    end = normalized(replace(
        start,
        tables=tuple(replace(t, name="client") if t is customer else t for t in start.tables),
        sequences=tuple(replace(q, owned_by_table=customer.uid,
                                owned_by_column=customer.columns[0].uid) if q is free else q
                        for q in start.sequences)))
    ops = diff(start, end)
    assert any(isinstance(op, AlterSequence) for op in ops)
    assert not migration._static(ops, start, end)
    assert migration._static([op for op in ops if isinstance(op, AlterSequence)], start, end)
