"""An enum's labels renamed (``ALTER TYPE ... RENAME VALUE``; an enum value relabelled in
the design): the expressions that spell a label of that enum follow.

PostgreSQL stores such a literal as the enum's value (its OID), so after the rename the
catalog shows the new label: ``CHECK (status <> 'old')``, ``WHERE status = 'old'::mood``,
``DEFAULT '{old}'::mood[]`` read ``'new'`` afterwards. The design keeps expressions as text:
unless they follow, its ``schema.sql`` and models name a label the type no longer has (the
fresh build fails: invalid input value for enum) and differ from what the upgrade built.

A literal is the enum's when it is cast to the enum (or to an array of it), compared with a
column of the enum (``=``, ``<>``, ``<``..., ``IN (...)``, ``= ANY ('{...}')``, the column on
either side), or is the whole default of such a column. Only the literal's token is
rewritten; the rest of the text stays as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Any, TypeVar

from pglast import parser

from modeler.schema import model as m
from modeler.schema.sqlprint import quote_ident

Renames = Mapping[str, str]  # old label -> new label
# (namespace or None, name) of a relation a statement reads -> the names of its columns of
# the enum and of arrays of it (None: not a table of the design)
Relations = Callable[[str | None, str], "tuple[set[str], set[str]] | None"]
_T = TypeVar("_T")
TypeName = tuple[str, str]  # the enum's (namespace, name)


def _literal(label: str) -> str:
    return "'" + label.replace("'", "''") + "'"


def _array_elements(text: str) -> list[str] | None:
    """The elements of a one-dimensional array literal ``{a,"b c"}`` (None: another shape,
    NULL elements or nested arrays, left alone)."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    body, out, cur, quoted, i = text[1:-1], [], "", False, 0
    if not body.strip():
        return []
    in_quotes = False
    while i < len(body):
        ch = body[i]
        if in_quotes:
            if ch == "\\" and i + 1 < len(body):
                cur += body[i + 1]
                i += 1
            elif ch == '"':
                in_quotes = False
            else:
                cur += ch
        elif ch == '"':
            in_quotes = quoted = True
        elif ch == ",":
            out.append(cur if quoted else cur.strip())
            cur, quoted = "", False
        elif ch in "{}":
            return None
        else:
            cur += ch
        i += 1
    out.append(cur if quoted else cur.strip())
    if any(not quoted and e.upper() == "NULL" for e in out):
        return None
    return out


def _array_text(elements: list[str]) -> str:
    def one(e: str) -> str:
        if e and not any(c in e for c in ' ,{}"\\\'') and e.upper() != "NULL":
            return e
        return '"' + e.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "{" + ",".join(one(e) for e in elements) + "}"


def _relabelled(value: str, renames: Renames, array: bool) -> str | None:
    """The literal's new text, or None when it does not change."""
    if not array:
        return _literal(renames[value]) if value in renames else None
    elements = _array_elements(value)
    if elements is None or not any(e in renames for e in elements):
        return None
    return _literal(_array_text([renames.get(e, e) for e in elements]))


class _Finder:
    """The string constants of a parse tree (pglast's JSON form, which keeps each
    constant's location) that are labels of the enum, with whether each is an array
    literal."""

    def __init__(self, names: set[tuple[str, ...]], scalar: set[str], arrays: set[str],
                 relations: Relations | None = None):
        self.names, self.scalar, self.arrays = names, scalar, arrays
        self.relations = relations
        self.found: dict[int, tuple[str, bool]] = {}
        # by the name or alias a statement's FROM gives a relation: its columns of the enum
        self.aliases: dict[str, tuple[set[str], set[str]]] = {}

    def scope(self, tree: Any) -> None:
        """With ``relations``: the columns of the enum are those of the relations the
        statement reads (``FROM``, ``JOIN``, a policy's table...), a qualified column those
        of the relation its qualifier names; a relation that is not a table of the design (a
        view, a CTE) has those of every table (the names alone)."""
        if self.relations is None:
            return
        found: list[tuple[str | None, str, str | None]] = []

        def visit(node: Any) -> None:
            if isinstance(node, list):
                for item in node:
                    visit(item)
            elif isinstance(node, dict):
                rv = node.get("RangeVar")
                if isinstance(rv, dict) and isinstance(rv.get("relname"), str):
                    alias = rv.get("alias")
                    found.append((rv.get("schemaname"), rv["relname"],
                                  alias.get("aliasname") if isinstance(alias, dict) else None))
                for key, value in node.items():
                    # not read: the view (or materialized view) the statement makes
                    if isinstance(value, (dict, list)) and key not in ("view", "into"):
                        visit(value)
        visit(tree)
        scalar: set[str] = set()
        arrays: set[str] = set()
        for ns, name, alias in found:
            cols = self.relations(ns, name)
            if cols is None:
                cols = (self.scalar, self.arrays)
            for key in {name, alias} - {None}:
                assert key is not None
                prior = self.aliases.get(key)
                self.aliases[key] = cols if prior is None else (prior[0] | cols[0],
                                                                 prior[1] | cols[1])
            scalar |= cols[0]
            arrays |= cols[1]
        self.scalar, self.arrays = scalar, arrays

    @staticmethod
    def _const(node: Any) -> dict[str, Any] | None:
        const = node.get("A_Const") if isinstance(node, dict) else None
        return const if isinstance(const, dict) and "sval" in const else None

    def _column(self, node: Any) -> str | None:
        ref = node.get("ColumnRef") if isinstance(node, dict) else None
        fields = ref.get("fields") if isinstance(ref, dict) else None
        name = fields[-1].get("String", {}).get("sval") if fields else None
        scalar, arrays = self.scalar, self.arrays
        if fields and len(fields) >= 2 and self.aliases:
            qualifier = fields[-2].get("String", {}).get("sval")
            scalar, arrays = self.aliases.get(qualifier, (scalar, arrays))
        if name in scalar:
            return "scalar"
        return "array" if name in arrays else None

    def add(self, const: dict[str, Any] | None, array: bool) -> None:
        if const is not None and isinstance(const.get("location"), int):
            self.found[const["location"]] = (const["sval"].get("sval", ""), array)

    def visit(self, node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                self.visit(item)
            return
        if not isinstance(node, dict):
            return
        cast = node.get("TypeCast")
        if isinstance(cast, dict):
            tname = cast.get("typeName", {})
            names = tuple(n.get("String", {}).get("sval") for n in tname.get("names", ()))
            if names in self.names:
                self.add(self._const(cast.get("arg")), bool(tname.get("arrayBounds")))
        expr = node.get("A_Expr")
        if isinstance(expr, dict):
            self._compare(expr)
        case = node.get("CaseExpr")
        if isinstance(case, dict):  # CASE column WHEN 'label' ...: compared with the column
            what = self._column(case.get("arg"))
            for when in case.get("args", ()) if what is not None else ():
                branch = when.get("CaseWhen") if isinstance(when, dict) else None
                if isinstance(branch, dict):
                    self.add(self._const(branch.get("expr")), what == "array")
        for value in node.values():
            if isinstance(value, (dict, list)):
                self.visit(value)

    def _compare(self, node: dict[str, Any]) -> None:
        kind = node.get("kind")
        many = kind in ("AEXPR_OP_ANY", "AEXPR_OP_ALL")
        left, right = node.get("lexpr"), node.get("rexpr")
        for col, other in ((left, right), (right, left)):
            what = self._column(col)
            if what is None:
                continue
            items = other.get("List", {}).get("items") if isinstance(other, dict) else None
            if kind == "AEXPR_IN" and isinstance(items, list):
                for item in items:
                    self.add(self._const(item), what == "array")
            elif kind in ("AEXPR_OP", "AEXPR_DISTINCT", "AEXPR_NOT_DISTINCT") or many:
                self.add(self._const(other), many or what == "array")


def _rewrite(text: str, prefix: str, finder: _Finder, renames: Renames) -> str:
    """``text`` with the literals ``finder`` found (locations in ``prefix + text``)
    relabelled."""
    try:
        tree = json.loads(parser.parse_sql_json(prefix + text))
    except (parser.ParseError, ValueError):
        return text
    finder.scope(tree)
    finder.visit(tree)
    return _replace(text, prefix, finder, renames)


def _replace(text: str, prefix: str, finder: _Finder, renames: Renames) -> str:
    """The found literals' tokens replaced (the parse tree's locations count bytes, the
    scanner's characters)."""
    if not finder.found:
        return text
    source = prefix + text
    raw = source.encode()
    tokens = parser.scan(source)
    ends: dict[int, int] = {}
    for n, t in enumerate(tokens):
        if t.name == "SCONST":
            ends[t.start] = t.end
        elif t.name == "USCONST":  # U&'...', with its UESCAPE '.' clause when it has one
            escaped = n + 2 < len(tokens) and tokens[n + 1].name == "UESCAPE"
            ends[t.start] = tokens[n + 2].end if escaped else t.end
    out, last = "", 0
    for byte in sorted(finder.found):
        value, array = finder.found[byte]
        start = len(raw[:byte].decode(errors="ignore"))
        new = _relabelled(value, renames, array)
        if new is None or start not in ends or start < len(prefix):
            continue
        out += source[last:start] + new
        last = ends[start] + 1
    if last == 0:
        return text
    return (out + source[last:])[len(prefix):]


def _may_spell_literal(text: str, labels: Collection[str]) -> bool:
    """False when ``text`` cannot hold a string constant spelling one of ``labels``, so
    that it needs no parse: most expressions of a design (``price > 0``, ``now()``, an
    index key) hold no string constant at all (no quote, no dollar quote). Else, unless
    escapes may spell any character (a backslash: ``E'...'``, an array element's ``\"``;
    ``U&'...'``), a constant holds its label as written with each quote doubled, so every
    piece of the label between its quotes is in the text."""
    if "'" not in text and "$" not in text:
        return False
    if "\\" in text or "u&" in text.lower():
        return True
    return any(all(piece in text for piece in label.split("'")) for label in labels)


def _may_name(text: str, names: Collection[str]) -> bool:
    """False when ``text`` cannot spell a type of ``names``: an identifier is the name
    as written (quoted) or folded to lower case (unquoted), so it appears in the text in
    some letter case, unless written with Unicode escapes (``U&"..."``)."""
    lowered = text.lower()
    return "u&" in lowered or any(name.lower() in lowered for name in names)


def _same(old: _T, new: _T) -> _T:
    """``old`` when ``new`` equals it: the parts of a design that did not change stay the
    same objects (caches keyed by identity, such as the incremental validation's, keep
    them)."""
    return old if new == old else new


def _type_names(enum: TypeName, also: tuple[str, str] | None) -> set[tuple[str, ...]]:
    names: set[tuple[str, ...]] = set()
    for ns, name in {enum, *([also] if also else [])}:
        names |= {(name,), (ns, name)}
    return names


def relabel_expression(text: str, enum: TypeName, renames: Renames, *,
                       columns: Collection[str] = (), array_columns: Collection[str] = (),
                       statement: bool = False, old_name: tuple[str, str] | None = None,
                       relations: Relations | None = None) -> str:
    """``text`` (an expression, or with ``statement`` a whole statement: a view's) with
    the labels of enum ``enum`` (namespace, name) that it spells renamed (``renames``).
    ``columns``/``array_columns``: the names of the columns of the enum (of arrays of it)
    that the text may compare with a literal; ``old_name``: another (namespace, name) the
    type had when the text was written; ``relations``: the columns of the enum of each
    relation (see :class:`_Finder`), for a statement that reads tables."""
    if not _may_spell_literal(text, renames):
        return text
    finder = _Finder(_type_names(enum, old_name), set(columns), set(array_columns),
                     relations)
    return _rewrite(text, "" if statement else "SELECT ", finder, renames)


def relabel_default(text: str, enum: TypeName, renames: Renames, *, array: bool,
                    old_name: tuple[str, str] | None = None) -> str:
    """A column default of enum ``enum`` (``array``: of an array of it): a bare literal is the
    enum's too."""
    if not _may_spell_literal(text, renames):
        return text
    try:
        tree = json.loads(parser.parse_sql_json(f"SELECT {text}"))
        node = tree["stmts"][0]["stmt"]["SelectStmt"]["targetList"][0]["ResTarget"]["val"]
    except (parser.ParseError, ValueError, KeyError, IndexError):
        return text
    finder = _Finder(_type_names(enum, old_name), set(), set())
    const = _Finder._const(node)
    if const is not None:
        finder.add(const, array)
        return _replace(text, "SELECT ", finder, renames)
    return relabel_expression(text, enum, renames, old_name=old_name)


# --------------------------------------------------------------------------- the design

def _is(ctype: m.ColumnType, enum_uid: str, domains: set[str]) -> bool:
    return ctype.ref == enum_uid or (ctype.kind == "domain" and ctype.ref in domains)


def follow_labels(schema: m.Schema, enum_uid: str, renames: Renames,
                  old_name: TypeName | None = None) -> m.Schema:
    """``schema`` whose expressions follow ``renames`` of enum ``enum_uid``'s labels (the
    enum itself as it is in ``schema``): column defaults and generation expressions, CHECKs,
    index keys and predicates of every table, the checks and defaults of domains over the
    enum, and the kept SQL of views (``old_name``: the enum's name before, when it is
    renamed too)."""
    renames = {o: n for o, n in renames.items() if o != n}
    if not renames:
        return schema
    found = schema.enum(enum_uid)
    enum = (found.namespace, found.name)
    domains = {d.uid for d in schema.domains if d.base.ref == enum_uid}

    def expr(text: str, cols: set[str], arrays: set[str]) -> str:
        return relabel_expression(text, enum, renames, columns=cols, array_columns=arrays,
                                  old_name=old_name)

    def on_table(t: m.Table) -> m.Table:
        cols = {c.name for c in t.columns if _is(c.type, enum_uid, domains)
                and not c.type.array_dims}
        arrays = {c.name for c in t.columns if _is(c.type, enum_uid, domains)
                  and c.type.array_dims}
        columns = tuple(_same(c, replace(
            c,
            default=(None if c.default is None else
                     relabel_default(c.default, enum, renames, array=bool(c.type.array_dims),
                                     old_name=old_name)
                     if _is(c.type, enum_uid, domains) else expr(c.default, cols, arrays)),
            generated=None if c.generated is None else expr(c.generated, cols, arrays)))
            for c in t.columns)
        checks = tuple(_same(k, replace(k, expression=expr(k.expression, cols, arrays)))
                       for k in t.checks)
        indexes = tuple(_same(i, replace(
            i, where=None if i.where is None else expr(i.where, cols, arrays),
            parts=tuple(replace(p, expression=expr(p.expression, cols, arrays))
                        if p.expression is not None else p for p in i.parts)))
            for i in t.indexes)
        return _same(t, replace(t, columns=columns, checks=checks, indexes=indexes))

    def on_domain(d: m.Domain) -> m.Domain:
        if d.uid not in domains:
            return d
        return _same(d, replace(d, default=None if d.default is None else relabel_default(
            d.default, enum, renames, array=bool(d.base.array_dims), old_name=old_name),
            checks=tuple(replace(k, expression=expr(k.expression, {"value"}, set()))
                         for k in d.checks)))

    def mine(t: m.Table, array: bool) -> set[str]:
        return {c.name for c in t.columns
                if _is(c.type, enum_uid, domains) and bool(c.type.array_dims) is array}

    relations, enum_columns, enum_arrays = table_relations(
        (t.namespace, t.name, mine(t, False), mine(t, True)) for t in schema.tables)
    raws = tuple(_same(r, replace(r, sql=relabel_expression(
        r.sql, enum, renames, columns=enum_columns, array_columns=enum_arrays,
        statement=True, old_name=old_name, relations=relations)))
        if r.kind in KEPT_KINDS else r for r in schema.raw_objects)
    return replace(schema, tables=tuple(on_table(t) for t in schema.tables),
                   domains=tuple(on_domain(d) for d in schema.domains), raw_objects=raws)


def table_relations(tables: Iterable[tuple[str, str, set[str], set[str]]]
                    ) -> tuple[Relations, set[str], set[str]]:
    """From each table's (namespace, name, columns of the enum, columns of arrays of it):
    the :data:`Relations` a kept statement's relations are looked up in (an unqualified
    name: every table of that name), and the names of every table's columns of the enum
    and of arrays of it."""
    of_table: dict[str, list[tuple[str, set[str], set[str]]]] = {}
    for ns, name, cols, arrays in tables:
        of_table.setdefault(name, []).append((ns, cols, arrays))
    every = {c for ts in of_table.values() for _, cols, _ in ts for c in cols}
    every_array = {c for ts in of_table.values() for _, _, arrs in ts for c in arrs}

    def relations(ns: str | None, name: str) -> tuple[set[str], set[str]] | None:
        found = [(cols, arrs) for tns, cols, arrs in of_table.get(name, ())
                 if ns is None or tns == ns]
        if not found:
            return None
        return ({c for cols, _ in found for c in cols}, {c for _, arrs in found for c in arrs})
    return relations, every, every_array


# kept SQL whose expressions PostgreSQL stores parsed (the enum's value, not the text)
KEPT_KINDS = frozenset({"view", "materialized view", "policy", "rule"})


def typed_over(before: Sequence[str], after: Sequence[str]) -> list[tuple[int, str]]:
    """The labels of ``after`` typed over labels of ``before`` in their places, as (index
    in ``before``, new label): position by position when the list keeps its length; else,
    between the labels kept (and before the first, after the last), each run of old labels
    replaced by a run of new ones of the same length (a value renamed while another is
    added or taken out elsewhere). Only a label that goes, replaced by one that is new."""
    if len(before) == len(after):
        places = list(enumerate(after))
    else:
        places = []
        for tag, i1, i2, j1, j2 in SequenceMatcher(None, list(before), list(after),
                                                   autojunk=False).get_opcodes():
            if tag == "replace" and i2 - i1 == j2 - j1:
                places += zip(range(i1, i2), after[j1:j2], strict=True)
    kept, came = set(after), set(before)
    return [(i, label) for i, label in places
            if before[i] not in kept and label not in came]


def relabelled_enums(old: m.Schema, new: m.Schema) -> list[tuple[str, dict[str, str]]]:
    """The enums of both designs whose values (by uid) have another label in ``new``."""
    out = []
    before = {e.uid: e for e in old.enums}
    for e in new.enums:
        oe = before.get(e.uid)
        if oe is None:
            continue
        labels = {v.uid: v.label for v in oe.values}
        renames = {labels[v.uid]: v.label for v in e.values
                   if v.uid in labels and labels[v.uid] != v.label}
        if renames:
            out.append((e.uid, renames))
    return out


def follow(old: m.Schema, new: m.Schema) -> m.Schema:
    """``new`` with the expressions following every label that differs from ``old``'s,
    and every cast to an enum that has another name or namespace in ``new`` (the same
    enum: by uid)."""
    before = {e.uid: (e.namespace, e.name) for e in old.enums}
    for uid, renames in relabelled_enums(old, new):
        new = follow_labels(new, uid, renames, before[uid])
    for e in new.enums:
        was = before.get(e.uid)
        if was is not None and was != (e.namespace, e.name):
            new = follow_type(new, was, (e.namespace, e.name))
    return new



# ------------------------------------------------------------ the type renamed or moved

def retype_casts(text: str, old: TypeName, new: TypeName, *, statement: bool = False
                 ) -> str:
    """``text`` (an expression, or with ``statement`` a whole statement) whose casts to the
    type ``old`` (namespace, name; spelled with or without its namespace) name ``new``:
    PostgreSQL stores a cast as the type's OID, so after ``ALTER TYPE ... RENAME TO`` or
    ``SET SCHEMA`` its catalog shows the new name, qualified when the type moved (or when
    the cast was)."""
    if not _may_name(text, (old[1],)):
        return text
    prefix = "" if statement else "SELECT "
    source = prefix + text
    try:
        tree = json.loads(parser.parse_sql_json(source))
    except (parser.ParseError, ValueError):
        return text
    spellings = {(old[1],), old}
    starts: list[tuple[int, bool]] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            tname = node.get("TypeCast", {}).get("typeName") if isinstance(
                node.get("TypeCast"), dict) else None
            if isinstance(tname, dict) and isinstance(tname.get("location"), int):
                names = tuple(n.get("String", {}).get("sval") for n in tname.get("names", ()))
                if names in spellings:
                    starts.append((tname["location"], len(names) == 2))
            for value in node.values():
                if isinstance(value, (dict, list)):
                    visit(value)
    visit(tree)
    if not starts:
        return text
    raw = source.encode()
    tokens = parser.scan(source)
    by_start = {t.start: n for n, t in enumerate(tokens)}
    qualified = quote_ident(new[0]) + "." + quote_ident(new[1])
    out, last = "", 0
    for byte, was_qualified in sorted(starts):
        start = len(raw[:byte].decode(errors="ignore"))
        n = by_start.get(start)
        if n is None or start < len(prefix):
            continue
        end = tokens[n].end
        if was_qualified:
            if n + 2 >= len(tokens) or tokens[n + 1].name != "ASCII_46":
                continue
            end = tokens[n + 2].end
        spelled = qualified if was_qualified or old[0] != new[0] else quote_ident(new[1])
        out += source[last:start] + spelled
        last = end + 1
    if last == 0:
        return text
    return (out + source[last:])[len(prefix):]


def follow_type(schema: m.Schema, old: TypeName, new: TypeName) -> m.Schema:
    """``schema`` whose casts to the type ``old`` name ``new`` (:func:`retype_casts`): column
    defaults and generation expressions, CHECKs, index keys and predicates, domain checks
    and defaults, and the kept SQL of views, policies and rules."""
    if old == new:
        return schema

    def ex(text: str) -> str:
        return retype_casts(text, old, new)

    def on_table(t: m.Table) -> m.Table:
        return _same(t, replace(
            t,
            columns=tuple(_same(c, replace(c, default=c.default and ex(c.default),
                                           generated=c.generated and ex(c.generated)))
                          for c in t.columns),
            checks=tuple(_same(k, replace(k, expression=ex(k.expression))) for k in t.checks),
            indexes=tuple(_same(i, replace(
                i, where=None if i.where is None else ex(i.where),
                parts=tuple(replace(p, expression=ex(p.expression))
                            if p.expression is not None else p for p in i.parts)))
                for i in t.indexes)))

    return replace(
        schema, tables=tuple(on_table(t) for t in schema.tables),
        domains=tuple(_same(d, replace(d, default=d.default and ex(d.default),
                                       checks=tuple(replace(k, expression=ex(k.expression))
                                                    for k in d.checks)))
                      for d in schema.domains),
        raw_objects=tuple(_same(r, replace(r, sql=retype_casts(r.sql, old, new,
                                                               statement=True)))
                          if r.kind in KEPT_KINDS else r for r in schema.raw_objects))
