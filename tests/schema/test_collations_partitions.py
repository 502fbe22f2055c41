"""Collation references, and the validation of collations and partitions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.schema import serialize
from modeler.schema.builder import stable_uid
from modeler.schema.collations import canonical, format_ref, is_builtin, parse_ref, quote
from modeler.schema.validate import problems

HOSTILE = ('We "ird" ns', 'Odd.name "x"')


@pytest.mark.parametrize(("ref", "parsed", "canon"), [
    ('"C"', (None, "C"), '"C"'),
    ("C", (None, "C"), '"C"'),  # typed by hand: no case folding
    ("pg_catalog.\"C\"", ("pg_catalog", "C"), '"C"'),
    ("musicbrainz.musicbrainz", ("musicbrainz", "musicbrainz"), "musicbrainz.musicbrainz"),
    ('"en-US-x-icu"', (None, "en-US-x-icu"), '"en-US-x-icu"'),
    ('"We ""ird"" ns"."Odd.name ""x"""', HOSTILE, '"We ""ird"" ns"."Odd.name ""x"""'),
    ('public."order"', ("public", "order"), 'public."order"'),
])
def test_references_parse_and_print(ref: str, parsed: tuple[str | None, str],
                                    canon: str) -> None:
    assert parse_ref(ref) == parsed
    assert canonical(ref) == canon


@pytest.mark.parametrize("bad", ["", "a.b.c", '"x', 'a."', "a. b", '""'])
def test_malformed_references_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_ref(bad)


@given(st.none() | st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_any_name_round_trips(namespace: str | None, name: str) -> None:
    assert parse_ref(format_ref(namespace, name)) == (namespace, name)


def test_quoting_follows_postgresql() -> None:
    # as quote_ident: keywords but the unreserved ones are quoted (natural is one, as in
    # NATURAL JOIN; name is unreserved)
    assert [quote(n) for n in ("sort", "natural", "order", "Natural", "a-b", "name")] == [
        "sort", '"natural"', '"order"', '"Natural"', '"a-b"', "name"]


@pytest.mark.parametrize(("name", "builtin"), [
    ("C", True), ("POSIX", True), ("default", True), ("und-x-icu", True),
    ("de-DE-x-icu", True), ("en_US.utf8", True), ("C.UTF-8", True), ("ucs_basic", True),
    ("natural", False), ("musicbrainz", False), ("mb", False),
])
def test_builtin_names(name: str, builtin: bool) -> None:
    assert is_builtin(None, name) is builtin
    assert is_builtin("public", name) is False


def _design(*, collation: str | None, collations: tuple[m.Collation, ...] = (),
            ctype: m.ColumnType | None = None) -> m.Schema:
    col = m.Column(stable_uid("c", "1"), "name", ctype or m.ColumnType(name="text"),
                   collation=collation)
    t = m.Table(stable_uid("t", "1"), "person", columns=(col,), indexes=(
        m.Index(stable_uid("i", "1"), "person_name", (m.IndexPart(
            column=col.uid, collation=collation),)),))
    return m.Schema(tables=(t,), collations=collations)


HOSTILE_COLL = m.Collation(stable_uid("coll", "1"), HOSTILE[1], namespace=HOSTILE[0],
                           provider="icu", locale="und-u-kn-true")


def test_references_must_resolve() -> None:
    assert problems(_design(collation='"C"')) == []
    assert problems(_design(collation='"und-x-icu"')) == []
    assert problems(_design(collation=HOSTILE_COLL.ref, collations=(HOSTILE_COLL,))) == []
    found = problems(_design(collation="app.missing"))
    assert found == ["column person.name: collation app.missing is not defined in the design "
                     "(add it under Collations)",
                     "index person_name: collation app.missing is not defined in the design "
                     "(add it under Collations)"]
    assert "neither defined in the design nor a built-in one" in problems(
        _design(collation="natural"))[0]
    assert "unterminated quoted name" in problems(_design(collation='"x'))[0]


def test_collation_needs_a_collatable_type_and_a_locale() -> None:
    bad = _design(collation='"C"', ctype=m.ColumnType(name="integer"))
    assert "column person.name: type integer takes no collation" in problems(bad)
    nolocale = replace(HOSTILE_COLL, locale=None)
    assert any("needs a locale" in p for p in problems(m.Schema(collations=(nolocale,))))
    twice = (HOSTILE_COLL, replace(HOSTILE_COLL, uid=stable_uid("coll", "2")))
    assert any("two collations named" in p for p in problems(m.Schema(collations=twice)))


def _partitioned() -> m.Schema:
    col = m.Column(stable_uid("c", "p"), "day", m.ColumnType(name="date"))
    parent = m.Table(stable_uid("t", "p"), "event", columns=(col,),
                     partition_by="RANGE (day)")
    part = m.Table(stable_uid("t", "c"), "event_2025", columns=(replace(
        col, uid=stable_uid("c", "c")),), partition_of=parent.uid,
        partition_bound="FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")
    return m.normalized(m.Schema(tables=(parent, part)))


def test_partitions_validate() -> None:
    s = _partitioned()
    assert problems(s) == []
    parent, part = s.tables
    assert s.partitions_of(parent.uid) == (part,) and s.partition_depth(part.uid) == 1
    unpartitioned = replace(s, tables=(replace(parent, partition_by=None), part))
    assert "which is not partitioned" in problems(unpartitioned)[0]
    assert "a partition needs its bound" in problems(replace(s, tables=(
        parent, replace(part, partition_bound=""))))[0]
    assert "does not exist" in problems(replace(s, tables=(part,)))[0]
    assert "partition key" in problems(replace(s, tables=(
        replace(parent, partition_by="SIDEWAYS (day)"), part)))[0]
    cycle = replace(s, tables=(replace(parent, partition_of=part.uid,
                                       partition_bound="DEFAULT"), part))
    assert any("cycle" in p for p in problems(cycle))


def test_serialized_with_collations_and_partitions() -> None:
    s = replace(_partitioned(), collations=(HOSTILE_COLL,))
    s = m.normalized(replace(s, tables=(replace(s.tables[0], columns=(replace(
        s.tables[0].columns[0], type=m.ColumnType(name="text"),
        collation=HOSTILE_COLL.ref),)), s.tables[1])))
    again = serialize.loads(serialize.dumps(s))
    assert again == s
    assert '"partition_by":"RANGE (day)"' in serialize.dumps(s)
    # documents written before these fields existed still read
    old = serialize.dumps(m.Schema())
    assert serialize.loads(old).collations == ()
