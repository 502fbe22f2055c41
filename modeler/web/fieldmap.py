"""Rows ↔ snapshot, declared once per element kind.

Each :class:`KindMap` lists, for one design element model, which model field holds which
snapshot attribute and how a value converts each way. Three readers of the map:

- :mod:`modeler.web.snapshot` reads rows with ``values_list(*kind.lookups)`` and turns each
  tuple into the snapshot element with :meth:`KindMap.reader` (by name, never by position);
- :mod:`modeler.web.store` writes an element's row fields from :meth:`KindMap.row`;
- the editor's forms take their initial values from :meth:`KindMap.initial` and give their
  cleaned data back as snapshot attributes with :meth:`KindMap.from_form`.

A model field that holds no attribute is named in ``unmapped`` with the reason (the parent
table, the order inside the parent); a snapshot attribute stored elsewhere is named in
``children``. ``tests/web/test_fieldmap.py`` fails when a field of a design element model or
an attribute of a snapshot element is in neither: a new column attribute cannot be dropped
silently on its way to or from the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from modeler.schema import model as m
from modeler.schema import serialize
from modeler.web import models as db

Conv = Callable[[Any], Any]
Pks = Mapping[str, Mapping[str, int]]  # "table" | "enum" | "domain" -> uid -> row pk

# Fields every design element row has; the store sets them, no snapshot attribute holds them
# (``uid`` is an attribute: it is in every map).
ELEMENT_FIELDS = frozenset({"id", "design", "uid", "version", "created_at", "updated_at"})


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _none_if_blank(value: Any) -> Any:
    return value or None


def _blank_if_none(value: Any) -> Any:
    return value or ""


def _stripped(value: Any) -> str:
    return (value or "").strip()


def _stripped_or_none(value: Any) -> str | None:
    return (value or "").strip() or None


@dataclass(frozen=True)
class Field:
    """One snapshot attribute in one model field.

    ``row``: the model field (default: the attribute's name); ``ref``: the field is a
    foreign key to the element kind named (``"table"``), read as the target's uid and
    written from the target's row pk; ``form``: the form field that edits it, if any, with
    ``to_form``/``from_form`` conversions."""

    attr: str
    row: str = ""
    from_row: Conv | None = None
    to_row: Conv | None = None
    ref: str = ""
    form: str = ""
    to_form: Conv | None = None
    from_form: Conv | None = None

    @property
    def model_field(self) -> str:
        return self.row or self.attr

    @property
    def lookups(self) -> tuple[str, ...]:
        return (f"{self.model_field}__uid",) if self.ref else (self.model_field,)

    def read(self, value: Any) -> Any:
        if self.ref:
            return _opt(value)
        return value if self.from_row is None else self.from_row(value)

    def write(self, value: Any, pks: Pks) -> dict[str, Any]:
        if self.ref:
            return {f"{self.model_field}_id": pks[self.ref][value]}
        return {self.model_field: value if self.to_row is None else self.to_row(value)}


@dataclass(frozen=True)
class Composite:
    """One snapshot attribute spread over several model fields (a column's type, a table's
    position): ``read`` takes the ``lookups``' values in order, ``write`` gives the row
    fields; ``rows`` names the model fields it covers."""

    attr: str
    rows: tuple[str, ...]
    lookups: tuple[str, ...]
    read: Callable[..., Any]
    write: Callable[[Any, Pks], dict[str, Any]]
    form: str = ""  # Composites are edited by the form's own fields (see editor_forms)


Attr = Field | Composite


@dataclass(frozen=True)
class KindMap:
    """The rows of one element kind: ``fixed`` row values every row of this kind has (a
    constraint's ``kind``), ``unmapped`` model fields with why no attribute holds them,
    ``children`` snapshot attributes that are other rows."""

    model: type[Model]
    element: type
    attrs: tuple[Attr, ...]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    unmapped: Mapping[str, str] = field(default_factory=dict)
    children: Mapping[str, str] = field(default_factory=dict)

    @property
    def lookups(self) -> tuple[str, ...]:
        """What ``values_list`` reads for every attribute."""
        return tuple(name for a in self.attrs for name in a.lookups)

    @property
    def model_fields(self) -> frozenset[str]:
        """The model fields the map accounts for."""
        out = set(self.fixed) | set(self.unmapped)
        for a in self.attrs:
            out.update(a.rows if isinstance(a, Composite) else (a.model_field,))
        return frozenset(out)

    def _source(self, names: Sequence[str], env: dict[str, Any]) -> str:
        """``attr=<value>`` for every attribute, reading the ``values_list(*names)`` tuple
        ``r`` by index (conversions bound in ``env``)."""
        at = {n: i for i, n in enumerate(names)}
        parts = []
        for n, a in enumerate(self.attrs):
            if isinstance(a, Composite):
                env[f"c{n}"] = a.read
                value = f"c{n}({', '.join(f'r[{at[k]}]' for k in a.lookups)})"
            elif a.from_row is None and not a.ref:
                value = f"r[{at[a.lookups[0]]}]"
            else:
                env[f"c{n}"] = a.read
                value = f"c{n}(r[{at[a.lookups[0]]}])"
            parts.append(f"{a.attr}={value}")
        return ", ".join(parts)

    def reader(self, names: Sequence[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
        """A function from one ``values_list(*names)`` tuple to the element's keyword
        arguments (``names`` holds :attr:`lookups`, in any order, among others)."""
        env: dict[str, Any] = {}
        return _compiled(f"lambda r: dict({self._source(names, env)})", env)

    def build(self, names: Sequence[str]) -> Callable[[Sequence[Any]], Any]:
        """A function from one ``values_list(*names)`` tuple to the snapshot element (the
        ``children`` left at their defaults). Compiled once per query, as ``dataclasses``
        compiles ``__init__``: this runs for every row on the editor's hot path."""
        env: dict[str, Any] = {"E": self.element}
        return _compiled(f"lambda r: E({self._source(names, env)})", env)

    def row(self, element: Any, pks: Pks | None = None) -> dict[str, Any]:
        """The row fields of ``element`` (without ``uid``, the parent and the order)."""
        out = dict(self.fixed)
        for a in self.attrs:
            if a.attr == "uid":
                continue
            value = getattr(element, a.attr)
            out.update(a.write(value, pks or {}))
        return out

    def initial(self, element: Any) -> dict[str, Any]:
        """The form's initial values for the attributes a form field edits."""
        return {a.form: (getattr(element, a.attr) if a.to_form is None
                         else a.to_form(getattr(element, a.attr)))
                for a in self.attrs if isinstance(a, Field) and a.form}

    def from_form(self, cleaned: Mapping[str, Any]) -> dict[str, Any]:
        """The attributes the form's cleaned data sets (fields it does not carry are left
        out: the element keeps them)."""
        return {a.attr: (cleaned[a.form] if a.from_form is None
                         else a.from_form(cleaned[a.form]))
                for a in self.attrs if isinstance(a, Field) and a.form and a.form in cleaned}


def _compiled(source: str, env: dict[str, Any]) -> Callable[[Sequence[Any]], Any]:
    """The function ``source`` (a lambda built from the map's names, never from data)."""
    fn: Callable[[Sequence[Any]], Any] = eval(source, env)  # noqa: S307
    return fn


def _uid() -> Field:
    return Field("uid", from_row=str)


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value)


def _list(value: Any) -> list[Any]:
    return list(value)


def _seq(attr: str, row: str = "") -> Field:
    """A tuple attribute in a JSON list field."""
    return Field(attr, row=row, from_row=_tuple, to_row=_list)


def _edited(attr: str, **kw: Any) -> Field:
    """An attribute a form field of the same name edits."""
    return Field(attr, form=attr, **kw)


_PARENT = "the table the row belongs to (the store sets it from the parent's uid)"
_ORDER = "the element's place in its parent's tuple (the store writes it, reads order by it)"

# ----------------------------------------------------------------------------- tables


def _position(x: float | None, y: float | None) -> m.Position | None:
    return None if x is None or y is None else m.Position(x, y)


def _position_row(p: m.Position | None, _pks: Pks) -> dict[str, Any]:
    return {"pos_x": p.x if p else None, "pos_y": p.y if p else None}


TABLE = KindMap(db.DbTable, m.Table, (
    _uid(), _edited("name"), _edited("namespace"),
    _edited("comment", from_form=_stripped), _edited("kind"), _edited("delete_strategy"),
    _edited("subject_area"), _edited("color"),
    Composite("position", ("pos_x", "pos_y"), ("pos_x", "pos_y"), _position, _position_row),
    Field("pk_name", from_row=_none_if_blank, to_row=_blank_if_none),
    Field("partition_by"), Field("partition_of", from_row=_opt), Field("partition_bound"),
    _edited("expected_rows"),
), children={"columns": "DbColumn rows", "indexes": "DbIndex rows",
             "uniques": "Constraint rows (kind unique)",
             "checks": "Constraint rows (kind check)", "query_patterns": "QueryPattern rows"})

# ----------------------------------------------------------------------------- columns


def _column_type(kind: m.TypeKind, name: str, length: int | None, precision: int | None,
                 scale: int | None, dims: int, enum_uid: Any, domain_uid: Any) -> m.ColumnType:
    ref = _opt(enum_uid if kind == "enum" else domain_uid if kind == "domain" else None)
    return m.ColumnType(kind=kind, name=name, length=length,
                        precision=precision, scale=scale, array_dims=dims, ref=ref)


def _column_type_row(t: m.ColumnType, pks: Pks) -> dict[str, Any]:
    return {"type_kind": t.kind, "type_name": t.name, "length": t.length,
            "precision": t.precision, "scale": t.scale, "array_dims": t.array_dims,
            "enum_type_id": pks["enum"][t.ref] if t.kind == "enum" and t.ref else None,
            "domain_id": pks["domain"][t.ref] if t.kind == "domain" and t.ref else None}


def _identity_options(value: dict[str, Any] | None) -> m.IdentityOptions | None:
    return None if value is None else serialize.decode(m.IdentityOptions, value)


def _identity_options_row(o: m.IdentityOptions | None) -> dict[str, Any] | None:
    return None if o is None else serialize.encode(o)


def _denormalization(value: dict[str, str] | None) -> m.Denormalization | None:
    return None if value is None else m.Denormalization(**value)


def _denormalization_row(d: m.Denormalization | None) -> dict[str, str] | None:
    return None if d is None else {"source_of_truth": d.source_of_truth,
                                   "mechanism": d.mechanism, "justification": d.justification}


COLUMN = KindMap(db.DbColumn, m.Column, (
    _uid(), _edited("name"),
    Composite("type", ("type_kind", "type_name", "length", "precision", "scale", "array_dims",
                       "enum_type", "domain"),
              ("type_kind", "type_name", "length", "precision", "scale", "array_dims",
               "enum_type__uid", "domain__uid"), _column_type, _column_type_row),
    _edited("nullable"),
    _edited("default", to_form=_blank_if_none, from_form=_stripped_or_none),
    _edited("identity", from_row=_none_if_blank, to_row=_blank_if_none,
            to_form=_blank_if_none, from_form=_none_if_blank),
    Field("generated"), Field("pk_order"),
    _edited("comment", from_form=_stripped), _edited("null_meaning", from_form=_stripped),
    _edited("searchable"), _edited("frequently_queried"),
    Field("denormalized", from_row=_denormalization, to_row=_denormalization_row),
    Field("collation"),
    _edited("backfill", to_form=_blank_if_none, from_form=_none_if_blank),
    _edited("compression", from_row=_none_if_blank, to_row=_blank_if_none,
            to_form=_blank_if_none, from_form=_none_if_blank),
    Field("identity_options", from_row=_identity_options, to_row=_identity_options_row),
), unmapped={"table": _PARENT, "position": _ORDER})

# ----------------------------------------------------------------------------- table children


def _parts(value: list[Any]) -> tuple[m.IndexPart, ...]:
    return tuple(serialize.decode(m.IndexPart, p) for p in value)


def _parts_row(parts: tuple[m.IndexPart, ...]) -> list[Any]:
    return [serialize.encode(p) for p in parts]


INDEX = KindMap(db.DbIndex, m.Index, (
    _uid(), Field("name"), Field("parts", from_row=_parts, to_row=_parts_row), Field("unique"),
    Field("method"), Field("where"), _seq("include"), Field("nulls_not_distinct"),
    Field("comment"),
), unmapped={"table": _PARENT})

UNIQUE = KindMap(db.Constraint, m.UniqueConstraint, (
    _uid(), Field("name"), _seq("columns"), Field("nulls_not_distinct"), Field("deferrable"),
    Field("initially_deferred"), Field("comment"),
), fixed={"kind": "unique", "expression": ""}, unmapped={"table": _PARENT})

CHECK = KindMap(db.Constraint, m.CheckConstraint, (
    _uid(), Field("name"), Field("expression"), Field("comment"),
), fixed={"kind": "check", "columns": [], "nulls_not_distinct": False, "deferrable": False,
          "initially_deferred": False}, unmapped={"table": _PARENT})


def _order_keys(value: list[dict[str, Any]]) -> tuple[m.OrderKey, ...]:
    return tuple(m.OrderKey(o["column"], o.get("descending", False)) for o in value)


def _order_keys_row(keys: tuple[m.OrderKey, ...]) -> list[dict[str, Any]]:
    return [{"column": o.column, "descending": o.descending} for o in keys]


PATTERN = KindMap(db.QueryPattern, m.QueryPattern, (
    _uid(), Field("name"), _seq("equality"), Field("range", row="range_column", from_row=_opt),
    Field("order_by", from_row=_order_keys, to_row=_order_keys_row), Field("hot"),
), unmapped={"table": _PARENT})

# ----------------------------------------------------------------------------- design level

RELATIONSHIP = KindMap(db.Relationship, m.Relationship, (
    _uid(), _edited("name"), Field("child_table", ref="table"), _seq("child_columns"),
    Field("parent_table", ref="table"), _seq("parent_columns"), _edited("cardinality"),
    Field("optional"), _edited("on_delete"), _edited("on_update"), _edited("deferrable"),
    _edited("initially_deferred"), _edited("comment"), _edited("match"),
))


def _enum_values(value: list[dict[str, str]]) -> tuple[m.EnumValue, ...]:
    return tuple(m.EnumValue(v["uid"], v["label"]) for v in value)


def _enum_values_row(values: tuple[m.EnumValue, ...]) -> list[dict[str, str]]:
    return [{"uid": v.uid, "label": v.label} for v in values]


ENUM = KindMap(db.EnumType, m.EnumType, (
    _uid(), Field("name"), Field("namespace"),
    Field("values", from_row=_enum_values, to_row=_enum_values_row), Field("comment"),
))


def _domain_base(value: Any) -> m.ColumnType:
    base: m.ColumnType = serialize.decode(m.ColumnType, value)
    return base


def _domain_checks(value: list[dict[str, str]]) -> tuple[m.DomainCheck, ...]:
    return tuple(m.DomainCheck(c["name"], c["expression"]) for c in value)


def _domain_checks_row(checks: tuple[m.DomainCheck, ...]) -> list[dict[str, str]]:
    return [{"name": c.name, "expression": c.expression} for c in checks]


DOMAIN = KindMap(db.Domain, m.Domain, (
    _uid(), Field("name"), Field("namespace"),
    Field("base", row="base_type", from_row=_domain_base, to_row=serialize.encode),
    Field("not_null"), Field("default"),
    Field("checks", from_row=_domain_checks, to_row=_domain_checks_row), Field("comment"),
))

EXTENSION = KindMap(db.Extension, m.Extension, (
    _uid(), Field("name"), Field("namespace", from_row=_none_if_blank, to_row=_blank_if_none),
))

SEQUENCE = KindMap(db.Sequence, m.Sequence, (
    _uid(), Field("name"), Field("namespace"), Field("data_type"), Field("start"),
    Field("increment"), Field("min_value"), Field("max_value"), Field("cache"),
    Field("cycle"), Field("owned_by_table", from_row=_opt),
    Field("owned_by_column", from_row=_opt),
))

COLLATION = KindMap(db.Collation, m.Collation, (
    _uid(), Field("name"), Field("namespace"), Field("provider"), Field("locale"),
    Field("lc_collate"), Field("lc_ctype"), Field("deterministic"), Field("rules"),
    Field("comment"),
))

RAW = KindMap(db.RawObject, m.RawObject, (
    _uid(), Field("kind"), Field("name"), Field("sql"), Field("namespace"),
    Field("search_path"),
), unmapped={"position": _ORDER})

KINDS: tuple[KindMap, ...] = (TABLE, COLUMN, INDEX, UNIQUE, CHECK, PATTERN, RELATIONSHIP,
                              ENUM, DOMAIN, EXTENSION, SEQUENCE, COLLATION, RAW)


def lookups(*kinds: KindMap) -> tuple[str, ...]:
    """The union of the kinds' lookups, in order (one query over a model two kinds share)."""
    return tuple(dict.fromkeys(n for k in kinds for n in k.lookups))
