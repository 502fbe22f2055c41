"""The DBML fast path builds exactly PyDBML's blueprints, or leaves the statement to PyDBML."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydbml.parser.parser import PyDBMLParser

from modeler.importers import SchemaImportError, import_dbml
from modeler.importers.dbml import fastparse
from modeler.importers.dbml.prepass import prepass
from modeler.schema.serialize import dumps
from tests.importers.conftest import corpus_text
from tests.importers.test_dbml import SHOP

SMALL_CORPUS = ("pydbml-test-schema/test_schema.dbml", "azimutt-dbml-complex/complex.dbml",
                "dbml-db2dbml-postgres/schema.dbml", "adventureworks/adventureworks.dbml")
BENCH = "dbml-bench-18k/18k.dbml"


def _plain(value: Any) -> Any:
    """Blueprints as comparable values (PyDBML's lists are sometimes ParseResults)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                *((f.name, _plain(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, list | tuple) or type(value).__name__ == "ParseResults":
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return (type(value).__name__, value)


def _state(parser: Any) -> dict[str, Any]:
    return {k: _plain(getattr(parser, k)) for k in
            ("tables", "refs", "enums", "table_groups", "project", "sticky_notes")}


def _pydbml(text: str) -> Any:
    parser = PyDBMLParser(text)
    parser._set_syntax()
    parser._syntax.parse_string(text, parse_all=True)
    return parser


def _assert_agree(text: str) -> None:
    """Same blueprints as PyDBML alone; or, where PyDBML fails, the fast path fails too."""
    try:
        expected = _state(_pydbml(text))
    except Exception:
        with pytest.raises(Exception):  # noqa: B017 - whatever PyDBML raised
            fastparse.parse(text)
        return
    assert _state(fastparse.parse(text)) == expected


def _fast_share(text: str) -> tuple[int, int]:
    """(statements the fast path took, statements) of a prepassed text."""
    text = text.expandtabs()
    fast = total = 0
    for start, end in fastparse.statements(text):
        total += 1
        if fastparse.table(text, start, end) or fastparse.ref(text, start, end):
            fast += 1
    return fast, total


TABLES = [
    'Table "t" {\n\t"id" "Code" [primary key, note: \'type: Normal\']\n}\n',
    "table s.t as T [headercolor: #3498DB, note: 'n'] {\n  id int [pk, increment]\n"
    "  Note: 'body wins'\n}\n",
    "TABLE \"s\" . \"t\"[HeaderColor:#abc]\n{\n  a varchar(10) unique pk\n  b \"text[]\"\n"
    "  c int[] [not null, unique, default: 007]\n  d numeric( 10 , 2 ) [default: 1.50]\n"
    "  e public.Name [null, default: NULL]\n  f bool [default: False]\n  g text [default: ``]\n"
    "}\n",
    "Table t {\n  id int [ref: > a.b, ref:<s.a.b, ref: - \"A\" . \"B\", ref: <> x.y]\n}\n",
    "Table t {\n  a int [note: '''multi\n  line \\' q''', default: \"dq \\\" x\"]\n"
    "  b int [\n    not null,\n    default:\n    `now()\n    + 1`\n  ]\n  \"c\\td\" int\n}\n",
    "Table t {\n  note varchar\n  indexes int\n  Note: 'n'\n  note:\n  'last note'\n}\n",
    "Table t {\n  a int\n  b int\n\n  Indexes {\n"
    "    (a, `lower(b)`) [type: GIST, name: \"x\", unique]\n    b [pk, note: 'k']\n"
    "    `a + 1`\n    (b)\n  }\n}\n",
    # near misses: PyDBML rejects them, or the fast path leaves them to PyDBML
    "Table t {\n  a int [primary  key]\n}\n",
    "Table t {\n  a int [nullable]\n}\n",
    "Table t {\n  a int [Ref: > b.c]\n}\n",
    "Table t {\n  a int [default: -1]\n}\n",
    "Table t {\n  a int [default: 1e5]\n}\n",
    "Table t {\n  a int [pk, pk]\n}\n",
    "Table t {\n  a int []\n}\n",
    "Table t {\n  a varchar(10)[]\n}\n",
    "Table t {\n  a varchar(10);\n}\n",
    "Table t {\n  a int(10)pk\n}\n",
    "Table t {\n  a a . b\n}\n",
    "Table t {\n  a int // comment\n}\n",
    "Table t {\n  a int\n  Note { 'object' }\n}\n",
    "Table t {\n  a int\n  indexes {\n  }\n}\n",
    "Table t {\n  a int\n  indexes {\n    a [type: foo]\n  }\n}\n",
    "Table t {\n  a int\n  indexes {\n    a\n  }\n  indexes {\n    (a) [unique]\n  }\n}\n",
    "Table t {\n  Note: 'no columns'\n}\n",
    "Table t assets {\n  a int\n}\n",
    "Table t [headercolor: #abcd] {\n  a int\n}\n",
    "Tablex {\n  a int\n}\n",
    "Table t {\n  a int\n}x\n",
    "Table t {\n  prénom text\n}\n",
]

REFS = [
    'ref: "table_2"."col_4163" > "table_12"."col_2289"\n',
    "Ref fk: s.a.(x, \"y\" ) <> b.c [update: CASCADE, delete: set null]\n",
    "REF :a . b - c.d [delete:\n  restrict]\n",
    "Ref: a.b > c.d // comment\n",
    "Ref: a.b >> c.d\n",
    "Ref_1: a.b > c.d\n",
    "Ref: a.b > c.d [delete: no  action]\n",
    "Ref: a.b > c.d [delete: cascade, delete: restrict]\n",
    "Ref n {\n  a.b > c.d\n}\n",
]

DOCUMENTS = [
    SHOP,
    "// leading comment\nTable a {\n  id int\n}\n// between\n\nRef: a.id > b.id\n"
    "/* block\nTable fake {\n*/\nTable b [note: 'x'] {\n  id int\n}\n// tail",
    "Table a {\n  id int\n}\r\nRef: a.id > b.id\r\n",
    "enum e {\n  a\n  b [note: 'x']\n}\nTable t {\n  c e\n}\nTableGroup g {\n  t\n}\n"
    "Project p {\n  database_type: 'PostgreSQL'\n}\nNote sticky {\n  'x'\n}\n",
    "Table a [\n  note: 'settings on two lines'\n] {\n  id int\n}\n",
    "Table a {\n  id int\n}\nTable b {\n  id int [pk\n}\nRef: a.id > b.id\n",
    "Table a {\n  id int\n}\nnonsense\nTable b {\n  id int\n}\n",
]


@pytest.mark.parametrize("text", TABLES + REFS + DOCUMENTS)
def test_fast_path_agrees_with_pydbml(text: str) -> None:
    _assert_agree(text)


def test_fast_path_takes_the_common_shapes() -> None:
    for text in TABLES[:7] + REFS[:3]:
        assert _fast_share(text) == (1, 1), text


@pytest.mark.parametrize("path", SMALL_CORPUS)
def test_corpus_blueprints_agree(path: str) -> None:
    _assert_agree(prepass(corpus_text(path)).text)


def test_bench_file_is_all_fast_path_and_agrees() -> None:
    text = prepass(corpus_text(BENCH)).text
    fast, total = _fast_share(text)
    assert fast == total == 3879
    # PyDBML alone needs seconds for the whole file: compare the first 400 statements
    cut = list(fastparse.statements(text))[400][0]
    _assert_agree(text[:cut])


@pytest.mark.parametrize("path", SMALL_CORPUS)
def test_corpus_snapshots_identical_without_the_fast_path(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [(path, corpus_text(path))]
    fast = import_dbml(files)

    def disabled(text: str) -> Any:
        raise RuntimeError("fast path disabled")

    monkeypatch.setattr(fastparse, "parse", disabled)
    slow = import_dbml(files)
    assert dumps(fast.schema) == dumps(slow.schema)
    assert fast.warnings == slow.warnings


def test_errors_are_pydbml_errors_with_input_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    tables = "".join(f"Table t{i} {{\n  id int [pk]\n}}\n" for i in range(30))
    dbml = "enum e { a b }\n" + tables + "Table bad {\n  id int [pk, nope]\n}\n" + tables
    with pytest.raises(SchemaImportError) as fast:
        import_dbml([("bad.dbml", dbml)])
    assert fast.value.line == 1 + 3 * 30 + 2

    def disabled(text: str) -> Any:
        raise RuntimeError("fast path disabled")

    monkeypatch.setattr(fastparse, "parse", disabled)
    with pytest.raises(SchemaImportError) as slow:
        import_dbml([("bad.dbml", dbml)])
    assert (str(fast.value), fast.value.line) == (str(slow.value), slow.value.line)
