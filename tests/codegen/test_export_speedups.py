"""Issue 17: the export's shortcuts give what the plain forms gave: DESIGN.md's table cells,
the revision code's call layout, the zip with files made late, the expressions parsed ahead."""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import replace

import pytest

from modeler.codegen.bundle import Deflated, bundle_files, write_zip, write_zipfile
from modeler.codegen.designdoc_parts import cell
from modeler.codegen.migration_code import WIDTH, Call, Lit, Seq, lit, split_literal
from modeler.codegen.sqlwriter import parse_expressions
from modeler.codegen.versions import VersionInput
from modeler.schema import model as m
from modeler.schema import sqlexpr
from tests.codegen.designs import shop_v1

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def _cell(value: object) -> str:  # what cell() always computed
    text = "" if value is None else str(value)
    return " ".join(text.replace("|", "\\|").split()) or " "


def test_a_table_cell_is_what_it_was() -> None:
    alphabet = [*WHITESPACE, *"ab |`\\é€", "\x00", "\x1f", "\u200b", "\ufeff"]
    rng = random.Random(17)
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert cell(text) == _cell(text), repr(text)
    for value in (None, 0, 2.5, "", " ", "a b", "a  b", " a", "a ", "a|b"):
        assert cell(value) == _cell(value)


# what Call/Lit/Seq rendered before their one-line texts were shared down the tree
def _one(node: object) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, Lit):
        return lit(node.value)
    if isinstance(node, Seq):
        return "[" + ", ".join(_one(i) for i in node.items) + "]"
    assert isinstance(node, Call)
    parts = [_one(a) for a in node.args] + [f"{k}={_one(v)}" for k, v in node.kwargs]
    return f"{node.func}({', '.join(parts)})"


def _render(node: object, indent: int, width: int = WIDTH) -> str:
    if isinstance(node, str):
        return node
    one = _one(node)
    if isinstance(node, Lit):
        return one if indent + len(one) <= width else split_literal(node.value, indent, width)
    if isinstance(node, Seq) or indent + len(one) <= width:
        return one
    assert isinstance(node, Call)
    pad = " " * (indent + 4)
    parts = [_render(a, indent + 4, width) for a in node.args]
    parts += [f"{k}={_render(v, indent + 4 + len(k) + 1, width)}" for k, v in node.kwargs]
    body = "".join(f"{pad}{p},\n" for p in parts)
    return f"{node.func}(\n{body}{' ' * indent})"


def _call(rng: random.Random, depth: int) -> Call:
    def arg() -> object:
        kind = rng.random()
        if depth and kind < 0.3:
            return _call(rng, depth - 1)
        if kind < 0.55:
            words = " ".join(rng.choice(["id", "name", "'x'", '"q"', "a\\b", "long" * 9])
                             for _ in range(rng.randint(1, 12)))
            return Lit(words)
        if kind < 0.7:
            return Seq(tuple(rng.choice(["a", "sa.text('x')"]) for _ in range(3)))
        return rng.choice(["sa.Integer()", "nullable=False", "x" * rng.randint(1, 40)])

    args = tuple(arg() for _ in range(rng.randint(0, 4)))
    kwargs = tuple((f"k{i}", arg()) for i in range(rng.randint(0, 3)))
    return Call(rng.choice(["op.create_table", "sa.Column", "f"]), args, kwargs)  # type: ignore[arg-type]


def test_a_call_renders_as_it_did() -> None:
    rng = random.Random(6)
    shared = _call(rng, 2)
    for i in range(3000):
        call = _call(rng, 3)
        if i % 10 == 0:  # one node twice in a tree
            call = Call("op.f", (shared, shared), (("k", shared),))
        for indent in (0, 4, 8, 40):
            assert call.render(indent) == _render(call, indent)
        assert call.one_line() == _one(call)


def test_a_zip_with_files_made_late_is_the_same_zip() -> None:
    files = {"b.txt": b"b" * 5000, "a/x.py": "caf\u00e9\n".encode(), "c": b""}
    late = {"b.txt": lambda: b"b" * 5000, "a/x.py": files["a/x.py"], "c": lambda: b""}
    assert write_zip(late) == write_zip(files)
    assert write_zip(late, root="shop") == write_zip(files, root="shop")
    with zipfile.ZipFile(io.BytesIO(write_zip(late))) as z:
        assert {n: z.read(n) for n in z.namelist()} == files


def test_the_bundles_files_made_late_are_those_made_at_once() -> None:
    versions = [VersionInput(1, "First", "ann", "2026-01-01", shop_v1())]
    made: list[str] = []

    def sql() -> str:
        made.append("schema.sql")
        return "-- made elsewhere\n"

    files = bundle_files(versions, slug="shop", schema_sql=sql, diagram_svg=lambda: "<svg/>")
    assert made == []  # asked for when written
    assert callable(files["schema.sql"]) and callable(files["diagram.svg"])
    assert list(files) == sorted(files)
    body = write_zip(files)
    assert made == ["schema.sql"]
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert z.read("schema.sql") == b"-- made elsewhere\n"
        assert z.read("diagram.svg") == b"<svg/>"


def test_expressions_parsed_ahead_leave_a_bad_one_to_the_file_that_asks() -> None:
    base = shop_v1()
    table = base.tables[0]
    bad = "1 +"
    col = m.Column(uid="c-bad", name="odd", type=m.ColumnType(kind="builtin", name="integer"),
                   nullable=True, default=bad)
    design = replace(base, tables=(replace(table, columns=(*table.columns, col)),
                                   *base.tables[1:]))
    parse_expressions(design)  # no error here
    with pytest.raises(sqlexpr.ExpressionError):
        sqlexpr.parse(bad)


def test_the_zip_is_the_one_zipfile_writes() -> None:
    rng = random.Random(3)
    names = ["DESIGN.md", "a/b.py", "caf\u00e9/\u00fcber.txt", "\u65e5\u672c.sql", "py.typed",
             "x" * 300]
    for _ in range(200):
        files = {rng.choice(names) + str(i): rng.randbytes(rng.randint(0, 3000))
                 * rng.randint(1, 3) for i in range(rng.randint(0, 6))}
        for root in ("", "shop", "caf\u00e9/"):
            assert write_zip(files, root=root) == write_zipfile(files, root=root)
        ahead = {p: Deflated.of(b) if i % 2 else b for i, (p, b) in enumerate(files.items())}
        assert write_zip(ahead) == write_zipfile(files)


def test_files_deflated_as_they_are_made_give_the_same_zip() -> None:
    versions = [VersionInput(1, "First", "ann", "2026-01-01", shop_v1())]
    handed: list[int] = []

    def deflate(body: bytes) -> Deflated:
        handed.append(len(body))
        return Deflated.of(body)

    for target in ("sqlalchemy", "drizzle", "both"):
        handed.clear()
        plain = write_zip(bundle_files(versions, slug="shop", target=target,  # type: ignore[arg-type]
                                       diagram_svg="<svg>\u00e9</svg>"))
        early = write_zip(bundle_files(versions, slug="shop", target=target,  # type: ignore[arg-type]
                                       diagram_svg="<svg>\u00e9</svg>", deflate=deflate))
        assert early == plain
        assert handed  # the files went through deflate
