"""modeler.schema.enumlabels: the cheap filters in front of the parser change nothing, and
a relabel or a type rename leaves the parts of a design it does not touch the same objects.

The filters skip the parse of a text that cannot hold what is looked for (no string
constant that may spell a label; no spelling of the type's name for a cast). They are
checked here against the unfiltered path over the adversarial expression corpus
(tests/expressions.py: dollar quotes, ``E''`` and ``U&`` escapes, doubled quotes, casts in
every spelling), with renames chosen so that the corpus's own literals and cast types are
hit.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from pglast import parser

from modeler.schema import enumlabels
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from tests.expressions import ALL_COLUMNS, CORPUS

TEXTS = sorted({e.text for e in CORPUS})
ENUM = ("public", "mood")


def _nodes(text: str, kind: str) -> list[dict[str, Any]]:
    """The ``kind`` nodes (``A_Const``, ``TypeCast``) of ``SELECT text``'s parse tree."""
    out: list[dict[str, Any]] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(kind), dict):
                out.append(node[kind])
            for v in node.values():
                visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)
    visit(json.loads(parser.parse_sql_json(f"SELECT {text}")))
    return out


def _literals(text: str) -> set[str]:
    """The values of the string constants of ``text`` (as the parser reads them)."""
    return {const["sval"].get("sval", "") for const in _nodes(text, "A_Const")
            if "sval" in const}


def _cast_types(text: str) -> set[tuple[str, ...]]:
    return {tuple(n.get("String", {}).get("sval", "")
                  for n in cast.get("typeName", {}).get("names", ()))
            for cast in _nodes(text, "TypeCast")}


def _unfiltered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enumlabels, "_may_spell_literal", lambda text, labels: True)
    monkeypatch.setattr(enumlabels, "_may_name", lambda text, names: True)


def test_the_literal_filter_changes_no_relabel(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in TEXTS:
        _same_relabel(text, monkeypatch)


def _same_relabel(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    labels = _literals(text)
    renames = {label: label + "_x" for label in labels} or {"a": "b"}
    kwargs = {"columns": ALL_COLUMNS, "array_columns": ()}
    filtered = enumlabels.relabel_expression(text, ENUM, renames, **kwargs)
    for array in (False, True):
        filtered_default = enumlabels.relabel_default(text, ENUM, renames, array=array)
        with monkeypatch.context() as patch:
            _unfiltered(patch)
            assert enumlabels.relabel_default(text, ENUM, renames, array=array) == (
                filtered_default), text
    with monkeypatch.context() as patch:
        _unfiltered(patch)
        assert enumlabels.relabel_expression(text, ENUM, renames, **kwargs) == filtered, text


def test_the_name_filter_changes_no_cast(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in TEXTS:
        for names in _cast_types(text) or {("mood",)}:
            old = (names[0], names[1]) if len(names) == 2 else ("public", names[-1])
            new = ("other", old[1] + "_x")
            filtered = enumlabels.retype_casts(text, old, new)
            with monkeypatch.context() as patch:
                _unfiltered(patch)
                assert enumlabels.retype_casts(text, old, new) == filtered, text


def test_the_corpus_exercises_both_paths() -> None:
    """The two tests above would prove nothing if no text were rewritten, or none
    skipped."""
    relabelled = skipped_literal = retyped = skipped_name = 0
    for text in TEXTS:
        labels = _literals(text)
        if labels:
            renames = {label: label + "_x" for label in labels}
            relabelled += enumlabels.relabel_expression(
                text, ENUM, renames, columns=ALL_COLUMNS) != text
        skipped_literal += not enumlabels._may_spell_literal(text, ("sad",))
        for names in _cast_types(text):
            old = (names[0], names[1]) if len(names) == 2 else ("public", names[-1])
            retyped += enumlabels.retype_casts(text, old, ("other", "t_x")) != text
        skipped_name += not enumlabels._may_name(text, ("mood",))
    assert relabelled >= 10 and retyped >= 3
    assert skipped_literal >= 10 and skipped_name >= 10


def _design() -> m.Schema:
    b = SchemaBuilder(name="Relabel").enum("mood", ["sad", "ok", "happy"])
    (b.table("person").column("id", "bigint", pk=True)
     .column("mood", enum="mood", nullable=False, default="'ok'")
     .check("ck_person_mood", "mood <> 'sad'").check("ck_person_id", "id > 0"))
    (b.table("invoice").column("id", "bigint", pk=True)
     .column("total", "numeric", precision=12, scale=2, default="0")
     .check("ck_invoice_total", "total >= 0"))
    return b.build()


def test_untouched_parts_stay_the_same_objects() -> None:
    s = _design()
    enum = s.enums[0]
    out = enumlabels.follow_labels(s, enum.uid, {"sad": "blue"})
    person, invoice = (next(t for t in out.tables if t.name == n) for n in ("person", "invoice"))
    before = {t.name: t for t in s.tables}
    assert invoice is before["invoice"]
    assert person is not before["person"]
    assert sorted(k.expression for k in person.checks) == ["id > 0", "mood <> 'blue'"]
    # the id column and the untouched check keep their identity in the changed table
    assert person.columns[0] is before["person"].columns[0]
    untouched = next(k for k in person.checks if k.expression == "id > 0")
    assert any(untouched is k for k in before["person"].checks)

    renamed = enumlabels.follow_type(s, ("public", "mood"), ("public", "feeling"))
    assert renamed.tables == s.tables
    assert all(a is b for a, b in zip(renamed.tables, s.tables, strict=True))

    cast = replace(s, tables=tuple(
        replace(t, checks=(*t.checks, replace(t.checks[0], name="ck_cast",
                                               expression="mood <> 'ok'::mood")))
        if t.name == "person" else t for t in s.tables))
    moved = enumlabels.follow_type(cast, ("public", "mood"), ("public", "feeling"))
    moved_person = next(t for t in moved.tables if t.name == "person")
    assert any(k.expression == "mood <> 'ok'::feeling" for k in moved_person.checks)
    assert next(t for t in moved.tables if t.name == "invoice") is next(
        t for t in cast.tables if t.name == "invoice")


def test_a_type_spelled_with_unicode_escapes_is_not_skipped(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    text = "status <> 'a'::U&\"\\0066eeling\""  # the type feeling, its f escaped
    out = enumlabels.retype_casts(text, ("public", "feeling"), ("public", "mood"))
    assert out == "status <> 'a'::mood"
    with monkeypatch.context() as patch:
        _unfiltered(patch)
        assert enumlabels.retype_casts(text, ("public", "feeling"), ("public", "mood")) == out


SHOP = """
CREATE TYPE order_status AS ENUM ('pending', 'paid');
CREATE TYPE pay_status AS ENUM ('pending', 'done');
CREATE TABLE orders (id int PRIMARY KEY, status order_status NOT NULL);
CREATE TABLE payments (id int PRIMARY KEY, order_id int, status pay_status NOT NULL);
CREATE VIEW open_payments AS SELECT id FROM payments WHERE status = 'pending';
CREATE VIEW open_orders AS SELECT o.id FROM orders o JOIN payments p ON p.order_id = o.id
    WHERE o.status = 'pending' AND p.status = 'pending';
CREATE VIEW waiting AS SELECT id, status FROM orders WHERE status = 'pending';
CREATE VIEW over_view AS SELECT id FROM waiting WHERE status = 'pending';
"""
AFTER = {  # order_status's 'pending' renamed 'open': what PostgreSQL then shows
    "open_payments": "status = 'pending'",  # another enum's column of the same name
    "open_orders": "o.status = 'open' AND p.status = 'pending'",
    "waiting": "status = 'open'",
    "over_view": "status = 'open'",  # a view's column: not known, the name decides
}


def _views(schema: m.Schema) -> dict[str, str]:
    return {r.name: r.sql for r in schema.raw_objects if r.kind == "view"}


def _check_views(views: dict[str, str]) -> None:
    for name, where in AFTER.items():
        assert " ".join(where.split()) in " ".join(views[name].split()), (name, views[name])


def test_a_relabel_in_the_editor_follows_only_the_enum_s_columns_in_kept_views() -> None:
    from modeler.importers import import_sql
    from modeler.schema import actions

    s = import_sql([("shop.sql", SHOP)]).schema
    enum = next(e for e in s.enums if e.name == "order_status")
    out = actions.save_enum(s, uid=enum.uid, name="order_status", namespace="public",
                            labels=["open", "paid"], comment="", existing=True)
    _check_views(_views(out))


def test_a_rename_value_in_a_script_follows_only_the_enum_s_columns_in_kept_views() -> None:
    from modeler.importers import import_sql

    script = SHOP + "ALTER TYPE order_status RENAME VALUE 'pending' TO 'open';"
    _check_views(_views(import_sql([("shop.sql", script)]).schema))


@pytest.mark.parametrize(("text", "expected"), [
    ("m = E'ol\\x64'", "m = 'gone'"),
    ("m = U&'ol\\0064'", "m = 'gone'"),
    ("m = U&'ol!0064' UESCAPE '!' OR m = 'x'", "m = 'gone' OR m = 'x'"),
    ("m = $$old$$ AND n = 'old'", "m = 'gone' AND n = 'old'"),
    ("CASE m WHEN 'old' THEN 1 WHEN 'x' THEN 2 END = 1",
     "CASE m WHEN 'gone' THEN 1 WHEN 'x' THEN 2 END = 1"),
    ("CASE n WHEN 'old' THEN 1 END = 1", "CASE n WHEN 'old' THEN 1 END = 1"),
])
def test_a_label_in_any_spelling_of_a_string_follows(text: str, expected: str) -> None:
    assert enumlabels.relabel_expression(text, ("public", "mood"), {"old": "gone"},
                                         columns={"m"}) == expected
