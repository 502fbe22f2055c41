"""Our DBML parser reads what PyDBML 1.2.1 (the importer's parser until now, kept as a test
oracle) reads, the same way: tables, columns, settings, indexes, references, enums, groups,
notes. Where PyDBML refuses an input, ours reads more of the current grammar or refuses it
with a line. The inputs are the fast path's old agreement cases plus the corpus' DBML files."""

from __future__ import annotations

from typing import Any

import pytest
from pydbml.parser.parser import PyDBMLParser

from modeler.importers import SchemaImportError, import_dbml
from modeler.importers.dbml.interpret import interpret
from modeler.importers.dbml.lexer import DbmlSyntaxError
from modeler.importers.dbml.model import Column, Document, Endpoint, Table
from modeler.importers.dbml.syntax import parse
from modeler.importers.dbml.values import normalize_note
from tests.importers.conftest import corpus_text
from tests.importers.test_dbml import SHOP

SMALL_CORPUS = ("pydbml-test-schema/test_schema.dbml", "azimutt-dbml-complex/complex.dbml",
                "dbml-db2dbml-postgres/schema.dbml")
BENCH = "dbml-bench-18k/18k.dbml"


# -- one shape for both -------------------------------------------------------------------
def _note(note: Any) -> str:
    if note is None:
        return ""
    text = note if isinstance(note, str) else note.text
    return normalize_note(str(text))


def _type(text: str) -> str:
    return "".join(str(text).split()).replace('"', "")


def _cols(spec: Any) -> tuple[str, ...]:
    if isinstance(spec, list | tuple):
        return tuple(str(c).strip('" ') for c in spec)
    return tuple(c.strip('() "') for c in str(spec).split(",") if c.strip('() "'))


def _default(value: Any) -> Any:
    if value is None or value == "NULL":
        return None
    if isinstance(value, bool):
        return ("bool", str(value).lower())
    if isinstance(value, int | float):
        return ("num", float(value))
    text = getattr(value, "text", None)
    if text is not None:
        return ("expr", str(text))
    return ("str", str(value))


def _theirs(parser: Any) -> dict[str, Any]:
    tables = []
    for t in parser.tables:
        columns = [(c.name, _type(c.type), bool(c.pk), bool(c.unique), bool(c.not_null),
                    bool(c.autoinc), _default(c.default), _note(c.note),
                    tuple((r.type, r.schema2 or "public", r.table2, _cols(r.col2))
                          for r in c.ref_blueprints or ()))
                   for c in t.columns]
        indexes = [(tuple(getattr(s, "text", s) for s in ix.subject_names), bool(ix.unique),
                    bool(ix.pk), ix.name, (ix.type or None) and str(ix.type).lower(),
                    _note(ix.note)) for ix in t.indexes or ()]
        tables.append((t.schema or "public", t.name, t.alias, t.header_color, _note(t.note),
                       columns, indexes))
    refs = [(r.type, r.schema1 or "public", r.table1, _cols(r.col1), r.schema2 or "public",
             r.table2, _cols(r.col2), r.name, r.on_update, r.on_delete) for r in parser.refs
            if not r.inline]
    enums = [(e.schema or "public", e.name, [(i.name, _note(i.note)) for i in e.items])
             for e in parser.enums]
    groups = [(g.name, [str(i) for i in g.items]) for g in parser.table_groups]
    return {"tables": tables, "refs": refs, "enums": enums, "groups": groups}


def _column(c: Column) -> tuple[Any, ...]:
    default = None
    if c.default is not None and c.default.kind != "null":
        default = (c.default.kind, float(c.default.value)) if c.default.kind == "num" \
            else (c.default.kind, c.default.value)
    refs = tuple((r.op, _schema(r.right), r.right.table, tuple(r.right.columns))
                 for r in c.refs)
    return (c.name, _type(c.type), c.pk, c.unique, bool(c.not_null), c.increment, default,
            c.note, refs)


def _schema(e: Endpoint) -> str:
    return e.schema or "public"


def _table(t: Table) -> tuple[Any, ...]:
    indexes = [(tuple(p.column if p.column is not None else p.expression for p in ix.parts),
                ix.unique, ix.pk, ix.name, ix.type, ix.note) for ix in t.indexes]
    return (t.schema or "public", t.name, t.alias, t.color, t.note or "",
            [_column(c) for c in t.columns], indexes)


def _ours(doc: Document) -> dict[str, Any]:
    refs = [(r.op, _schema(r.left), r.left.table, tuple(r.left.columns), _schema(r.right),
             r.right.table, tuple(r.right.columns), r.name, r.on_update, r.on_delete)
            for r in doc.refs]
    enums = [(e.schema, e.name, [(v.label, v.note) for v in e.values]) for e in doc.enums]
    groups = [(g.name, [f"{m.schema}.{m.name}" if m.schema else m.name for m in g.tables])
              for g in doc.groups]
    return {"tables": [_table(t) for t in doc.tables], "refs": refs, "enums": enums,
            "groups": groups}


def _pydbml(text: str) -> dict[str, Any]:
    parser = PyDBMLParser(text)
    parser._set_syntax()
    parser._syntax.parse_string(text, parse_all=True)
    return _theirs(parser)


def _read(text: str) -> dict[str, Any]:
    return _ours(interpret([("x.dbml", parse(text))]))


def _assert_agree(text: str) -> None:
    """The same as PyDBML; or, where PyDBML fails, a line-numbered refusal or an import."""
    try:
        expected = _pydbml(text)
    except Exception:  # whatever PyDBML raised: ours imports or refuses
        try:
            import_dbml([("x.dbml", text)])
        except SchemaImportError as exc:
            assert exc.line is not None, exc
        return
    assert _read(text) == expected


# -- the inputs -------------------------------------------------------------------------------
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
    # PyDBML refuses these, or reads them differently from the current grammar
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
    "Table t {\n  Note: 'no columns'\n}\n",
    "Table t assets {\n  a int\n}\n",
    "Table t [headercolor: #abcd] {\n  a int\n}\n",
    "Table t {\n  a int\n}x\n",
    "Table t {\n  prénom text\n}\n",
]

REFS = [
    'ref: "table_2"."col_4163" > "table_12"."col_2289"\n',
    "Ref fk: s.a.(x, \"y\" ) <> b.c [update: CASCADE, delete: set null]\n",
    "REF :a . b - c.d [delete:\n  restrict]\n",
    "Ref: a.b > c.d // comment\n",
    "Ref: a.b >> c.d\n",
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
def test_reads_what_pydbml_reads(text: str) -> None:
    _assert_agree(text)


@pytest.mark.parametrize("path", SMALL_CORPUS)
def test_corpus_files_read_as_pydbml_reads_them(path: str) -> None:
    _assert_agree(corpus_text(path))


def test_the_bench_file_reads_as_pydbml_reads_it() -> None:
    """PyDBML alone needs seconds for the whole 18k file: its first 400 statements."""
    text = corpus_text(BENCH)
    cut = [i for i, line in enumerate(text.split("\n")) if line.startswith(("Table", "Ref"))]
    _assert_agree("\n".join(text.split("\n")[:cut[400]]))


@pytest.mark.parametrize("text", ["Tablex {\n  a int\n}\n", "Ref_1: a.b > c.d\n"])
def test_keywords_are_words(text: str) -> None:
    """PyDBML reads ``Tablex`` as ``Table x`` and ``Ref_1:`` as ``Ref _1:``; DBML (the
    reference implementation) reads an element it does not know, which is skipped."""
    r = import_dbml([("x.dbml", text)])
    assert [(w.line, w.kind) for w in r.warnings] == [(1, "unsupported")]
    assert "is not known; skipped" in r.warnings[0].message
    assert not r.schema.tables


@pytest.mark.parametrize(("text", "line"), [
    ("Table t {\n  id int [pk, nope]\n}\n", None),
    ("Table t {\n  a int\n}x\n", 3),
])
def test_what_pydbml_refuses_we_refuse_or_read(text: str, line: int | None) -> None:
    try:
        parse(text)
    except DbmlSyntaxError as exc:
        assert exc.line == line
        return
    assert line is None
