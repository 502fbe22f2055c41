"""Build schemas and configs from the compact, name-based case format of tests/rules/cases.

Schema spec (every key optional)::

    {"settings": {"pk_policy": "uuid", "provider": "neon", "updated_at_mode": "orm"},
     "enums": {"status": ["new", "paid"]},
     "domains": {"amount": {"base": "numeric", "precision": 12, "scale": 2}},
     "extensions": ["pg_trgm"],
     "sequences": [{"name": "t_id_seq", "owned_by": "t.id"}],
     "tables": {"t": {"comment": "...", "kind": "junction", "delete_strategy": "soft",
                      "pk_name": "...", "namespace": "public",
                      "columns": ["id bigint pk identity", {"spec": "note text null",
                                                             "null_meaning": "none yet"}],
                      "indexes": ["a,-b", {"cols": ["body:gin_trgm_ops"], "method": "gin",
                                           "name": "...", "unique": true, "where": "...",
                                           "expressions": ["lower(a)"]}],
                      "uniques": ["a,b", {"cols": ["a"], "name": "..."}],
                      "checks": {"ck_t_positive": "a > 0"},
                      "patterns": [{"name": "p", "eq": ["a"], "range": "b",
                                    "order": ["-created_at"], "hot": true}]}},
     "relationships": ["child.col -> parent", "child.a,b -> parent.x,y",
                       {"child": "c", "cols": ["p_id"], "parent": "p", "on_delete": "CASCADE",
                        "on_update": "NO ACTION", "deferrable": true, "name": "...",
                        "cardinality": "many-to-many", "parent_cols": ["id"]}]}

Column spec string: ``name type [flags]``; type is a catalog name or alias with optional
parameters and ``[]`` (``varchar(20)``, ``numeric(12,2)``, ``int[]``), ``enum:<name>``,
``domain:<name>`` or ``custom:<name>``; flags: ``pk``, ``null``, ``identity`` (always),
``identity_bd`` (by default), ``fq`` (frequently queried), ``default=<expr>``,
``generated=<expr>``, ``searchable=fulltext|substring`` (no spaces inside a flag; use the
dict form for text with spaces). Relationships default to ON DELETE RESTRICT ON UPDATE NO
ACTION (so cases of other rules are not about KR-04); give ``UNSPECIFIED`` to test KR-04.
"""

from __future__ import annotations

import re
from typing import Any

from modeler.rules import Config, Level, LevelOverride, RuntimeFacts
from modeler.rules.facts import LongLock, RehearsalFacts, UnservedPattern
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder, TableBuilder, stable_uid
from modeler.schema.types import canonical_key

_TYPE = re.compile(r"^([a-z_][a-z0-9_ ]*?)(?:\((\d+)(?:,(\d+))?\))?((?:\[\])*)$")


def parse_type(text: str) -> dict[str, Any]:
    """Builder keyword arguments for a type spelling."""
    dims = text.count("[]")
    base = text.replace("[]", "")
    for prefix in ("enum", "domain", "custom"):
        if base.startswith(prefix + ":"):
            return {prefix: base.split(":", 1)[1], "array_dims": dims}
    match = _TYPE.match(base)
    if not match:
        raise ValueError(f"bad type {text!r}")
    # "double_precision" spells "double precision" without a space
    name = canonical_key(match.group(1)) or canonical_key(match.group(1).replace("_", " "))
    if name is None:
        raise ValueError(f"unknown type {text!r}")
    kw: dict[str, Any] = {"type_": name, "array_dims": dims}
    if match.group(2):
        first = int(match.group(2))
        if name in ("varchar", "char", "bit", "varbit"):
            kw["length"] = first
        else:
            kw["precision"] = first
            if match.group(3):
                kw["scale"] = int(match.group(3))
    return kw


def _column(tb: TableBuilder, spec: str | dict[str, Any]) -> None:
    extra: dict[str, Any] = {}
    text = spec if isinstance(spec, str) else spec["spec"]
    if isinstance(spec, dict):
        extra = {k: v for k, v in spec.items() if k != "spec"}
    name, type_text, *flags = text.split()
    kw = parse_type(type_text)
    pk = False
    for flag in flags:
        key, _, value = flag.partition("=")
        if key == "pk":
            pk = True
        elif key == "null":
            kw["nullable"] = True
        elif key == "identity":
            kw["identity"] = "always"
        elif key == "identity_bd":
            kw["identity"] = "by default"
        elif key == "fq":
            kw["frequently_queried"] = True
        elif key in ("default", "generated", "searchable"):
            kw[key] = value
        else:
            raise ValueError(f"unknown column flag {flag!r}")
    if "denormalized" in extra:
        extra["denormalized"] = m.Denormalization(**extra["denormalized"])
    tb.column(name, pk=pk, **kw, **extra)


def _index(tb: TableBuilder, spec: str | dict[str, Any]) -> None:
    if isinstance(spec, str):
        spec = {"cols": spec.split(",")}
    parts = []
    labels = []
    for raw in spec.get("cols", []):
        col, _, opclass = raw.partition(":")
        parts.append(m.IndexPart(column=tb.col_uid(col.lstrip("-")),
                                 descending=col.startswith("-"), opclass=opclass or None))
        labels.append(col.lstrip("-"))
    parts += [m.IndexPart(expression=e) for e in spec.get("expressions", [])]
    name = spec.get("name") or f"ix_{tb.name}_{'_'.join(labels or ['expr'])}"
    tb.indexes.append(m.Index(
        uid=stable_uid("index", tb.table.namespace, tb.name, name), name=name,
        parts=tuple(parts), unique=spec.get("unique", False),
        method=spec.get("method", "btree"), where=spec.get("where"),
        include=tuple(tb.col_uid(c) for c in spec.get("include", [])),
        nulls_not_distinct=spec.get("nulls_not_distinct", False)))


def _unique(tb: TableBuilder, spec: str | dict[str, Any]) -> None:
    if isinstance(spec, str):
        spec = {"cols": spec.split(",")}
    tb.unique(*spec["cols"], name=spec.get("name"),
              nulls_not_distinct=spec.get("nulls_not_distinct", False))


def _relationship(b: SchemaBuilder, spec: str | dict[str, Any]) -> None:
    if isinstance(spec, str):
        left, right = (x.strip() for x in spec.split("->"))
        child, _, cols = left.partition(".")
        parent, _, pcols = right.partition(".")
        spec = {"child": child, "cols": cols.split(","), "parent": parent}
        if pcols:
            spec["parent_cols"] = pcols.split(",")
    kw = {k: v for k, v in spec.items()
          if k not in ("child", "cols", "parent", "parent_cols")}
    kw.setdefault("on_delete", "RESTRICT")
    kw.setdefault("on_update", "NO ACTION")
    b.relationship(spec["child"], spec["cols"], spec["parent"], spec.get("parent_cols"), **kw)


def build_schema(spec: dict[str, Any]) -> m.Schema:
    """A normalized schema from a case's schema spec."""
    b = SchemaBuilder(m.Settings(**spec.get("settings", {})))
    for name, labels in spec.get("enums", {}).items():
        b.enum(name, labels)
    for name, dspec in spec.get("domains", {}).items():
        dspec = dict(dspec)
        b.domain(name, dspec.pop("base"), **dspec)
    for ext in spec.get("extensions", []):
        b.extension(ext)
    for name, tspec in spec.get("tables", {}).items():
        attrs = {k: v for k, v in tspec.items()
                 if k in ("comment", "kind", "delete_strategy", "pk_name", "namespace")}
        tb = b.table(name, **attrs)
        for col in tspec.get("columns", []):
            _column(tb, col)
        for ix in tspec.get("indexes", []):
            _index(tb, ix)
        for u in tspec.get("uniques", []):
            _unique(tb, u)
        for ck_name, expr in tspec.get("checks", {}).items():
            tb.check(ck_name, expr)
        for p in tspec.get("patterns", []):
            tb.query_pattern(p["name"], tuple(p.get("eq", ())), p.get("range"),
                             tuple(p.get("order", ())), p.get("hot", False))
    for rel in spec.get("relationships", []):
        _relationship(b, rel)
    for seq in spec.get("sequences", []):
        owned_table = owned_col = None
        if "owned_by" in seq:
            tname, cname = seq["owned_by"].split(".")
            owned_table = b.get(tname).table.uid
            owned_col = b.get(tname).col_uid(cname)
        b.sequences.append(m.Sequence(uid=stable_uid("sequence", "public", seq["name"]),
                                      name=seq["name"], owned_by_table=owned_table,
                                      owned_by_column=owned_col))
    return b.build()


def build_config(spec: dict[str, Any] | None) -> Config:
    spec = dict(spec or {})
    overrides = tuple(LevelOverride(rule, Level(level), "test")
                      for rule, level in spec.pop("levels", {}).items())
    previous = spec.pop("previous", None)
    runtime = spec.pop("runtime", None)
    rehearsal = spec.pop("rehearsal", None)
    return Config(overrides=overrides,
                  previous=build_schema(previous) if previous is not None else None,
                  runtime=_runtime(runtime), rehearsal=_rehearsal(rehearsal), **spec)


def _rehearsal(spec: dict[str, Any] | None) -> RehearsalFacts | None:
    """``{"unserved": [{"table": "public.t", "pattern": "p", "suggestion": "..."}],
    "locks": [{"table": "public.t", "seconds": 40, "rows": 5000000, "what": "rewrites"}]}``
    (facts without a signature hold whatever the table looks like)."""
    if spec is None:
        return None
    return RehearsalFacts(
        unserved=tuple(UnservedPattern(**u) for u in spec.get("unserved", [])),
        locks=tuple(LongLock(**lk) for lk in spec.get("locks", [])))


def _runtime(spec: dict[str, Any] | None) -> RuntimeFacts | None:
    if spec is None:
        return None
    spec = dict(spec)
    if "pool_options" in spec:
        spec["pool_options"] = tuple(spec["pool_options"])
    return RuntimeFacts(**spec)
