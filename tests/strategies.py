"""Hypothesis strategies for schema snapshots.

``schemas()`` draws VALID designs (they materialize on PostgreSQL 15+ with the contrib
extensions installed) covering every element kind: tables in two namespaces, columns of many
types (enum and domain references, arrays, identity, generated, defaults valid for the type),
single and composite primary keys, FKs to real primary keys (self references and cycles
included), indexes (expression, partial, INCLUDE, GIN, unique), uniques, checks, query
patterns, enums, domains, extensions, sequences, raw objects, positions, denormalization
notes, ICU collations and column collations (built-in ones and the design's).
``schema_pairs()`` draws ``(a, b)`` where ``b`` is ``a`` mutated the way users edit a design
(renames keep uids), or an unrelated design, or ``a`` itself.

Sizes stay small (at most 5 tables of at most 6 columns, plus FK columns) so that property
tests stay fast. Every uid is ``stable_uid(kind, n)`` with a per-draw counter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.schema import naming
from modeler.schema.builder import stable_uid

Draw = st.DrawFn

TABLE_NAMES = ("account", "invoice", "product", "shipment", "review", "tag", "warehouse",
               "supplier", "payment", "address", "ledger", "coupon")
COLUMN_NAMES = ("title", "amount", "email", "note", "quantity", "price", "born_on", "code",
                "label", "score", "active", "payload", "starts_at", "body", "rating", "tags",
                "weight", "region", "origin", "flags")
ENUM_NAMES = ("status_kind", "color_kind", "mood", "tier")
DOMAIN_NAMES = ("email_address", "positive_int", "short_text")
SEQ_NAMES = ("seq_ticket", "seq_batch", "seq_order_no")
COLLATION_NAMES = ("natural", "Sort Order")  # the second needs quoting
ICU_LOCALES = ("und-u-kn-true", "de", "und-u-kf-upper")
BUILTIN_COLLATIONS = ('"C"', '"POSIX"', '"und-x-icu"')
EXTENSIONS = ("citext", "pgcrypto", "pg_trgm", "hstore", "btree_gist")
LABELS = ("new", "active", "paused", "done", "red", "green", "blue", "it's", "x y", "ünï")
COMMENTS = ("", "", "Who bought what", "It's quoted", "Ünïcode — dash", 'has "double" quotes')
# Types with a btree operator class (usable in keys, uniques and btree indexes).
BTREE = frozenset({"smallint", "integer", "bigint", "numeric", "text", "varchar", "char",
                   "boolean", "date", "timestamp", "timestamptz", "uuid", "citext"})
NUMERIC = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})
TEXTUAL = frozenset({"text", "varchar", "char", "citext"})
PLAIN_TYPES = ("smallint", "integer", "bigint", "numeric", "real", "double precision", "money",
               "text", "varchar", "char", "boolean", "date", "time", "timetz", "timestamp",
               "timestamptz", "interval", "uuid", "json", "jsonb", "xml", "bytea", "bit",
               "varbit", "inet", "cidr", "macaddr", "macaddr8", "tsvector", "tsquery", "point",
               "box", "circle", "int4range", "tstzrange", "daterange", "oid")


class Uids:
    """Deterministic uids for one draw."""

    def __init__(self, start: int = 0) -> None:
        self.n = start

    def __call__(self, kind: str) -> str:
        self.n += 1
        return stable_uid(kind, str(self.n))


# --- types and defaults ----------------------------------------------------------------------

def builtin_type(draw: Draw, names: tuple[str, ...] = PLAIN_TYPES) -> m.ColumnType:
    name = draw(st.sampled_from(names))
    kw: dict[str, Any] = {}
    if name == "varchar":
        kw["length"] = draw(st.none() | st.integers(1, 400))
    elif name in ("char", "bit"):
        kw["length"] = draw(st.integers(1, 12))
    elif name == "varbit":
        kw["length"] = draw(st.none() | st.integers(1, 64))
    elif name == "numeric":
        p = draw(st.none() | st.integers(1, 20))
        kw["precision"] = p
        kw["scale"] = draw(st.integers(0, p)) if p is not None else None
    elif name in ("time", "timetz", "timestamp", "timestamptz", "interval"):
        kw["precision"] = draw(st.none() | st.integers(0, 6))
    return m.ColumnType(name=name, **kw)


def column_type(draw: Draw, s: m.Schema, *, key: bool = False) -> m.ColumnType:
    """A type usable in ``s`` (enums, domains and extension types of ``s`` included);
    ``key`` limits it to btree-able scalar types."""
    exts = {e.name for e in s.extensions}
    choices = ["plain"] * 6 + ["enum"] * bool(s.enums) * 2 + ["domain"] * bool(s.domains)
    choices += ["citext"] * ("citext" in exts) + ["hstore"] * ("hstore" in exts and not key)
    pick = draw(st.sampled_from(choices))
    if pick == "enum":
        ctype = m.ColumnType(kind="enum", ref=draw(st.sampled_from(s.enums)).uid)
    elif pick == "domain":
        ctype = m.ColumnType(kind="domain", ref=draw(st.sampled_from(s.domains)).uid)
    elif pick == "citext":
        ctype = m.ColumnType(name="citext")
    elif pick == "hstore":
        ctype = m.ColumnType(kind="custom", name="hstore")
    else:
        names = tuple(sorted(BTREE - {"citext"})) if key else PLAIN_TYPES
        ctype = builtin_type(draw, names)
    if not key and ctype.kind != "custom" and draw(st.integers(0, 5)) == 0:
        ctype = replace(ctype, array_dims=draw(st.integers(1, 2)))
    return ctype


def default_for(draw: Draw, ctype: m.ColumnType, s: m.Schema) -> str | None:
    """A default valid for ``ctype`` (or None)."""
    if ctype.array_dims:
        return draw(st.sampled_from([None, "'{}'"]))
    if ctype.kind == "enum":
        labels = s.enum(ctype.ref or "").labels
        return draw(st.sampled_from([None, "'" + labels[0].replace("'", "''") + "'"]))
    if ctype.kind != "builtin":
        return None
    options: dict[str, list[str]] = {
        "numeric": ["0", "42"], "text": ["''", "'x'::text"], "boolean": ["false", "true"],
        "date": ["CURRENT_DATE"], "timestamp": ["now()"], "timestamptz": ["now()"],
        "uuid": ["gen_random_uuid()"], "jsonb": ["'{}'::jsonb"], "json": ["'[]'::json"],
        "time": ["LOCALTIME"], "timetz": ["CURRENT_TIME"], "interval": ["'1 day'::interval"],
    }
    key = ("numeric" if ctype.name in NUMERIC else "text" if ctype.name in TEXTUAL
           else ctype.name)
    if ctype.name == "numeric" and ctype.precision is not None \
            and ctype.precision - (ctype.scale or 0) < 2:
        options["numeric"] = ["0"]  # 42 does not fit numeric(4, 4): the validator refuses it
    return draw(st.sampled_from([None, *options.get(key, [])]))


def is_btree(ctype: m.ColumnType, s: m.Schema) -> bool:
    if ctype.array_dims:
        return False
    if ctype.kind == "enum":
        return True
    if ctype.kind == "domain":
        return is_btree(s.domain(ctype.ref or "").base, s)
    return ctype.kind == "builtin" and ctype.name in BTREE


def base_name(ctype: m.ColumnType, s: m.Schema) -> str:
    """The builtin type name under a domain (``""`` for arrays, enums and custom types)."""
    if ctype.array_dims:
        return ""
    if ctype.kind == "domain":
        return base_name(s.domain(ctype.ref or "").base, s)
    return ctype.name if ctype.kind == "builtin" else ""


# --- schema-level objects ----------------------------------------------------------------------

def namespace(draw: Draw) -> str:
    return draw(st.sampled_from(("public", "public", "public", "app")))


def enum_type(draw: Draw, uid: Uids, name: str) -> m.EnumType:
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4, unique=True))
    return m.EnumType(uid("enum"), name, tuple(m.EnumValue(uid("enum-value"), lb)
                                              for lb in labels),
                      namespace=namespace(draw), comment=draw(st.sampled_from(COMMENTS)))


def domain(draw: Draw, uid: Uids, name: str) -> m.Domain:
    base = builtin_type(draw, ("integer", "bigint", "text", "varchar", "numeric"))
    checks: tuple[m.DomainCheck, ...] = ()
    if draw(st.booleans()):
        expr = "VALUE >= 0" if base.name in NUMERIC else "length(VALUE) > 0"
        checks = (m.DomainCheck(f"{name}_check", expr),)
    default = draw(st.sampled_from([None, "0" if base.name in NUMERIC else "'x'"]))
    return m.Domain(uid("domain"), name, base, namespace=namespace(draw),
                    not_null=draw(st.booleans()), default=default, checks=checks,
                    comment=draw(st.sampled_from(COMMENTS)))


def sequence(draw: Draw, uid: Uids, name: str) -> m.Sequence:
    start = draw(st.none() | st.integers(1, 100))
    return m.Sequence(uid("sequence"), name, namespace=namespace(draw),
                      data_type=draw(st.sampled_from(("bigint", "integer"))), start=start,
                      increment=draw(st.none() | st.integers(1, 5)),
                      min_value=draw(st.none() | st.just(1)),
                      max_value=draw(st.none() | st.just(1_000_000)),
                      cache=draw(st.none() | st.integers(1, 20)), cycle=draw(st.booleans()))


def collation(draw: Draw, uid: Uids, name: str) -> m.Collation:
    return m.Collation(uid("collation"), name, namespace=namespace(draw), provider="icu",
                       locale=draw(st.sampled_from(ICU_LOCALES)),
                       comment=draw(st.sampled_from(COMMENTS)))


def collation_for(draw: Draw, ctype: m.ColumnType, s: m.Schema) -> str | None:
    """Mostly none; else a built-in collation or one of the design's, on a string type."""
    if ctype.kind != "builtin" or ctype.name not in ("text", "varchar", "char"):
        return None
    refs = [*BUILTIN_COLLATIONS, *(c.ref for c in s.collations)]
    return draw(st.sampled_from([None, None, None, *refs]))


def raw_object(draw: Draw, uid: Uids, n: int) -> m.RawObject:
    name = f"v_report_{n}"
    body = draw(st.sampled_from(("SELECT 1 AS one", "SELECT 'a'::text AS letter")))
    return m.RawObject(uid("raw"), "view", name, f"CREATE VIEW {name} AS {body}")


# --- tables ---------------------------------------------------------------------------------

def column(draw: Draw, uid: Uids, name: str, s: m.Schema, *, key: bool = False) -> m.Column:
    """A column valid in ``s`` (not part of a key unless ``key``)."""
    ctype = column_type(draw, s, key=key)
    nullable = False if key else draw(st.booleans())
    default = default_for(draw, ctype, s)
    denorm = None
    if not key and draw(st.integers(0, 6)) == 0:
        denorm = m.Denormalization("account.title", "trigger", "fast listing")
    return m.Column(
        uid("column"), name, ctype, nullable=nullable, default=default,
        collation=None if key else collation_for(draw, ctype, s),
        comment=draw(st.sampled_from(COMMENTS)),
        null_meaning="not yet known" if nullable and draw(st.booleans()) else "",
        searchable=draw(st.sampled_from(m.SEARCHABLE)),
        frequently_queried=draw(st.booleans()), denormalized=denorm)


def _pk_columns(draw: Draw, uid: Uids, s: m.Schema) -> list[m.Column]:
    style = draw(st.sampled_from(("identity", "identity", "uuid", "composite", "none")))
    if style == "identity":
        ident: m.Identity = draw(st.sampled_from(("always", "by default")))
        return [m.Column(uid("column"), "id", m.ColumnType(name="bigint"), identity=ident,
                         pk_order=1)]
    if style == "uuid":
        return [m.Column(uid("column"), "id", m.ColumnType(name="uuid"),
                         default="gen_random_uuid()", pk_order=1)]
    if style == "composite":
        return [replace(column(draw, uid, "code", s, key=True), pk_order=1),
                m.Column(uid("column"), "version", m.ColumnType(name="integer"), pk_order=2)]
    return []


def _generated(draw: Draw, cols: list[m.Column], ctype: m.ColumnType,
               s: m.Schema) -> str | None:
    """``<integer column> * 2`` for a bigint column, when the table has such a column."""
    if ctype != m.ColumnType(name="bigint") or any(c.name == "doubled" for c in cols):
        return None
    sources = [c.name for c in cols if c.generated is None and c.identity is None
               and base_name(c.type, s) in ("smallint", "integer", "bigint")]
    return f"{sources[0]} * 2" if bool(sources) and draw(st.booleans()) else None


def table(draw: Draw, uid: Uids, name: str, s: m.Schema, ns: str = "public") -> m.Table:
    """A table without FK columns (those come with the relationships)."""
    cols = _pk_columns(draw, uid, s)
    free = [n for n in COLUMN_NAMES if n not in {c.name for c in cols}]
    if draw(st.integers(0, 2)) == 0:
        for stamp in ("created_at", "updated_at"):
            cols.append(m.Column(uid("column"), stamp, m.ColumnType(name="timestamptz"),
                                 default="now()"))
    for cname in draw(st.lists(st.sampled_from(free), max_size=max(0, 6 - len(cols)),
                               unique=True)):
        c = column(draw, uid, cname, s)
        gen = _generated(draw, cols, c.type, s)
        if gen:
            c = replace(c, generated=gen, default=None)
        elif (c.type.kind == "builtin" and c.type.name in ("integer", "bigint")
              and not c.type.array_dims and draw(st.integers(0, 4)) == 0):
            c = replace(c, identity="by default", default=None, nullable=False)
        cols.append(c)
    gen = _generated(draw, cols, m.ColumnType(name="bigint"), s) if len(cols) < 7 else None
    if gen:
        cols.append(m.Column(uid("column"), "doubled", m.ColumnType(name="bigint"),
                             nullable=True, generated=gen))
    position = None
    if draw(st.booleans()):
        position = m.Position(draw(st.integers(-200, 2000)) / 2, draw(st.integers(0, 900)) / 4)
    pk_name = draw(st.sampled_from([None, None, f"{name}_pkey"])) if any(
        c.pk_order for c in cols) else None
    t = m.Table(uid("table"), name, namespace=ns, comment=draw(st.sampled_from(COMMENTS)),
                kind=draw(st.sampled_from(m.TABLE_KINDS)),
                delete_strategy=draw(st.sampled_from(m.DELETE_STRATEGIES)),
                subject_area=draw(st.sampled_from(("", "sales", "stock"))),
                color=draw(st.sampled_from(("", "#aa3300", "#0066cc"))), position=position,
                pk_name=pk_name, columns=tuple(cols))
    return elements(draw, uid, t, s)


def elements(draw: Draw, uid: Uids, t: m.Table, s: m.Schema) -> m.Table:
    """Indexes, a unique, a check and a query pattern over the table's columns."""
    keyable = [c for c in t.columns if is_btree(c.type, s) and c.generated is None]
    plain = [c for c in keyable if c.pk_order is None]
    texts = [c for c in keyable if base_name(c.type, s) in TEXTUAL]
    nums = [c for c in t.columns if base_name(c.type, s) in NUMERIC and c.generated is None]
    ginable = [c for c in t.columns if base_name(c.type, s) in ("jsonb", "tsvector") or (
        c.type.array_dims and is_btree(replace(c.type, array_dims=0), s))]
    indexes: list[m.Index] = []
    for n in range(draw(st.integers(0, 2))):
        ix = _index(draw, uid, f"ix_{t.name}_{n}", keyable, texts, ginable, t)
        if ix is not None:
            indexes.append(ix)
    uniques = []
    if bool(plain) and draw(st.booleans()):
        cols = draw(st.lists(st.sampled_from(plain), min_size=1, max_size=2, unique=True))
        deferrable = draw(st.booleans())
        uniques.append(m.UniqueConstraint(
            uid("unique"), f"uq_{t.name}_{cols[0].name}", tuple(c.uid for c in cols),
            nulls_not_distinct=draw(st.booleans()), deferrable=deferrable,
            initially_deferred=deferrable and draw(st.booleans()),
            comment=draw(st.sampled_from(COMMENTS))))
    checks = []
    if bool(nums or texts) and draw(st.booleans()):
        c = draw(st.sampled_from(nums + texts))
        expr = f"{c.name} >= 0" if c in nums else f"length({c.name}) > 0"
        checks.append(m.CheckConstraint(uid("check"), f"ck_{t.name}_{c.name}", expr,
                                        comment=draw(st.sampled_from(COMMENTS))))
    patterns = []
    if bool(keyable) and draw(st.booleans()):
        eq = draw(st.lists(st.sampled_from(keyable), max_size=2, unique=True))
        rng = draw(st.none() | st.sampled_from(keyable))
        order = tuple(m.OrderKey(c.uid, draw(st.booleans()))
                      for c in draw(st.lists(st.sampled_from(keyable), max_size=1)))
        patterns.append(m.QueryPattern(uid("pattern"), f"by_{t.name}",
                                       tuple(c.uid for c in eq), rng.uid if rng else None,
                                       order, hot=draw(st.booleans())))
    return replace(t, indexes=tuple(indexes), uniques=tuple(uniques), checks=tuple(checks),
                   query_patterns=tuple(patterns))


def _index(draw: Draw, uid: Uids, name: str, keyable: list[m.Column], texts: list[m.Column],
           ginable: list[m.Column], t: m.Table) -> m.Index | None:
    kinds = ["btree"] * bool(keyable) + ["expr"] * bool(texts) + ["gin"] * bool(ginable)
    if not kinds:
        return None
    kind = draw(st.sampled_from(kinds))
    comment = draw(st.sampled_from(COMMENTS))
    if kind == "gin":
        return m.Index(uid("index"), name, (m.IndexPart(column=draw(st.sampled_from(
            ginable)).uid),), method="gin", comment=comment)
    if kind == "expr":
        c = draw(st.sampled_from(texts))
        return m.Index(uid("index"), name, (m.IndexPart(expression=f"lower({c.name})"),),
                       unique=draw(st.booleans()), comment=comment)
    cols = draw(st.lists(st.sampled_from(keyable), min_size=1, max_size=2, unique=True))
    parts = tuple(m.IndexPart(column=c.uid, descending=draw(st.booleans()),
                              nulls=draw(st.sampled_from((None, "first", "last"))))
                  for c in cols)
    others = [c.uid for c in t.columns if c not in cols]
    include = tuple(draw(st.lists(st.sampled_from(others), max_size=1))) if others else ()
    where = f"{cols[0].name} IS NOT NULL" if draw(st.booleans()) else None
    unique = draw(st.booleans())
    return m.Index(uid("index"), name, parts, unique=unique, where=where, include=include,
                   nulls_not_distinct=unique and draw(st.booleans()), comment=comment)


def relationship(draw: Draw, uid: Uids, s: m.Schema, child: m.Table,
                 parent: m.Table) -> tuple[m.Table, m.Relationship] | None:
    """FK columns added to ``child`` (typed like the parent's key) and the FK itself."""
    pk = parent.primary_key
    if not pk:
        return None
    nullable = draw(st.booleans())
    cols = list(child.columns)
    fk_cols = []
    for p in pk:
        name = f"{parent.name}_{p.name}"
        while any(c.name == name for c in cols):
            name += "_2"
        c = m.Column(uid("column"), name, replace(p.type), nullable=nullable)
        cols.append(c)
        fk_cols.append(c)
    child = replace(child, columns=tuple(cols))
    actions = [a for a in m.FK_ACTIONS if nullable or a != "SET NULL"]
    deferrable = draw(st.booleans())
    rel = m.Relationship(
        uid("relationship"), naming.fk_name(child.name, [c.name for c in fk_cols], parent.name),
        child.uid, tuple(c.uid for c in fk_cols), parent.uid, tuple(p.uid for p in pk),
        cardinality=draw(st.sampled_from(m.CARDINALITIES)), optional=nullable,
        on_delete=draw(st.sampled_from(actions)), on_update=draw(st.sampled_from(actions)),
        deferrable=deferrable, initially_deferred=deferrable and draw(st.booleans()),
        match=draw(st.sampled_from(m.FK_MATCHES)), comment=draw(st.sampled_from(COMMENTS)))
    return child, rel


# --- whole designs ----------------------------------------------------------------------------

def _with_tables(s: m.Schema, tables: dict[str, m.Table]) -> m.Schema:
    return replace(s, tables=tuple(tables.values()))


@st.composite
def schemas(draw: Draw, max_tables: int = 5, uid_start: int = 0) -> m.Schema:
    """A valid, normalized design (see the module docstring)."""
    uid = Uids(uid_start)
    settings = m.Settings(pg_version=draw(st.sampled_from((15, 16, 17))),
                          provider=draw(st.sampled_from(m.PROVIDERS)),
                          pk_policy=draw(st.sampled_from(m.PK_POLICIES)),
                          updated_at_mode=draw(st.sampled_from(("trigger", "orm"))))
    exts = draw(st.lists(st.sampled_from(EXTENSIONS), max_size=2, unique=True))
    s = m.Schema(settings=settings, name=draw(st.sampled_from(("", "shop"))),
                 extensions=tuple(m.Extension(uid("extension"), e) for e in exts))
    enums = [enum_type(draw, uid, n) for n in draw(st.lists(
        st.sampled_from(ENUM_NAMES), max_size=2, unique=True))]
    domains = [domain(draw, uid, n) for n in draw(st.lists(
        st.sampled_from(DOMAIN_NAMES), max_size=2, unique=True))]
    seqs = [sequence(draw, uid, n) for n in draw(st.lists(
        st.sampled_from(SEQ_NAMES), max_size=1, unique=True))]
    colls = [collation(draw, uid, n) for n in draw(st.lists(
        st.sampled_from(COLLATION_NAMES), max_size=1, unique=True))]
    s = replace(s, enums=tuple(enums), domains=tuple(domains), sequences=tuple(seqs),
                collations=tuple(colls))
    names = draw(st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=max_tables,
                          unique=True))
    tables = {n: table(draw, uid, n, s, namespace(draw)) for n in names}
    rels = []
    for _ in range(draw(st.integers(0, len(names) + 1))):
        child, parent = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        made = relationship(draw, uid, s, tables[child], tables[parent])
        if made is not None:
            tables[child] = made[0]
            rels.append(made[1])
    s = replace(_with_tables(s, tables), relationships=tuple(rels))
    s = _own_sequences(draw, s)
    raws = tuple(raw_object(draw, uid, n) for n in range(draw(st.integers(0, 1))))
    return m.normalized(replace(s, raw_objects=raws))


def _own_sequences(draw: Draw, s: m.Schema) -> m.Schema:
    seqs = []
    for seq in s.sequences:
        owners = [(t.uid, c.uid) for t in s.tables if t.namespace == seq.namespace
                  for c in t.columns if base_name(c.type, s) == "bigint" and not c.identity]
        if bool(owners) and draw(st.booleans()):
            t_uid, c_uid = draw(st.sampled_from(owners))
            seq = replace(seq, owned_by_table=t_uid, owned_by_column=c_uid)
        seqs.append(seq)
    return replace(s, sequences=tuple(seqs))


@st.composite
def schema_pairs(draw: Draw) -> tuple[m.Schema, m.Schema]:
    """``(a, b)``: usually ``b`` is ``a`` after 1-6 edits; sometimes unrelated or equal."""
    from tests.diff.mutations import mutate  # late import: mutations use the helpers here

    a = draw(schemas())
    how = draw(st.sampled_from(("edit",) * 8 + ("unrelated", "same")))
    if how == "same":
        return a, a
    if how == "unrelated":
        return a, draw(schemas(uid_start=draw(st.sampled_from((0, 1000)))))
    return a, mutate(draw, a)
