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
def scripts(draw: st.DrawFn) -> str:
    """One DDL script (text)."""
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
            pick = draw(st.integers(0, len(_TYPES) + len(enums) + len(domains) - 1))
            if pick < len(_TYPES):
                typ, kind = _TYPES[pick]
            elif pick < len(_TYPES) + len(enums):
                typ, kind = q(enums[pick - len(_TYPES)][0]), "enum"
            else:
                typ, kind = q(domains[pick - len(_TYPES) - len(enums)]), "dom"
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
            cols = [f"{parent.name[:20]}_{c}" for c in parent.pk]
            for c, pc in zip(cols, parent.pk, strict=True):
                ptype = next(x.type for x in parent.cols if x.name == pc)
                out.append(f"ALTER TABLE {q(t.name)} ADD COLUMN {q(c)} {ptype};")
            action = draw(st.sampled_from(["CASCADE", "RESTRICT", "SET NULL", "NO ACTION"]))
            defer = draw(st.sampled_from(["", " DEFERRABLE", " DEFERRABLE INITIALLY DEFERRED"]))
            match = draw(st.sampled_from(["", " MATCH FULL", " MATCH SIMPLE"]))
            fks.append(f"ALTER TABLE {q(t.name)} ADD CONSTRAINT {q(t.name + '_fk')} FOREIGN KEY "
                       f"({', '.join(q(c) for c in cols)}) REFERENCES {q(parent.name)} "
                       f"({', '.join(q(c) for c in parent.pk)}){match} ON DELETE {action}"
                       f"{defer};")
            out.append(f"CREATE INDEX {q(t.name + '_fk_ix')} ON {q(t.name)} "
                       f"({', '.join(q(c) for c in cols)});")
        if texts and draw(st.booleans()):
            out.append(f"CREATE INDEX {q(t.name + '_lower')} ON {q(t.name)} "
                       f"(lower({q(texts[0].name)}))"
                       + (f" WHERE {q(nums[0].name)} > 0" if nums and draw(st.booleans())
                          else "") + ";")
        if nums and draw(st.booleans()):
            out.append(f"CREATE INDEX {q(t.name + '_desc')} ON {q(t.name)} "
                       f"({q(nums[0].name)} DESC NULLS LAST, id);")
    out += fks
    if draw(st.integers(0, 3)) == 0:
        name = draw(names(1, used))[0]
        out.append(f"CREATE TABLE {q(name)} (id bigint NOT NULL, at date NOT NULL, "
                   f"CONSTRAINT {q(name + '_pkey')} PRIMARY KEY (id, at)) "
                   "PARTITION BY RANGE (at);")
        for year in (2020, 2021):
            out.append(f"CREATE TABLE {q(f'{name}_{year}')} PARTITION OF {q(name)} "
                       f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01');")
    return "\n".join(out) + "\n"
