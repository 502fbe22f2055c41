"""Hypothesis strategies for DBML *text* as strangers write it (tests/strategies.py draws
designs; these draw the files): a small grammar of the current DBML (holistics/dbml's
``dbml-parse``), rendered with the spellings people use.

Names come from a pool of the awkward ones: SQL, Python and TypeScript reserved words,
quoted names with spaces, dots, quotes and backslashes, unicode, names longer than 63 bytes,
names differing only in case. Every element the grammar knows appears: enums with odd
labels, tables in other schemas with aliases, notes (single-line with escapes, multi-line
with quotes and backslashes), defaults of every kind (numbers, signed, strings with quotes,
booleans, null, backtick expressions, enum values), inline references both ways and
standalone ones (composite too) with actions in every spelling, indexes with expressions
and settings, checks, table partials, table groups, records, a Project.

The text is valid DBML by construction; what PostgreSQL would refuse in it (a default of
the wrong type, a reference between types that do not compare...) is for the importer to
repair or leave out, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hypothesis import strategies as st

NAMES = (
    "id", "user", "order", "select", "class", "from", "type", "default", "import", "group",
    "metadata", "registry", "query", "None", "True", "self", "function", "new", "enum",
    "delete", "interface", "constructor", "toString", "let", "my col", "a.b", "it's",
    'say "hi"', "back\\slash", "naïve", "数据", "Name", "NAME", "name", "with-dash", "123abc",
    " padded ", "note", "ref", "pk", "null", "true", "indexes", "Base", "Mapped", "sa",
    "alembic_version", "x" * 70, "é" * 40, "status", "status_enum", "t_pkey", "users",
    "Users", "Note",
)
ENUM_NAMES = NAMES
SCHEMAS = (None, "public", "shop", "my schema", "Order")
ENUM_LABELS = ("new", "in progress", "it's", "a\\b", "", "NEW", "x y", "ü", "1", "null",
               "true", 'dq"', "a,b", "{x}")
PLAIN_TYPES = ("int", "integer", "bigint", "smallint", "varchar", "varchar(255)", "text",
               "numeric(10,2)", "decimal(5, 2)", "boolean", "bool", "timestamp",
               "timestamptz", "date", "uuid", "jsonb", "json", "float", "double precision",
               "int[]", "text[]", "serial", "bigserial", "datetime", "string", "char(3)",
               "interval", "time", "bytea", "inet", "money", "tinyint", "nvarchar(max)",
               '"timestamp with time zone"', '"character varying(20)"',
               '"timestamp(3) without time zone"', "point", "json[]", "int4range",
               # outside PostgreSQL's ranges, or MySQL's flags alone: repaired with a warning
               "timestamp(9)", "varchar(0)", "numeric(1001,2)", "unsigned")
ACTIONS = ("cascade", "restrict", "set null", "set default", "no action", "Cascade",
           "SET NULL", "No Action", "Restrict")
OPS = (">", "<", "-", "<>")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = frozenset({"table", "enum", "ref", "note", "indexes", "checks", "project",
                       "tablegroup", "tablepartial", "records", "as", "null", "true", "false",
                       "pk"})
STRINGS = ("plain", "it's", 'say "hi"', "back\\slash", "two\nlines", "tab\there", "ünï",
           "", "'''", "a\\'b", "100%", "--not a comment", "/* no */", "`tick`")


def ident(name: str, bare: bool) -> str:
    """A DBML name, bare when it can be and ``bare``, else quoted with escapes."""
    if bare and _PLAIN.fullmatch(name) and name.lower() not in _KEYWORDS:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def string(text: str, triple: bool = False) -> str:
    """A DBML string: '...' with escapes, or '''...''' (multi-line)."""
    text = text.replace("\\", "\\\\")
    if triple:
        return "'''" + text.replace("'", "\\'") + "'''"
    return "'" + text.replace("'", "\\'").replace("\n", "\\n").replace("\t", "\\t") + "'"


@dataclass
class Col:
    name: str
    type: str  # as written
    settings: list[str] = field(default_factory=list)


@dataclass
class Tbl:
    schema: str | None
    name: str
    alias: str | None = None
    columns: list[Col] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # indexes, checks, notes, partials
    settings: list[str] = field(default_factory=list)

    def ref(self, bare: bool) -> str:
        if self.alias is not None:
            return self.alias
        if self.schema is None:
            return ident(self.name, bare)
        return f"{ident(self.schema, bare)}.{ident(self.name, bare)}"


def _default(draw: st.DrawFn, type_: str, enums: dict[str, list[str]]) -> str:
    kinds = ["num", "neg", "dec", "str", "bool", "null", "now", "expr"]
    if type_.strip('"') in enums:
        kinds += ["enum", "enumstr"]
    kind = draw(st.sampled_from(kinds))
    enum = type_.strip('"')
    if kind == "num":
        return str(draw(st.integers(0, 10**12)))
    if kind == "neg":
        return f"-{draw(st.integers(0, 99))}"
    if kind == "dec":
        return draw(st.sampled_from(("0.5", "-0.5", "1e3", "3.14")))
    if kind == "str":
        return string(draw(st.sampled_from((*STRINGS, "{}", "{1,2}", "5", "true", "2024-01-01",
                                            "now()"))))
    if kind == "bool":
        return draw(st.sampled_from(("true", "false")))
    if kind == "null":
        return "null"
    if kind == "now":
        return draw(st.sampled_from(("`now()`", "`CURRENT_TIMESTAMP`", "`gen_random_uuid()`",
                                     "`current_date`")))
    if kind == "expr":
        return draw(st.sampled_from(("`1 + 1`", "`'a' || 'b'`", "`lower('X')`",
                                     "`'{}'::jsonb`", "`ARRAY[1, 2]`")))
    if kind == "enum":
        return f"{ident(enum, True)}.{ident(draw(st.sampled_from(enums[enum])), True)}"
    return string(draw(st.sampled_from(enums[enum])))


@st.composite
def dbml_documents(draw: st.DrawFn, max_tables: int = 4) -> str:
    """One DBML file (see the module docstring)."""
    bare = draw(st.booleans())
    out: list[str] = []
    if draw(st.booleans()):
        out.append(f"Project {ident(draw(st.sampled_from(NAMES)), bare)} {{\n"
                   f"  database_type: 'PostgreSQL'\n"
                   f"  Note: {string(draw(st.sampled_from(STRINGS)), triple=True)}\n}}\n")
    enums: dict[str, list[str]] = {}
    for name in draw(st.lists(st.sampled_from(ENUM_NAMES), max_size=2, unique=True)):
        labels = draw(st.lists(st.sampled_from(ENUM_LABELS), min_size=1, max_size=4,
                               unique=True))
        enums[name] = labels
        lines = [f"  {ident(v, bare) if draw(st.booleans()) else string(v)}"
                 + (f" [note: {string(draw(st.sampled_from(STRINGS)))}]"
                    if draw(st.booleans()) else "") for v in labels]
        out.append(f"Enum {ident(name, bare)} {{\n" + "\n".join(lines) + "\n}\n")
    partial = None
    if draw(st.booleans()):
        partial = draw(st.sampled_from(("stamped", "base", "audit")))
        out.append(f"TablePartial {partial} {{\n"
                   "  created_at timestamptz [not null, default: `now()`]\n"
                   "  indexes {\n    created_at\n  }\n}\n")
    tables: list[Tbl] = []
    keys = draw(st.lists(st.tuples(st.sampled_from(SCHEMAS), st.sampled_from(NAMES)),
                         min_size=1, max_size=max_tables,
                         unique_by=lambda k: (k[0] or "public", k[1])))
    for n, (schema, name) in enumerate(keys):
        t = Tbl(schema, name, alias=f"T{n}" if draw(st.booleans()) and schema is None
                else None)
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=6, unique=True))
        types = list(PLAIN_TYPES) + [ident(e, bare) for e in enums]
        for i, cname in enumerate(names):
            ctype = draw(st.sampled_from(types))
            col = Col(cname, ctype)
            if i == 0 and draw(st.booleans()):
                col.settings.append(draw(st.sampled_from(("pk", "primary key"))))
                if draw(st.booleans()) and ctype in ("int", "integer", "bigint"):
                    col.settings.append("increment")
            if draw(st.integers(0, 3)) == 0:
                col.settings.append(draw(st.sampled_from(("not null", "null", "unique"))))
            if draw(st.integers(0, 2)) == 0:
                col.settings.append(f"default: {_default(draw, ctype, enums)}")
            if draw(st.integers(0, 3)) == 0:
                col.settings.append(f"note: {string(draw(st.sampled_from(STRINGS)))}")
            t.columns.append(col)
        if partial is not None and draw(st.booleans()):
            t.body.append(f"~{partial}")
        if draw(st.integers(0, 2)) == 0:
            cols = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
            part = ident(cols[0], bare) if len(cols) == 1 else \
                "(" + ", ".join(ident(c, bare) for c in cols) + ")"
            index_settings = draw(st.lists(st.sampled_from((
                "unique", "name: 'ix one'", "type: btree", "type: hash",
                f"note: {string('index note')}", "pk")), max_size=2, unique=True))
            t.body.append("indexes {\n    " + part
                          + (f" [{', '.join(index_settings)}]" if index_settings else "")
                          + "\n  }")
        if draw(st.integers(0, 3)) == 0:
            t.body.append("indexes {\n    " + draw(st.sampled_from((
                "`lower(\"name\")`", "`(1 + 2)`", f"(`md5({ident(names[0], False)}::text)`, "
                f"{ident(names[0], bare)})"))) + "\n  }")
        if draw(st.integers(0, 3)) == 0:
            t.body.append("checks {\n    `" + ident(names[-1], False) + " IS NOT NULL` "
                          f"[name: {string('check ' + names[-1])}]\n  }}")
        if draw(st.integers(0, 3)) == 0:
            note = string(draw(st.sampled_from(STRINGS)), triple=draw(st.booleans()))
            t.body.append(f"Note: {note}" if draw(st.booleans())
                          else f"Note {{\n    {note}\n  }}")
        if draw(st.booleans()):
            t.settings.append(draw(st.sampled_from((
                "headercolor: #3498DB", f"note: {string('table note')}", "color: #abc"))))
        tables.append(t)
    # references: inline or standalone, composite sometimes, in both directions
    refs: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        child, parent = draw(st.sampled_from(tables)), draw(st.sampled_from(tables))
        c, p = draw(st.sampled_from(child.columns)), draw(st.sampled_from(parent.columns))
        op = draw(st.sampled_from(OPS))
        actions = [f"{w}: {draw(st.sampled_from(ACTIONS))}"
                   for w in draw(st.lists(st.sampled_from(("delete", "update")), max_size=2,
                                          unique=True))]
        settings = f" [{', '.join(actions)}]" if actions else ""
        if draw(st.booleans()):
            c.settings.append(f"ref: {op} {parent.ref(bare)}.{ident(p.name, bare)}")
        elif len(child.columns) > 1 and len(parent.columns) > 1 and draw(st.booleans()):
            c2 = next(x for x in child.columns if x is not c)
            p2 = next(x for x in parent.columns if x is not p)
            refs.append(f"Ref: {child.ref(bare)}.({ident(c.name, bare)}, "
                        f"{ident(c2.name, bare)}) {op} {parent.ref(bare)}."
                        f"({ident(p.name, bare)}, {ident(p2.name, bare)}){settings}")
        else:
            name = f"{ident(draw(st.sampled_from(NAMES)), bare)}" if draw(st.booleans()) \
                else ""
            body = f"{child.ref(bare)}.{ident(c.name, bare)} {op} " \
                f"{parent.ref(bare)}.{ident(p.name, bare)}{settings}"
            refs.append(f"Ref {name}: {body}" if draw(st.booleans())
                        else f"Ref {name} {{\n  {body}\n}}")
    for t in tables:
        head = f"Table {'' if t.schema is None else ident(t.schema, bare) + '.'}" \
            f"{ident(t.name, bare)}" + (f" as {t.alias}" if t.alias else "") + \
            (f" [{', '.join(t.settings)}]" if t.settings else "")
        lines = [f"  {ident(c.name, bare)} {c.type}"
                 + (f" [{', '.join(c.settings)}]" if c.settings else "") for c in t.columns]
        lines += [f"  {b}" for b in t.body]
        out.append(head + " {\n" + "\n".join(lines) + "\n}\n")
    out += [r + "\n" for r in refs]
    if draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(tables), min_size=1, max_size=3,
                                unique_by=id))
        out.append(f"TableGroup {ident(draw(st.sampled_from(NAMES)), bare)} "
                   "[color: #ff0000] {\n" + "\n".join(f"  {t.ref(bare)}" for t in members)
                   + "\n}\n")
    if draw(st.integers(0, 3)) == 0:
        t = draw(st.sampled_from(tables))
        out.append(f"Records {t.ref(bare)}({ident(t.columns[0].name, bare)}) {{\n"
                   "  1\n  'two'\n  null\n}\n")
    order = draw(st.permutations(range(len(out))))
    return "\n".join(out[i] for i in order)
