"""Random valid PostgreSQL DDL for the differential test (Hypothesis strategies).

A generated script holds enums, domains with CHECKs, overloaded SQL functions used by CHECKs,
an operator over a function, tables with quoted and unicode names, single and composite
keys, foreign keys (composite, deferrable, MATCH FULL, every ON DELETE action), regex and
function CHECKs, defaults, expression, partial and DESC indexes, comments with quotes, and
range partitions. Every piece is built to be valid by construction (types agree, names are
unique); PostgreSQL stays the judge: a script it refuses is discarded, not failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

PLAIN = ["amount", "label", "note", "created", "flag", "qty", "code", "title", "score",
         "payload", "tags", "ref", "price", "kind", "state"]
ODD = ["Order Items", "ünïcødé", "select", "MixedCase", "a\"quote", "sp ace", "été", "x$y"]


def q(name: str) -> str:
    """Always-quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Col:
    name: str
    type: str  # SQL spelling
    kind: str  # int | num | text | bool | ts | date | json | uuid | arr | enum | dom
    nullable: bool = True
    default: str | None = None


@dataclass
class Tab:
    name: str
    cols: list[Col] = field(default_factory=list)
    pk: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # CHECK constraint names
    indexes: list[str] = field(default_factory=list)  # index names
    referenced: bool = False  # a foreign key points at it
    identity: bool = False  # id is an identity column
    fk: str | None = None  # its foreign key's FOREIGN KEY (...) REFERENCES ... (...)


@dataclass
class Design:
    """A script and what it made (for :func:`evolutions` to change)."""

    script: str
    tables: list[Tab]
    enums: list[tuple[str, list[str]]]
    changes: int = 0  # mutations drawn so far (their names' numbers)


_TYPES = [("integer", "int"), ("bigint", "int"), ("numeric(10,2)", "num"), ("text", "text"),
          ("varchar(40)", "text"), ("boolean", "bool"), ("timestamptz", "ts"),
          ("date", "date"), ("jsonb", "json"), ("uuid", "uuid"), ("text[]", "arr")]
_DEFAULTS = {"int": ["0", "42", "(-1)"], "num": ["0", "1.5"], "text": ["''", "'it''s'",
             "':x %s {y}'"], "bool": ["true", "false"], "ts": ["now()", "CURRENT_TIMESTAMP"],
             "date": ["CURRENT_DATE"], "json": ["'{}'::jsonb"], "uuid": ["gen_random_uuid()"],
             "arr": ["'{}'::text[]"]}
_CHECKS = {"int": ["{c} >= 0", "{c} BETWEEN -5 AND 1000", "{c} % 2 = 0 OR {c} > 10"],
           "num": ["{c} >= 0", "{c} < 1000000"],
           "text": ["{c} ~ '^[[:alnum:]_ ]*$'", "length({c}) < 200", "{c} <> ':x'",
                    "{c} NOT LIKE '%\\%'", "btrim({c}) <> ''"],
           "ts": ["{c} > '2000-01-01'"], "date": ["{c} >= '2000-01-01'::date"],
           "json": ["jsonb_typeof({c}) = 'object'"], "arr": ["cardinality({c}) < 10"]}


@st.composite
def names(draw: st.DrawFn, n: int, used: set[str]) -> list[str]:
    out = []
    for _ in range(n):
        base = draw(st.sampled_from(PLAIN + ODD))
        name, k = base, 1
        while name in used:
            k += 1
            name = f"{base}_{k}"
        used.add(name)
        out.append(name)
    return out


@st.composite
def scripts(draw: st.DrawFn, extended: bool = False) -> str:
    """One DDL script (text); ``extended``: with more types and objects (:func:`_extras`)."""
    return draw(designs(extended)).script


@st.composite
def designs(draw: st.DrawFn, extended: bool = False) -> Design:
    """One DDL script and the tables and enums it makes."""
    types = _TYPES + _MORE_TYPES if extended else _TYPES
    used: set[str] = set()
    out: list[str] = []
    enums: list[tuple[str, list[str]]] = []
    for name in draw(names(draw(st.integers(0, 2)), used)):
        labels = draw(st.lists(st.sampled_from(["new", "it's", "Done", "ünï", "a b", ":x"]),
                               min_size=1, max_size=4, unique=True))
        enums.append((name, labels))
        out.append(f"CREATE TYPE {q(name)} AS ENUM ({', '.join(lit(x) for x in labels)});")
    domains: list[str] = []
    if draw(st.booleans()):
        name = draw(names(1, used))[0]
        domains.append(name)
        out.append(f"CREATE DOMAIN {q(name)} AS integer CONSTRAINT {q(name + '_pos')} "
                   "CHECK (VALUE >= 0);")
    funcs = draw(st.booleans())
    if funcs:  # an overloaded function used by CHECKs, and an operator over a function
        out.append("CREATE FUNCTION ok(x integer) RETURNS boolean LANGUAGE sql IMMUTABLE "
                   "AS $$ SELECT x > -100 $$;")
        out.append("CREATE FUNCTION ok(x bigint) RETURNS boolean LANGUAGE sql IMMUTABLE "
                   "AS $$ SELECT x > -100 $$;")
        out.append("CREATE FUNCTION ok(x text) RETURNS boolean LANGUAGE sql IMMUTABLE "
                   "AS $$ SELECT length(x) < 500 $$;")
        out.append("CREATE FUNCTION same_len(a text, b text) RETURNS boolean LANGUAGE sql "
                   "IMMUTABLE AS $$ SELECT length(a) = length(b) $$;")
        out.append("CREATE OPERATOR === (LEFTARG = text, RIGHTARG = text, "
                   "FUNCTION = same_len);")
    tables: list[Tab] = []
    for tname in draw(names(draw(st.integers(1, 4)), used)):
        t = Tab(tname)
        composite = bool(tables) and draw(st.integers(0, 3)) == 0
        t.cols.append(Col("id", "bigint", "int", nullable=False))
        t.pk = ["id"]
        if composite:
            t.cols.append(Col("part", "integer", "int", nullable=False))
            t.pk = ["id", "part"]
        col_used = {c.name for c in t.cols}
        for cname in draw(names(draw(st.integers(1, 4)), col_used)):
            pick = draw(st.integers(0, len(types) + len(enums) + len(domains) - 1))
            if pick < len(types):
                typ, kind = types[pick]
            elif pick < len(types) + len(enums):
                typ, kind = q(enums[pick - len(types)][0]), "enum"
            else:
                typ, kind = q(domains[pick - len(types) - len(enums)]), "dom"
            col = Col(cname, typ, kind, nullable=draw(st.booleans()))
            if kind in _DEFAULTS and draw(st.booleans()):
                col.default = draw(st.sampled_from(_DEFAULTS[kind]))
            t.cols.append(col)
        tables.append(t)
    fks: list[str] = []
    for i, t in enumerate(tables):
        body = []
        for c in t.cols:
            line = f"{q(c.name)} {c.type}"
            if c.name == "id" and t.pk != ["id", "part"] and draw(st.booleans()):
                line += " GENERATED BY DEFAULT AS IDENTITY"
                t.identity = True
            if c.default is not None:
                line += f" DEFAULT {c.default}"
            if not c.nullable:
                line += " NOT NULL"
            body.append(line)
        body.append(f"CONSTRAINT {q(t.name + '_pkey')} PRIMARY KEY "
                    f"({', '.join(q(c) for c in t.pk)})")
        for k, c in enumerate(t.cols):
            options = _CHECKS.get(c.kind)
            if options and c.name not in t.pk and draw(st.booleans()):
                expr = draw(st.sampled_from(options)).format(c=q(c.name))
                body.append(f"CONSTRAINT {q(f'{t.name}_ck{k}')} CHECK ({expr})")
                t.checks.append(f"{t.name}_ck{k}")
            if funcs and c.kind in ("int", "text") and c.name not in t.pk and draw(st.booleans()):
                body.append(f"CONSTRAINT {q(f'{t.name}_ok{k}')} CHECK (ok({q(c.name)}))")
            if funcs and c.kind == "text" and draw(st.integers(0, 3)) == 0:
                body.append(f"CONSTRAINT {q(f'{t.name}_op{k}')} CHECK "
                            f"({q(c.name)} === {q(c.name)})")
        nums = [c for c in t.cols if c.kind in ("int", "num") and c.name not in t.pk]
        if nums and draw(st.integers(0, 3)) == 0:
            body.insert(len(t.cols), f"{q(nums[0].name + '_x2')} numeric GENERATED ALWAYS AS "
                                     f"({q(nums[0].name)} * 2) STORED")
        texts = [c for c in t.cols if c.kind == "text"]
        if texts and draw(st.integers(0, 2)) == 0:
            nnd = " NULLS NOT DISTINCT" if draw(st.booleans()) else ""
            body.append(f"CONSTRAINT {q(t.name + '_uq')} UNIQUE{nnd} ({q(texts[0].name)})")
        out.append(f"CREATE TABLE {q(t.name)} (\n  " + ",\n  ".join(body) + "\n);")
        if texts and draw(st.booleans()):
            out.append(f"COMMENT ON COLUMN {q(t.name)}.{q(texts[0].name)} IS "
                       f"{lit(draw(st.sampled_from(['a note', 'x''y', '$$ :z %'])))};")
        comment = draw(st.sampled_from(["", "it's a table", "ünïcødé -- not a comment */",
                                        "50% off: {x}"]))
        if comment:
            out.append(f"COMMENT ON TABLE {q(t.name)} IS {lit(comment)};")
        if i > 0 and draw(st.booleans()):
            parent = tables[draw(st.integers(0, i - 1))]
            parent.referenced = True
            cols = [f"{parent.name[:20]}_{c}" for c in parent.pk]
            for c, pc in zip(cols, parent.pk, strict=True):
                ptype = next(x.type for x in parent.cols if x.name == pc)
                out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(c)} {ptype};")
            action = draw(st.sampled_from(["CASCADE", "RESTRICT", "SET NULL", "NO ACTION"]))
            defer = draw(st.sampled_from(["", " DEFERRABLE", " DEFERRABLE INITIALLY DEFERRED"]))
            match = draw(st.sampled_from(["", " MATCH FULL", " MATCH SIMPLE"]))
            t.fk = (f"FOREIGN KEY ({', '.join(q(c) for c in cols)}) REFERENCES "
                    f"{q(parent.name)} ({', '.join(q(c) for c in parent.pk)})")
            fks.append(f"ALTER TABLE {q(t.name)} ADD CONSTRAINT {q(t.name + '_fk')} FOREIGN KEY "
                       f"({', '.join(q(c) for c in cols)}) REFERENCES {q(parent.name)} "
                       f"({', '.join(q(c) for c in parent.pk)}){match} ON DELETE {action}"
                       f"{defer};")
            t.indexes.append(t.name + "_fk_ix")
            out.append(f"CREATE INDEX {q(t.name + '_fk_ix')} ON {q(t.name)} "
                       f"({', '.join(q(c) for c in cols)});")
        if texts and draw(st.booleans()):
            t.indexes.append(t.name + "_lower")
            out.append(f"CREATE INDEX {q(t.name + '_lower')} ON {q(t.name)} "
                       f"(lower({q(texts[0].name)}))"
                       + (f" WHERE {q(nums[0].name)} > 0" if nums and draw(st.booleans())
                          else "") + ";")
        if nums and draw(st.booleans()):
            t.indexes.append(t.name + "_desc")
            out.append(f"CREATE INDEX {q(t.name + '_desc')} ON {q(t.name)} "
                       f"({q(nums[0].name)} DESC NULLS LAST, id);")
    out += fks
    if extended:
        out += _extras(draw, tables, enums)
    if draw(st.integers(0, 3)) == 0:
        name = draw(names(1, used))[0]
        out.append(f"CREATE TABLE {q(name)} (id bigint NOT NULL, at date NOT NULL, "
                   f"CONSTRAINT {q(name + '_pkey')} PRIMARY KEY (id, at)) "
                   "PARTITION BY RANGE (at);")
        for year in (2020, 2021):
            out.append(f"CREATE TABLE {q(f'{name}_{year}')} PARTITION OF {q(name)} "
                       f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01');")
    if extended and any(c.type == "citext" for t in tables for c in t.cols):
        out.insert(0, "CREATE EXTENSION IF NOT EXISTS citext;")
    return Design("\n".join(out) + "\n", tables, enums)


_WIDER = {"integer": "bigint", "varchar(40)": "varchar(80)", "text": "varchar(200)",
          "numeric(10,2)": "numeric(14,4)", "date": "timestamptz"}


# extended=True (the Drizzle differential): more types, each with its own TypeScript mapping
_MORE_TYPES = [("smallint", "int"), ("real", "num"), ("double precision", "num"),
               ("numeric", "num"), ("varchar", "text"), ("char(3)", "text"),
               ("timestamp(3)", "ts"), ("timestamp", "ts"), ("time", "other"),
               ("timetz", "other"), ("interval", "other"), ("bytea", "other"),
               ("inet", "other"), ("cidr", "other"), ("macaddr", "other"), ("json", "other"),
               ("integer[]", "other"), ("text[][]", "other"), ("bit(8)", "other"),
               ("varbit", "other"), ("point", "other"), ("tsvector", "other"),
               ("smallserial", "serial"), ("serial", "serial"), ("bigserial", "serial"),
               ("xml", "other"), ("money", "other"), ("numeric(5)", "num"), ("citext", "other"),
               ("char", "text"), ("uuid[]", "other"), ("jsonb[]", "other"),
               ("date[]", "other"), ("timestamptz(0)", "ts"), ("interval day", "other")]


def _extras(draw: st.DrawFn, tables: list[Tab], enums: list[tuple[str, list[str]]]
            ) -> list[str]:
    """Statements only the extended scripts have: enum arrays and defaults, a self reference,
    multi-column and partial unique keys, INCLUDE, GIN and hash indexes, ON UPDATE actions,
    a sequence a default calls, a second schema, a view."""
    out: list[str] = []
    for n, t in enumerate(tables):
        if enums and draw(st.booleans()):
            name, labels = draw(st.sampled_from(enums))
            arr = draw(st.booleans())
            out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(f'{name}_x{n}')} {q(name)}"
                       + ("[]" if arr else f" DEFAULT {lit(labels[0])}") + ";")
        if t.pk == ["id"] and draw(st.integers(0, 2)) == 0:
            action = draw(st.sampled_from(["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"]))
            out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q('up_id')} bigint "
                       f"CONSTRAINT {q(t.name + '_self')} REFERENCES {q(t.name)} (id) "
                       f"ON UPDATE {action} ON DELETE SET NULL;")
        plain = [c for c in t.cols if c.name not in t.pk and c.kind not in ("serial", "other")]
        if len(plain) >= 2 and draw(st.booleans()):
            a, b = plain[0], plain[1]
            out.append(f"ALTER TABLE {q(t.name)} ADD CONSTRAINT {q(t.name + '_uq2')} UNIQUE "
                       f"({q(a.name)}, {q(b.name)});")
        if plain and draw(st.booleans()):
            c = plain[-1]
            out.append(f"CREATE UNIQUE INDEX {q(t.name + '_pu')} ON {q(t.name)} "
                       f"({q(c.name)}) INCLUDE (id) WHERE {q(c.name)} IS NOT NULL;")
        jsons = [c for c in t.cols if c.kind == "json"]
        if jsons and draw(st.booleans()):
            out.append(f"CREATE INDEX {q(t.name + '_gin')} ON {q(t.name)} USING gin "
                       f"({q(jsons[0].name)} jsonb_path_ops);")
        texts = [c for c in t.cols if c.kind == "text"]
        if texts and draw(st.booleans()):
            out.append(f"CREATE INDEX {q(t.name + '_hash')} ON {q(t.name)} USING hash "
                       f"({q(texts[0].name)});")
    if draw(st.booleans()):
        t = draw(st.sampled_from(tables))
        out.append("CREATE SEQUENCE \"ticket seq\" START 100 INCREMENT 5;")
        out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q('ticket')} bigint NOT NULL "
                   "DEFAULT nextval('\"ticket seq\"');")
    if draw(st.booleans()):
        out.append('CREATE SCHEMA "Other";')
        out.append('CREATE TABLE "Other"."thing" (id integer PRIMARY KEY, '
                   'name text NOT NULL UNIQUE, at timestamptz DEFAULT now());')
        t = draw(st.sampled_from(tables))
        out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q('thing_id')} integer "
                   f'REFERENCES "Other"."thing" (id);')
    if draw(st.booleans()):
        t = draw(st.sampled_from(tables))
        out.append(f"CREATE VIEW {q(t.name + ' view')} AS SELECT id FROM {q(t.name)};")
    return out


@st.composite
def mutations(draw: st.DrawFn, design: Design) -> str:
    """DDL that changes ``design`` the way a new version of a design does (add, drop,
    retype, rename, constrain and index columns; add and drop tables, enum values,
    comments): the second version of a two-version design (:func:`evolutions`)."""
    out: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        m = design.changes
        design.changes += 1
        live = design.tables
        what = draw(st.sampled_from(
            ["add", "drop", "retype", "null", "default", "check", "drop_check", "index",
             "drop_index", "rename", "unique", "enum", "new_table", "drop_table",
             "comment", "new_enum", "rename_value", "identity", "rename_table", "generated",
             "drop_fk", "add_not_null", "fk_action", "rename_enum", "rename_index",
             "rename_check", "check_change", "table_comment", "retype_key", "drop_pk",
             "identity_step", "set_schema"]))
        if what == "new_table" or not live:
            name = f"{draw(st.sampled_from(PLAIN + ODD))}_t{m}"
            cols = [f"{q('id')} bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                    f"{q('note')} text"]
            if live and draw(st.booleans()):
                parent = draw(st.sampled_from([t for t in live if t.pk == ["id"]] or [None]))
                if parent is not None:
                    parent.referenced = True
                    cols.append(f"{q('parent_id')} bigint REFERENCES {q(parent.name)} (id) "
                                "ON DELETE CASCADE")
            out.append(f"CREATE TABLE {q(name)} ({', '.join(cols)});")
            design.tables.append(Tab(name, [Col("id", "bigint", "int", nullable=False),
                                            Col("note", "text", "text")], ["id"]))
            continue
        t = draw(st.sampled_from(live))
        plain = [c for c in t.cols if c.name not in t.pk]
        if what == "new_enum":
            enum = f"{draw(st.sampled_from(PLAIN + ODD))}_e{m}"
            labels = draw(st.lists(st.sampled_from(["new", "it's", "Done", "ünï"]),
                                   min_size=1, max_size=3, unique=True))
            out.append(f"CREATE TYPE {q(enum)} AS ENUM ({', '.join(lit(x) for x in labels)});")
            out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(f'{enum}_c')} {q(enum)}"
                       + (f" DEFAULT {lit(labels[0])} NOT NULL" if draw(st.booleans())
                          else "") + ";")
        elif what == "rename_value" and design.enums:
            enum, labels = draw(st.sampled_from(design.enums))
            old = draw(st.sampled_from(labels))
            labels[labels.index(old)] = f"{old} r{m}"
            out.append(f"ALTER TYPE {q(enum)} RENAME VALUE {lit(old)} TO {lit(old + f' r{m}')};")
        elif what == "identity" and t.pk == ["id"]:
            out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN id DROP IDENTITY IF EXISTS;")
            t.identity = draw(st.booleans())
            if t.identity:
                out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN id ADD GENERATED ALWAYS AS "
                           "IDENTITY;")
        elif what == "rename_table" and not t.referenced:
            new = f"{t.name[:20]}_n{m}"
            out.append(f"ALTER TABLE {q(t.name)} RENAME TO {q(new)};")
            t.name = new
        elif what == "generated" and [c for c in plain if c.kind == "int"]:
            c = next(c for c in plain if c.kind == "int")
            out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(f'{c.name}_g{m}')} bigint "
                       f"GENERATED ALWAYS AS ({q(c.name)} + 1) STORED;")
        elif what == "fk_action" and t.fk:
            action = draw(st.sampled_from(["CASCADE", "RESTRICT", "SET NULL", "NO ACTION"]))
            out.append(f"ALTER TABLE {q(t.name)} DROP CONSTRAINT IF EXISTS {q(t.name + '_fk')}, "
                       f"ADD CONSTRAINT {q(t.name + '_fk')} {t.fk} ON DELETE {action} "
                       f"ON UPDATE CASCADE;")
        elif what == "rename_enum" and design.enums:
            k = draw(st.integers(0, len(design.enums) - 1))
            old, labels = design.enums[k]
            design.enums[k] = (f"{old[:20]}_n{m}", labels)
            out.append(f"ALTER TYPE {q(old)} RENAME TO {q(design.enums[k][0])};")
        elif what == "rename_index" and t.indexes:
            old = draw(st.sampled_from(t.indexes))
            t.indexes[t.indexes.index(old)] = f"{old[:30]}_i{m}"
            out.append(f"ALTER INDEX {q(old)} RENAME TO {q(f'{old[:30]}_i{m}')};")
        elif what == "rename_check" and t.checks:
            old = draw(st.sampled_from(t.checks))
            t.checks[t.checks.index(old)] = f"{old[:30]}_c{m}"
            out.append(f"ALTER TABLE {q(t.name)} RENAME CONSTRAINT {q(old)} TO "
                       f"{q(f'{old[:30]}_c{m}')};")
        elif what == "check_change" and t.checks:
            name = draw(st.sampled_from(t.checks))
            out.append(f"ALTER TABLE {q(t.name)} DROP CONSTRAINT {q(name)}, "
                       f"ADD CONSTRAINT {q(name)} CHECK (id > -{m + 1});")
        elif what == "table_comment":
            out.append(f"COMMENT ON TABLE {q(t.name)} IS "
                       f"{lit(draw(st.sampled_from(['', f'version {m}', 'it''s'])))};")
        elif what == "retype_key" and "part" in t.pk and not t.referenced:
            out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN part TYPE bigint;")
        elif what == "drop_pk" and not t.referenced:
            out.append(f"ALTER TABLE {q(t.name)} DROP CONSTRAINT {q(t.name + '_pkey')};")
            t.referenced = True  # (no key to point at now)
        elif what == "identity_step" and t.identity:
            out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN id SET INCREMENT BY {m + 2} "
                       f"SET START WITH {m + 10};")
        elif what == "set_schema" and not t.referenced:
            out.append('CREATE SCHEMA IF NOT EXISTS "Moved";')
            out.append(f'ALTER TABLE {q(t.name)} SET SCHEMA "Moved";')
            design.tables.remove(t)
        elif what == "drop_fk":
            out.append(f"ALTER TABLE {q(t.name)} DROP CONSTRAINT IF EXISTS {q(t.name + '_fk')};")
        elif what == "add_not_null":
            typ, _ = draw(st.sampled_from(_TYPES))
            out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(f'req_m{m}')} {typ} NOT NULL;")
        elif what == "drop_table" and not t.referenced:
            design.tables.remove(t)
            out.append(f"DROP TABLE {q(t.name)};")
        elif what == "add" or not plain:
            typ, kind = draw(st.sampled_from(_TYPES))
            name = f"{draw(st.sampled_from(PLAIN + ODD))}_m{m}"
            line = f"ALTER TABLE {q(t.name)} ADD COLUMN {q(name)} {typ}"
            if kind in _DEFAULTS and draw(st.booleans()):
                line += f" DEFAULT {draw(st.sampled_from(_DEFAULTS[kind]))}"
                if draw(st.booleans()):
                    line += " NOT NULL"
            out.append(line + ";")
        else:
            c = draw(st.sampled_from(plain))
            if what == "drop":
                t.cols.remove(c)
                out.append(f"ALTER TABLE {q(t.name)} DROP COLUMN {q(c.name)} CASCADE;")
            elif what == "retype" and c.type in _WIDER:
                out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN {q(c.name)} TYPE "
                           f"{_WIDER[c.type]};")
                c.type = _WIDER[c.type]
            elif what == "null":
                c.nullable = not c.nullable
                out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN {q(c.name)} "
                           f"{'DROP' if c.nullable else 'SET'} NOT NULL;")
            elif what == "default" and c.kind in _DEFAULTS:
                c.default = None if c.default else draw(st.sampled_from(_DEFAULTS[c.kind]))
                out.append(f"ALTER TABLE {q(t.name)} ALTER COLUMN {q(c.name)} "
                           + (f"SET DEFAULT {c.default};" if c.default else "DROP DEFAULT;"))
            elif what == "check" and c.kind in _CHECKS:
                expr = draw(st.sampled_from(_CHECKS[c.kind])).format(c=q(c.name))
                out.append(f"ALTER TABLE {q(t.name)} ADD CONSTRAINT {q(f'{t.name}_m{m}')} "
                           f"CHECK ({expr});")
            elif what == "drop_check" and t.checks:
                name = draw(st.sampled_from(t.checks))
                t.checks.remove(name)
                out.append(f"ALTER TABLE {q(t.name)} DROP CONSTRAINT IF EXISTS {q(name)};")
            elif what == "drop_index" and t.indexes:
                name = draw(st.sampled_from(t.indexes))
                t.indexes.remove(name)
                out.append(f"DROP INDEX IF EXISTS {q(name)};")
            elif what == "rename":
                new = f"{c.name[:20]}_r{m}"
                out.append(f"ALTER TABLE {q(t.name)} RENAME COLUMN {q(c.name)} TO {q(new)};")
                c.name = new
            elif what == "unique" and c.kind != "other":  # (point, json: no btree class)
                out.append(f"ALTER TABLE {q(t.name)} ADD CONSTRAINT {q(f'{t.name}_u{m}')} "
                           f"UNIQUE ({q(c.name)});")
            elif what == "enum" and design.enums:
                enum = draw(st.sampled_from(design.enums))[0]
                out.append(f"ALTER TYPE {q(enum)} ADD VALUE IF NOT EXISTS 'added {m}';")
            elif what != "comment" and c.kind != "other":
                out.append(f"CREATE INDEX {q(f'{t.name}_m{m}')} ON {q(t.name)} "
                           f"({q(c.name)});")
                t.indexes.append(f"{t.name}_m{m}")
            else:
                out.append(f"COMMENT ON COLUMN {q(t.name)}.{q(c.name)} IS "
                           f"{lit(draw(st.sampled_from(['changed', 'it''s new', ''])))};")
    return "\n".join(out) + "\n"


@st.composite
def evolutions(draw: st.DrawFn, extended: bool = False, changes: int = 1
               ) -> tuple[str, list[str]]:
    """A script and ``changes`` mutations of it, each run after the ones before: (the first
    version's DDL, the DDL that makes each next version)."""
    design = draw(designs(extended))
    return design.script, [draw(mutations(design)) for _ in range(changes)]
