"""Canonical JSON for schema snapshots.

Canonical means: the same design always gives the same bytes (sorted keys, fixed separators,
fields equal to their default left out, collections in the snapshot's canonical order). The
document carries ``format`` so that later readers can migrate old documents.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from modeler.schema import model as m
from modeler.wording import plural

FORMAT_VERSION = 1


class SchemaFormatError(ValueError):
    """A document that is not a valid snapshot of a known format version."""


# field name -> (dataclass, arity) where arity is "one", "opt" (may be None) or "many".
_NESTED: dict[type, dict[str, tuple[type, str]]] = {
    m.Schema: {
        "tables": (m.Table, "many"), "relationships": (m.Relationship, "many"),
        "enums": (m.EnumType, "many"), "domains": (m.Domain, "many"),
        "extensions": (m.Extension, "many"), "sequences": (m.Sequence, "many"),
        "raw_objects": (m.RawObject, "many"), "settings": (m.Settings, "one"),
        "collations": (m.Collation, "many"),
    },
    m.Table: {
        "columns": (m.Column, "many"), "indexes": (m.Index, "many"),
        "uniques": (m.UniqueConstraint, "many"), "checks": (m.CheckConstraint, "many"),
        "query_patterns": (m.QueryPattern, "many"), "position": (m.Position, "opt"),
    },
    m.Column: {"type": (m.ColumnType, "one"), "denormalized": (m.Denormalization, "opt"),
               "identity_options": (m.IdentityOptions, "opt")},
    m.Index: {"parts": (m.IndexPart, "many")},
    m.QueryPattern: {"order_by": (m.OrderKey, "many")},
    m.EnumType: {"values": (m.EnumValue, "many")},
    m.Domain: {"base": (m.ColumnType, "one"), "checks": (m.DomainCheck, "many")},
}

_FIELDS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default) per field; default is MISSING for required ones."""
    cached = _FIELDS.get(cls)
    if cached is None:
        out = []
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                default: Any = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = dataclasses.MISSING
            out.append((f.name, default))
        cached = _FIELDS[cls] = tuple(out)
    return cached


def _encode(obj: Any) -> dict[str, Any]:
    cls = type(obj)
    nested = _NESTED.get(cls, {})
    out: dict[str, Any] = {}
    for name, default in _fields(cls):
        value = getattr(obj, name)
        if default is not dataclasses.MISSING and value == default:
            continue
        spec = nested.get(name)
        if spec is None:
            out[name] = list(value) if isinstance(value, tuple) else value
        elif spec[1] == "many":
            out[name] = [_encode(v) for v in value]
        else:
            out[name] = _encode(value)
    return out


def _decode(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise SchemaFormatError(f"{path}: expected an object")
    nested = _NESTED.get(cls, {})
    known = {name for name, _ in _fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise SchemaFormatError(
            f"{path}: unknown {plural(len(unknown), 'field')} {sorted(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        spec = nested.get(name)
        if spec is None:
            kwargs[name] = tuple(value) if isinstance(value, list) else value
        elif spec[1] == "many":
            if not isinstance(value, list):
                raise SchemaFormatError(f"{path}.{name}: expected a list")
            kwargs[name] = tuple(_decode(spec[0], v, f"{path}.{name}[{i}]")
                                 for i, v in enumerate(value))
        elif value is None and spec[1] == "opt":
            kwargs[name] = None
        else:
            kwargs[name] = _decode(spec[0], value, f"{path}.{name}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise SchemaFormatError(f"{path}: {exc}") from exc


def to_dict(schema: m.Schema) -> dict[str, Any]:
    """The snapshot as plain JSON-able data, with the format version."""
    return {"format": FORMAT_VERSION, "schema": _encode(schema)}


def from_dict(data: Any) -> m.Schema:
    """Inverse of :func:`to_dict`; raises SchemaFormatError on anything else."""
    if not isinstance(data, dict) or "schema" not in data:
        raise SchemaFormatError("not a schema document")
    if data.get("format") != FORMAT_VERSION:
        raise SchemaFormatError(f"unsupported format version {data.get('format')!r}")
    result: m.Schema = _decode(m.Schema, data["schema"], "schema")
    return result


def dumps(schema: m.Schema, *, indent: int | None = None) -> str:
    """Canonical JSON text (same design, same bytes)."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(to_dict(schema), sort_keys=True, separators=separators,
                      ensure_ascii=False, indent=indent)


def loads(text: str | bytes) -> m.Schema:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaFormatError(f"invalid JSON: {exc}") from exc
    return from_dict(data)


def encode(obj: Any) -> dict[str, Any]:
    """One element (an IndexPart, a ColumnType, ...) as canonical JSON-able data."""
    return _encode(obj)


def decode(cls: type, data: Any) -> Any:
    """Inverse of :func:`encode` for an element of type ``cls``."""
    return _decode(cls, data, cls.__name__)
