"""DBML export (modeler.codegen.dbml): design -> DBML -> design is identity.

Everything DBML can say is written as DBML; what it cannot say is kept in the Project note
and read back by the importer, so the design read back equals the one written (uids aside:
imported elements are matched to the written ones by name, as text mode does) and the differ
finds no op. Every DBML file of ../shared/corpus goes round too (import -> DBML -> import).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from modeler.codegen.dbml import KEPT_MARKER, to_dbml
from modeler.diff import diff
from modeler.importers import import_dbml
from modeler.importers.align import adopt_uids
from modeler.schema import model as m
from tests.strategies import schemas

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def _round_trip(s: m.Schema) -> tuple[str, m.Schema]:
    text = to_dbml(s)
    back = import_dbml([("design.dbml", text)]).schema
    return text, adopt_uids(s, back)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(schemas())
def test_design_to_dbml_and_back_is_identity(s: m.Schema) -> None:
    text, back = _round_trip(s)
    assert [op.describe() for op in diff(s, back)] == [], text
    assert back == s, text
    assert to_dbml(s) == text  # deterministic


def test_dbml_says_what_dbml_can_say() -> None:
    status = m.EnumType("e1", "status", (m.EnumValue("v1", "new"), m.EnumValue("v2", "it's")))
    author = m.Table("t1", "author", columns=(
        m.Column("c1", "id", m.ColumnType(name="bigint"), identity="by default", pk_order=1),
        m.Column("c2", "name", m.ColumnType(name="varchar", length=80), comment="Full name"),
        m.Column("c3", "status", m.ColumnType(kind="enum", ref="e1"), default="'new'"),
    ), uniques=(m.UniqueConstraint("u1", "author_name_key", ("c2",)),),
        checks=(m.CheckConstraint("k1", "ck_author_name", "length(name) > 0"),),
        subject_area="people", comment="Who writes")
    book = m.Table("t2", "book", namespace="shop", columns=(
        m.Column("c4", "id", m.ColumnType(name="bigint"), identity="by default", pk_order=1),
        m.Column("c5", "author_id", m.ColumnType(name="bigint")),
        m.Column("c6", "title", m.ColumnType(name="text")),
    ), indexes=(m.Index("i1", "ix_book_title", (m.IndexPart(expression="lower(title)"),),
                        unique=True),
                m.Index("i2", "ix_book_author_title", (m.IndexPart(column="c5"),
                                                       m.IndexPart(column="c6")))))
    rel = m.Relationship("r1", "fk_book_author", "t2", ("c5",), "t1", ("c1",),
                         on_delete="CASCADE", on_update="NO ACTION")
    s = m.normalized(m.Schema(tables=(author, book), relationships=(rel,), enums=(status,),
                              name="shop"))
    text = to_dbml(s)
    assert "Project shop {" in text
    assert "Enum status {\n  'new'\n  'it\\'s'\n}" in text
    assert "Table author {" in text and "Table shop.book {" in text
    assert "  id bigint [pk, increment]" in text
    assert "  name varchar(80) [not null, unique, note: 'Full name']" in text
    assert "  status status [not null, default: `'new'`]" in text
    assert "`lower(title)` [unique, name: 'ix_book_title']" in text
    assert "(author_id, title) [name: 'ix_book_author_title']" in text
    assert "`length(name) > 0` [name: 'ck_author_name']" in text
    assert "Note: 'Who writes'" in text
    assert ("Ref fk_book_author: shop.book.author_id > author.id "
            "[delete: cascade, update: no action]") in text
    assert "TableGroup people {\n  author\n}" in text
    _, back = _round_trip(s)
    assert back == s


def test_what_dbml_cannot_say_is_kept_readably() -> None:
    t = m.Table("t1", "ledger", kind="append_only", expected_rows=5_000_000,
                position=m.Position(10.5, 20.0), columns=(
                    m.Column("c1", "id", m.ColumnType(name="bigint"), identity="always",
                             pk_order=1),
                    m.Column("c2", "amount", m.ColumnType(name="numeric", precision=10,
                                                          scale=2), backfill="0",
                             null_meaning=""),
                ))
    raw = m.RawObject("r1", "view", "v_total", "CREATE VIEW v_total AS SELECT 1 AS one")
    s = m.normalized(m.Schema(tables=(t,), raw_objects=(raw,), name="books"))
    text = to_dbml(s)
    assert KEPT_MARKER in text
    kept = text.split(KEPT_MARKER, 1)[1].split("'''", 1)[0]
    assert '"kind": "append_only"' in kept and '"expected_rows": 5000000' in kept
    assert '"backfill": "0"' in kept and '"identity": "always"' in kept
    assert "CREATE VIEW v_total AS SELECT 1 AS one" in kept
    result = import_dbml([("d.dbml", text)])
    assert not [w for w in result.warnings if "note" in w.message.lower()]
    assert adopt_uids(s, result.schema) == s


def test_an_edit_in_the_text_wins_over_kept_data() -> None:
    t = m.Table("t1", "item", columns=(
        m.Column("c1", "id", m.ColumnType(name="bigint"), pk_order=1),
        m.Column("c2", "price", m.ColumnType(name="numeric"), default="42", backfill="1"),
        m.Column("c3", "gone", m.ColumnType(name="text"), null_meaning="n/a", nullable=True),
    ))
    s = m.normalized(m.Schema(tables=(t,)))
    text = to_dbml(s)
    edited = text.replace("default: `42`", "default: `7`").replace(
        "  gone text\n", "")
    back = import_dbml([("d.dbml", edited)]).schema
    item = back.tables[0]
    assert [c.name for c in item.columns] == ["id", "price"]
    price = item.column_named("price")
    assert price is not None and price.default == "7" and price.backfill == "1"


def test_bad_kept_data_is_a_warning_not_an_error() -> None:
    s = m.normalized(m.Schema(tables=(m.Table("t1", "item", kind="lookup", columns=(
        m.Column("c1", "id", m.ColumnType(name="bigint"), pk_order=1),)),)))
    text = to_dbml(s).replace('"kind": "lookup"', '"kind": "lookup"}}}x')
    result = import_dbml([("d.dbml", text)])
    assert any("kept data line" in w.message for w in result.warnings)
    assert result.schema.tables[0].name == "item"


def _corpus_dbml() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.dbml"))


@pytest.mark.parametrize("relative", _corpus_dbml() or ["<no corpus>"])
def test_corpus_dbml_round_trips(relative: str) -> None:
    if relative == "<no corpus>":
        pytest.skip(f"../shared/corpus is not on this machine ({CORPUS}): no DBML files to "
                    "round-trip")
    from modeler.importers.result import SchemaImportError

    text = (CORPUS / relative).read_text(encoding="utf-8")
    try:
        first = import_dbml([(relative, text)]).schema
    except SchemaImportError:
        pytest.skip(f"{relative} is refused by the importer (an invalid input of the "
                    "reference tests)")
    written = to_dbml(first)
    again = import_dbml([("again.dbml", written)]).schema
    ops = diff(first, again)
    assert [op.describe() for op in ops] == []
    assert adopt_uids(first, again) == first


def test_a_named_unique_stays_visible_and_goes_when_the_text_drops_it() -> None:
    t = m.Table("t1", "customer", columns=(
        m.Column("c1", "id", m.ColumnType(name="bigint"), pk_order=1),
        m.Column("c2", "email", m.ColumnType(name="text")),
    ), uniques=(m.UniqueConstraint("u1", "uq_customer_email", ("c2",), deferrable=True),))
    s = m.normalized(m.Schema(tables=(t,)))
    text = to_dbml(s)
    assert "  email text [not null, unique]" in text
    back = adopt_uids(s, import_dbml([("d.dbml", text)]).schema)
    assert back == s
    dropped = import_dbml([("d.dbml", text.replace("[not null, unique]", "[not null]"))])
    assert dropped.schema.tables[0].uniques == ()


def _sql_schemas() -> list[str]:
    if not CORPUS.is_dir():
        return []
    from tests.fidelity.roundtrip import SQL_SCHEMAS

    return sorted(SQL_SCHEMAS)


@pytest.mark.parametrize("name", _sql_schemas() or ["<no corpus>"])
def test_corpus_sql_designs_round_trip_through_dbml(name: str) -> None:
    """The editor shows imported SQL designs as DBML too: unchanged text is no change."""
    if name == "<no corpus>":
        pytest.skip(f"../shared/corpus is not on this machine ({CORPUS})")
    from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec

    first = import_spec(SQL_SCHEMAS[name]).schema
    again = import_dbml([("again.dbml", to_dbml(first))]).schema
    back = adopt_uids(first, again)
    assert [op.describe() for op in diff(first, back)] == []
    assert back == first
