"""CREATE COLLATION, and the collation references of columns and index keys.

A reference is resolved when the statement is read, the way PostgreSQL resolves it: an
unqualified name is looked up along ``search_path`` among the collations the script created
(then it is stored schema-qualified, ``musicbrainz.musicbrainz``), else it is one of the
server's own (``"C"``, ``"und-x-icu"``). See :mod:`modeler.schema.collations`.
"""

from __future__ import annotations

from typing import Any

from modeler.importers.draft import DraftCollation
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import names_of
from modeler.schema.collations import format_ref, is_builtin

_PROVIDERS = {"icu": "icu", "libc": "libc", "builtin": "builtin"}


def _value(arg: Any) -> str:
    """A DefElem argument as text (a string, a name, a number or a boolean word)."""
    for attr in ("sval", "ival", "fval", "boolval"):
        value = getattr(arg, attr, None)
        if value is not None:
            return str(value)
    names = names_of(getattr(arg, "names", None) or arg)
    return names[-1] if names else str(arg)


def create_collation(ctx: Context, node: Any) -> None:
    """CREATE COLLATION name (options) | FROM existing."""
    names = names_of(node.defnames)
    ns = names[-2] if len(names) > 1 else ctx.default_ns
    key = (ns, names[-1])
    if key in ctx.draft.collations and node.if_not_exists:
        return
    coll = DraftCollation(ns, names[-1])
    for opt in node.definition or ():
        name = opt.defname.lower()
        if name == "from":
            _copy(ctx, coll, names_of(opt.arg))
        elif name == "provider":
            provider = _PROVIDERS.get(_value(opt.arg).lower())
            if provider is None:
                ctx.warn("unsupported", f"collation provider {_value(opt.arg)} is unknown")
                return
            coll.provider = provider  # type: ignore[assignment]  # _PROVIDERS' values are the model's providers
        elif name in ("locale", "lc_collate", "lc_ctype", "rules"):
            setattr(coll, name, _value(opt.arg))
        elif name == "deterministic":
            coll.deterministic = _value(opt.arg).lower() in ("true", "on", "1", "yes", "t")
        elif name != "version":
            ctx.warn("approximation", f"collation option {opt.defname} is not modelled")
    if coll.locale is None and coll.lc_collate is not None and coll.lc_collate == coll.lc_ctype:
        coll.locale, coll.lc_collate, coll.lc_ctype = coll.lc_collate, None, None
    if coll.locale is None and (coll.lc_collate is None or coll.lc_ctype is None):
        coll.locale = coll.lc_collate or coll.lc_ctype
        if coll.locale is None:
            ctx.warn("unsupported", f"collation {names[-1]} has no locale; skipped")
            return
        coll.lc_collate = coll.lc_ctype = None
    ctx.draft.collations[key] = coll
    ctx.count("collations")


def _copy(ctx: Context, coll: DraftCollation, source: list[str]) -> None:
    """FROM: the options of a collation of the script, or of a built-in one by its name."""
    found = _find(ctx, source)
    if found is not None:
        for attr in ("provider", "locale", "lc_collate", "lc_ctype", "deterministic", "rules"):
            setattr(coll, attr, getattr(found, attr))
        return
    name = source[-1]
    if name.endswith("-x-icu"):
        coll.provider, coll.locale = "icu", name[: -len("-x-icu")]
    else:
        coll.provider, coll.locale = "libc", name
    ctx.warn("approximation", f"collation copied FROM built-in {name}: recreated with "
             f"provider {coll.provider}, locale {coll.locale!r}")


def _find(ctx: Context, names: list[str]) -> DraftCollation | None:
    schema = names[-2] if len(names) > 1 else None
    for ns in ctx.namespaces(schema):
        found = ctx.draft.collations.get((ns, names[-1]))
        if found is not None:
            return found
    return None


def collation_ref(ctx: Context, names: list[str], where: str) -> str | None:
    """The reference for ``COLLATE <names>`` read at this point of the script (None, with a
    warning, when it names no collation the import knows)."""
    if not names:
        return None
    schema = names[-2] if len(names) > 1 else None
    if schema == "pg_catalog":
        return format_ref(None, names[-1])
    found = _find(ctx, names)
    if found is not None:
        return format_ref(found.namespace, found.name)
    if schema is None and is_builtin(None, names[-1]):
        return format_ref(None, names[-1])
    ctx.warn("unresolved", f"{where}: collation {'.'.join(names)} is not defined in the "
             "input; the default collation is kept")
    return None


def comment(ctx: Context, names: list[str], text: str) -> bool:
    found = _find(ctx, names)
    if found is not None:
        found.comment = text
    return found is not None


def drop(ctx: Context, names: list[str]) -> None:
    found = _find(ctx, names)
    if found is not None:
        ctx.draft.collations.pop((found.namespace, found.name), None)


def rename(ctx: Context, names: list[str], new: str) -> bool:
    """ALTER COLLATION ... RENAME TO: the columns using it keep using it."""
    found = _find(ctx, names)
    if found is None:
        return False
    old = format_ref(found.namespace, found.name)
    del ctx.draft.collations[(found.namespace, found.name)]
    found.name = new
    ctx.draft.collations[(found.namespace, new)] = found
    ref = format_ref(found.namespace, new)
    for t in ctx.draft.tables.values():
        for c in t.columns.values():
            if c.collation == old:
                c.collation = ref
        for ix in t.indexes:
            for p in ix.parts:
                if p.collation == old:
                    p.collation = ref
    return True
