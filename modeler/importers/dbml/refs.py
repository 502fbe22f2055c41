"""DBML references → foreign keys.

``a > b`` (many-to-one), ``a < b`` (one-to-many) and ``a - b`` (one-to-one) become a foreign
key of the many side (of ``a`` for one-to-one); ``a <> b`` (many-to-many, which PostgreSQL
cannot enforce directly) becomes a junction table with a foreign key to each side, reported.
A reference of columns to themselves, one declared twice, and one that repeats another the
other way round (the reference implementation calls both *circular*) are left out, reported.

DBML references may point at any column; a PostgreSQL foreign key references a primary key or
a unique constraint (:func:`fk_targets`): references that name the columns of a composite key
one by one become one foreign key, other references to columns that are no key are left
out, both reported at the reference's line.
"""

from __future__ import annotations

from collections.abc import Callable

from modeler.importers.dbml.exprs import CATEGORIES
from modeler.importers.dbml.model import Document, Endpoint, Ref
from modeler.importers.dbml.names import MAX_BYTES, pg_name
from modeler.importers.draft import (
    Draft,
    DraftColumn,
    DraftForeignKey,
    DraftTable,
    QName,
    choose_constraint_name,
    choose_relation_name,
)
from modeler.importers.pgnames import name_addition
from modeler.schema import model as m

_ACTIONS: dict[str, m.FkAction] = {
    "cascade": "CASCADE", "restrict": "RESTRICT", "no action": "NO ACTION",
    "set null": "SET NULL", "set default": "SET DEFAULT",
}
Side = tuple[QName, tuple[str, ...]]


class RefConverter:
    """Adds the references of a document to a draft whose tables are all there."""

    def __init__(self, draft: Draft, resolve: Callable[[str | None, str], QName]) -> None:
        self.d = draft
        self.resolve = resolve  # (schema, name) -> the table's QName, aliases resolved
        self.chosen_fk_names: set[int] = set()  # ids of FKs whose names the import chose
        self.seen: dict[tuple[Side, Side], Ref] = {}

    def add(self, doc: Document) -> None:
        for t in doc.tables:
            qname = (t.schema or "public", t.name)
            if qname not in self.d.tables:
                continue
            for col in t.columns:
                for r in col.refs:
                    left = Endpoint(t.schema, t.name, [col.name])
                    right = r.right if r.right.table is not None else \
                        Endpoint(t.schema, t.name, r.right.columns)
                    self.ref(r, left, right)
        for r in doc.refs:
            self.ref(r, r.left, r.right)
        self.fk_targets()
        self.fk_types()

    def side(self, e: Endpoint) -> QName:
        return self.resolve(e.schema, str(e.table))

    def ref(self, r: Ref, left_end: Endpoint, right_end: Endpoint) -> None:
        left, right = self.side(left_end), self.side(right_end)
        lcols, rcols = list(left_end.columns), list(right_end.columns)
        shown = f"{_text(left, lcols)} {r.op} {_text(right, rcols)}"
        if left == right and lcols == rcols:
            self.d.warn(r.file, r.line, "unsupported", f"reference {shown} joins columns to "
                        "themselves; left out")
            return
        if r.op == "<>":
            self.junction(left, lcols, right, rcols, r)
            return
        child, ccols, parent, pcols = (right, rcols, left, lcols) if r.op == "<" \
            else (left, lcols, right, rcols)
        key = ((child, tuple(ccols)), (parent, tuple(pcols)))
        earlier = self.seen.get(key)
        if earlier is not None:
            self.d.warn(r.file, r.line, "approximation", f"reference {shown} repeats the one "
                        f"of line {earlier.line}; kept once")
            return
        mirror = self.seen.get((key[1], key[0]))
        if mirror is not None:
            self.d.warn(r.file, r.line, "unsupported", f"reference {shown} joins the columns "
                        f"of line {mirror.line}'s the other way round (a circular reference); "
                        "left out")
            return
        self.seen[key] = r
        self.fk(child, ccols, parent, pcols, r, "one-to-one" if r.op == "-" else "one-to-many")

    def fk(self, child: QName, ccols: list[str], parent: QName, pcols: list[str], r: Ref,
           cardinality: m.Cardinality) -> None:
        name = r.name or choose_constraint_name(self.d, child[0], child[1],
                                                name_addition(ccols), "fkey")
        fk = DraftForeignKey(
            name=str(name), child=child, child_columns=ccols, parent=parent,
            parent_columns=pcols, cardinality=cardinality,
            on_delete=_ACTIONS.get(str(r.on_delete or "").lower(), "UNSPECIFIED"),
            on_update=_ACTIONS.get(str(r.on_update or "").lower(), "UNSPECIFIED"),
            file=r.file, line=r.line)
        if not r.name:
            self.chosen_fk_names.add(id(fk))
        self.d.fks.append(fk)

    def junction(self, left: QName, lcols: list[str], right: QName, rcols: list[str],
                 r: Ref) -> None:
        """Many-to-many: the junction table dbdiagram's SQL export would create."""
        lt, rt = self.d.tables.get(left), self.d.tables.get(right)
        shown = f"{left[1]} <> {right[1]}"
        if lt is None or rt is None:
            self.d.warn(r.file, r.line, "unresolved", f"many-to-many {shown}: unknown table")
            return
        from modeler.importers.dbml.convert import _has_opclass

        unkeyed = [f"{t.name}.{c}" for t, cols in ((lt, lcols), (rt, rcols)) for c in cols
                   if c in t.columns and not _has_opclass("btree", t.columns[c].type)]
        if unkeyed:
            self.d.warn(r.file, r.line, "unsupported", f"many-to-many {shown}: PostgreSQL "
                        f"cannot compare the values of {', '.join(unkeyed)} in the junction "
                        "table's key; no junction created")
            return
        name = pg_name(f"{lt.name}_{rt.name}")  # names PostgreSQL keeps (63 bytes)
        if (lt.namespace, name) in self.d.tables:
            self.d.warn(r.file, r.line, "approximation", f"many-to-many {lt.name} <> "
                        f"{rt.name}: table {name} already exists; no junction created")
            return
        if self.d.rel_taken(lt.namespace, name):  # an index's or a sequence's name
            name = _fitted(name, lambda n: self.d.rel_taken(lt.namespace, n))
        j = self.d.add_table(DraftTable(lt.namespace, name, kind="junction", file=r.file,
                                        line=r.line))
        taken: set[str] = set()
        jl = [_fitted(f"{lt.name}_{c}", taken.__contains__, taken) for c in lcols]
        # a table joined to itself: the second side's columns end in 2
        jr = [_fitted(f"{rt.name}_{c}" + ("2" if left == right else ""), taken.__contains__,
                      taken) for c in rcols]
        for src, cols, jcols in ((lt, lcols, jl), (rt, rcols, jr)):
            for c, jc in zip(cols, jcols, strict=False):
                ctype = src.columns[c].type if c in src.columns else m.ColumnType()
                j.columns[jc] = DraftColumn(jc, ctype, nullable=False)
        j.pk_columns = jl + jr
        j.pk_name = choose_relation_name(self.d, j.namespace, name, None, "pkey")
        self.fk(j.qname, jl, lt.qname, lcols, r, "one-to-many")
        self.fk(j.qname, jr, rt.qname, rcols, r, "one-to-many")
        self.d.warn(r.file, r.line, "approximation", f"many-to-many {lt.name} <> {rt.name}: "
                    f"PostgreSQL enforces it through a table: junction table {name} created")

    # -- foreign keys PostgreSQL refuses -----------------------------------------------
    def fk_targets(self) -> None:
        """A PostgreSQL foreign key references a primary key or a unique constraint; DBML's
        references may point at any column. References that name the columns of one key of
        the same parent one by one (``a.x > b.x`` and ``a.y > b.y`` for b's key (x, y)) become
        one composite foreign key; any other reference to columns that are no key is left
        out. Both are reported at the reference's line."""
        self.d.fks = [self.turned(fk) for fk in self.d.fks]
        bad: dict[tuple[QName, QName], list[DraftForeignKey]] = {}
        for fk in self.d.fks:
            child, parent = self.d.tables.get(fk.child), self.d.tables.get(fk.parent)
            if child is None or parent is None or not fk.parent_columns \
                    or any(c not in parent.columns for c in fk.parent_columns) \
                    or any(c not in child.columns for c in fk.child_columns) \
                    or len(fk.child_columns) != len(fk.parent_columns):
                continue  # the builder reports what does not resolve
            if set(fk.parent_columns) not in [set(k) for k in keys(parent)]:
                bad.setdefault((fk.child, fk.parent), []).append(fk)
        if not bad:
            return
        replaced: dict[int, DraftForeignKey | None] = {}
        for (child_q, parent_q), fks in bad.items():
            for key in keys(self.d.tables[parent_q]):
                merged = self.merged(child_q, parent_q, key, fks)
                if merged is not None:
                    fk, parts = merged
                    replaced.update({id(p): None for p in parts})
                    replaced[id(parts[0])] = fk
                    fks = [f for f in fks if f not in parts]
            for fk in fks:
                replaced[id(fk)] = None
                self.release(fk)
                self.d.warn(fk.file, fk.line, "unsupported", f"reference {fk_text(fk)} left "
                            "out: a PostgreSQL foreign key references a primary key or a unique "
                            f"constraint, and ({', '.join(fk.parent_columns or ())}) of "
                            f"{label(parent_q)} is neither")
        kept: list[DraftForeignKey] = []
        for fk in self.d.fks:
            new = replaced.get(id(fk), fk)
            if new is not None:
                kept.append(new)
        self.d.fks = kept

    def turned(self, fk: DraftForeignKey) -> DraftForeignKey:
        """A one-to-one reference (``a - b``) is a foreign key of ``a``; when ``b``'s columns
        are no key of ``b`` but ``a``'s are a key of ``a``, PostgreSQL can enforce it the
        other way only: the foreign key of ``b`` (where the reference implementation's SQL
        export puts it), reported. Anything else is left as it is."""
        child, parent = self.d.tables.get(fk.child), self.d.tables.get(fk.parent)
        pcols = list(fk.parent_columns or ())
        if fk.cardinality != "one-to-one" or child is None or parent is None or not pcols \
                or len(pcols) != len(fk.child_columns) \
                or any(c not in parent.columns for c in pcols) \
                or any(c not in child.columns for c in fk.child_columns) \
                or set(pcols) in [set(k) for k in keys(parent)] \
                or set(fk.child_columns) not in [set(k) for k in keys(child)] \
                or any(f.child == fk.parent and f.parent == fk.child
                       and list(f.child_columns) == pcols for f in self.d.fks):
            return fk
        chosen = id(fk) in self.chosen_fk_names
        if chosen:
            self.release(fk)
        name = choose_constraint_name(self.d, fk.parent[0], fk.parent[1],
                                      name_addition(pcols), "fkey") if chosen else fk.name
        new = DraftForeignKey(
            name=name, child=fk.parent, child_columns=pcols, parent=fk.child,
            parent_columns=list(fk.child_columns), cardinality="one-to-one",
            on_delete=fk.on_delete, on_update=fk.on_update, comment=fk.comment,
            file=fk.file, line=fk.line)
        if chosen:
            self.chosen_fk_names.add(id(new))
        self.d.warn(fk.file, fk.line, "approximation", f"one-to-one reference "
                    f"{_text(fk.child, fk.child_columns)} - {_text(fk.parent, pcols)}: "
                    f"({', '.join(pcols)}) of {label(fk.parent)} is no key, "
                    f"({', '.join(fk.child_columns)}) of {label(fk.child)} is one: the "
                    f"foreign key goes the way PostgreSQL can enforce, {fk_text(new)}")
        return new

    def fk_types(self) -> None:
        """PostgreSQL refuses a foreign key between columns of types it cannot compare
        (``varchar`` > ``integer``): such references are left out, reported."""
        kept = []
        for fk in self.d.fks:
            child, parent = self.d.tables.get(fk.child), self.d.tables.get(fk.parent)
            clash = None
            if child is not None and parent is not None and fk.parent_columns:
                for c, p in zip(fk.child_columns, fk.parent_columns, strict=False):
                    a, b = child.columns.get(c), parent.columns.get(p)
                    if a is not None and b is not None and not comparable(a.type, b.type):
                        clash = (c, a.type, p, b.type)
                        break
            if clash is None:
                kept.append(fk)
                continue
            self.release(fk)
            c, a_type, p, b_type = clash
            self.d.warn(fk.file, fk.line, "unsupported", f"reference {fk_text(fk)} left out: "
                        f"{c} ({_shown(a_type)}) and {p} ({_shown(b_type)}) are of types "
                        "PostgreSQL cannot compare in a foreign key")
        self.d.fks = kept

    def merged(self, child: QName, parent: QName, key: list[str],
               fks: list[DraftForeignKey]) -> tuple[DraftForeignKey, list[DraftForeignKey]] | None:
        """One FK for the references among ``fks`` that name the columns of ``key`` one by
        one, or None. Each key column comes from one child column: where several refer to it,
        the one of the same name; else which one is meant is unknown (None)."""
        candidates: dict[str, set[str]] = {}
        for f in fks:
            if set(f.parent_columns or ()) <= set(key):
                for c, pc in zip(f.child_columns, f.parent_columns or (), strict=True):
                    candidates.setdefault(pc, set()).add(c)
        pairs: dict[str, str] = {}
        for pc, cs in candidates.items():
            chosen = cs if len(cs) == 1 else cs & {pc}
            if len(chosen) != 1:
                return None
            pairs[pc] = chosen.pop()
        if set(pairs) != set(key):
            return None
        parts = [f for f in fks if set(f.parent_columns or ()) <= set(key) and all(
            pairs[pc] == c for c, pc in zip(f.child_columns, f.parent_columns or (),
                                            strict=True))]
        if len(parts) < 2:
            return None
        actions = {(f.on_delete, f.on_update) for f in parts}
        same = len(actions) == 1
        on_delete, on_update = min(actions) if same else ("UNSPECIFIED", "UNSPECIFIED")
        ccols = [pairs[k] for k in key]
        for f in parts:
            self.release(f)
        name = choose_constraint_name(self.d, child[0], child[1], name_addition(ccols), "fkey")
        fk = DraftForeignKey(
            name=name, child=child, child_columns=ccols, parent=parent, parent_columns=key,
            on_delete=on_delete, on_update=on_update,
            comment="\n".join(f.comment for f in parts if f.comment), file=parts[0].file,
            line=parts[0].line)
        self.chosen_fk_names.add(id(fk))
        differ = "" if same else "; their actions differ: left unspecified"
        self.d.warn(fk.file, fk.line, "approximation", f"references "
                    f"{', '.join(fk_text(f) for f in parts)} name the columns of a key of "
                    f"{label(parent)} one by one: one foreign key {name} ({', '.join(ccols)}) "
                    f"> ({', '.join(key)}){differ}")
        return fk, parts

    def release(self, fk: DraftForeignKey) -> None:
        """Free the name chosen for ``fk`` (not one the input gave it)."""
        if id(fk) in self.chosen_fk_names:
            self.d.release_con(fk.child[0], fk.name)


def comparable(a: m.ColumnType, b: m.ColumnType) -> bool:
    """Whether a foreign key may join columns of these types (as far as the import can tell:
    types it cannot see into pass)."""
    if a.array_dims != b.array_dims:
        return False
    if a.kind == "custom" or b.kind == "custom" or a.kind == "domain" or b.kind == "domain":
        return True
    if a.kind == "enum" or b.kind == "enum":
        return a.kind == b.kind and a.ref == b.ref
    ca, cb = CATEGORIES.get(a.name), CATEGORIES.get(b.name)
    if ca is None or cb is None:
        return a.name == b.name
    ga, gb = _NUMBER_GROUPS.get(a.name), _NUMBER_GROUPS.get(b.name)
    if ga is not None and gb is not None:  # the child's values cast implicitly to the key's
        return ga == gb or (ga, gb) in _NUMBER_IMPLICIT
    return ca == cb


# numbers PostgreSQL compares in one btree operator family, and the child -> parent casts it
# makes implicitly: an integer references a numeric key, a numeric does not reference an
# integer key ("foreign key constraint ... cannot be implemented")
_NUMBER_GROUPS = {"smallint": "int", "integer": "int", "bigint": "int", "numeric": "numeric",
                  "real": "float", "double precision": "float", "money": "money"}
_NUMBER_IMPLICIT = frozenset({("int", "numeric"), ("int", "float"), ("numeric", "float")})


def _shown(t: m.ColumnType) -> str:
    return t.sql() if t.kind == "builtin" else (t.name or t.kind)


def keys(table: DraftTable) -> list[list[str]]:
    """Column lists a foreign key may reference: the primary key, then unique constraints
    and unique indexes on plain columns without a predicate."""
    out = [list(table.pk_columns)] if table.pk_columns else []
    out += [list(u.columns) for u in table.uniques]
    out += [[str(p.column) for p in ix.parts] for ix in table.indexes
            if ix.unique and ix.where is None and all(p.column for p in ix.parts)]
    return out


def label(q: QName) -> str:
    return q[1] if q[0] == "public" else f"{q[0]}.{q[1]}"


def _text(q: QName, cols: list[str]) -> str:
    return f"{label(q)}.{cols[0]}" if len(cols) == 1 else f"{label(q)}.({', '.join(cols)})"


def fk_text(fk: DraftForeignKey) -> str:
    return f"{_text(fk.child, fk.child_columns)} > {_text(fk.parent, fk.parent_columns or [])}"


def _fitted(wanted: str, taken: Callable[[str], bool], claim: set[str] | None = None) -> str:
    """``wanted`` cut to the 63 bytes PostgreSQL keeps, numbered (``name1``) while
    ``taken``; claimed in ``claim``."""
    name, n = pg_name(wanted), 1
    while taken(name):
        suffix = str(n)
        name, n = pg_name(wanted, MAX_BYTES - len(suffix)) + suffix, n + 1
    if claim is not None:
        claim.add(name)
    return name
