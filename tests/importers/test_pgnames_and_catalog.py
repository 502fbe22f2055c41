"""PostgreSQL's automatic names, and the catalog comparison helper (no database needed)."""

from __future__ import annotations

from modeler.importers.pgnames import choose_name, index_column_names, make_object_name
from tests.catalog import Catalog, compare


def test_make_object_name_fits_63_bytes_trimming_the_longer_part() -> None:
    assert make_object_name("t", "a_b", "key") == "t_a_b_key"
    assert make_object_name("t", None, "pkey") == "t_pkey"
    name = make_object_name("x" * 70, "y" * 10, "fkey")
    assert len(name.encode()) == 63 and name.endswith("_" + "y" * 10 + "_fkey")
    multibyte = make_object_name("é" * 40, "c", "seq")
    assert len(multibyte.encode()) <= 63 and multibyte.endswith("_c_seq")


def test_choose_name_appends_a_counter_to_the_label() -> None:
    taken = {"t_a_key", "t_a_key1"}
    assert choose_name("t", "a", "key", taken.__contains__) == "t_a_key2"


def test_index_column_names_are_deduplicated() -> None:
    assert index_column_names(["expr", "expr", "a", "expr"]) == ["expr", "expr1", "a", "expr2"]


def test_compare_reports_matches_and_differences() -> None:
    expected = Catalog(tables=frozenset({("public.a",), ("public.b",)}),
                       enums=frozenset({("public.e", ("x", "y"))}))
    actual = Catalog(tables=frozenset({("public.a",), ("public.c",)}),
                     enums=frozenset({("public.e", ("x", "y"))}))
    report = compare(expected, actual)
    assert not report.ok
    tables = report["tables"]
    assert (tables.matched, tables.total, round(tables.percent, 1)) == (1, 3, 33.3)
    assert tables.missing == [("public.b",)] and tables.unexpected == [("public.c",)]
    assert report["enums"].percent == 100.0 and report["columns"].percent == 100.0
    assert "missing" in report.text()
    assert report.summary()["tables"] == 33.3
    assert compare(expected, expected).ok
