"""Turn a finished :class:`~modeler.importers.draft.Draft` into an immutable snapshot.

Uids come from :func:`~modeler.schema.builder.stable_uid` over the element's names (the same
paths the SchemaBuilder uses), so importing the same input twice gives identical snapshots.
References that do not resolve (an FK to a table that is not in the input, an index on a
column that does not exist) become warnings and the element is left out.
"""

from __future__ import annotations

from collections import Counter

from modeler.importers import typemap
from modeler.importers.draft import Draft, DraftColumn, DraftForeignKey, DraftTable, QName
from modeler.importers.repair import repair
from modeler.importers.result import ImportResult
from modeler.schema import model as m
from modeler.schema import sqlexpr
from modeler.schema.builder import stable_uid
from modeler.schema.identity import kept


def column_uid(ns: str, table: str, column: str) -> str:
    """Uid of a column: the same path the SchemaBuilder uses."""
    return stable_uid("column", ns, table, column)


def type_uid(kind: str, ns: str, name: str) -> str:
    """Uid of an enum (``kind="enum"``) or a domain (``kind="domain"``)."""
    return stable_uid(kind, ns, name)


class _Builder:
    def __init__(self, draft: Draft) -> None:
        self.d = draft
        self.type_uids = {type_uid("enum", *k) for k in draft.enums}
        self.type_uids |= {type_uid("domain", *k) for k in draft.domains}
        self.reported: set[str] = set()
        self._known: set[str] | None = None

    def warn(self, kind: str, message: str, file: str = "", line: int | None = None) -> None:
        self.d.warn(file, line, kind, message)

    def ctype(self, t: m.ColumnType, where: str) -> m.ColumnType:
        if t.kind in ("enum", "domain") and t.ref not in self.type_uids:
            self.warn("unresolved", f"{where}: type {t.name} is not defined; kept as a name")
            return m.ColumnType(kind="custom", name=t.name, array_dims=t.array_dims)
        if t.kind == "custom":
            found = sqlexpr.type_problem(t.name)
            if found is not None:
                self.warn("invalid type", f"{where}: type {t.name!r} is not one SQL type name "
                          f"({found}); imported as text")
                return m.ColumnType(name="text", array_dims=t.array_dims)
            self.check_custom(t, where)
        return t

    def check_custom(self, t: m.ColumnType, where: str) -> None:
        """Report, once per type, a custom type that is neither PostgreSQL's, nor an
        extension's, nor made by the script (kept SQL, a table's row type): most likely
        another database's spelling (``datetime``), which the export cannot create."""
        base = t.name.split("(")[0].split(".")[-1].strip().strip('"')
        if not base or "%" in t.name or t.name in self.reported or \
                base.lower() in self.known_types():
            return
        mapped = typemap.map_type(t.name.split(".")[-1].replace('"', ""))
        if mapped is None or mapped.extension is not None or not mapped.why:
            return  # PostgreSQL's own spelling, or an extension's type
        self.reported.add(t.name)
        hint = (f" ({mapped.why}: PostgreSQL's {mapped.type.sql()})"
                if mapped.type.kind == "builtin" and "spelling" in mapped.why else "")
        self.warn("unknown type", f"{where}: type {t.name} is not PostgreSQL's nor created by "
                  f"the script{hint}; kept as written: the export upgrades only where a type "
                  "of that name exists")

    def known_types(self) -> set[str]:
        if self._known is None:
            self._known = {r.name.lower() for r in self.d.raws}
            self._known |= {name.lower() for _ns, name in
                            (*self.d.tables, *self.d.domains, *self.d.enums)}
        return self._known

    def expr(self, t: DraftTable, text: str | None, kind: sqlexpr.Kind, what: str
             ) -> str | None:
        """``text`` when it is one valid ``kind`` expression of table ``t``; else a warning
        at the table's line and None (PostgreSQL would refuse it: the export would not
        upgrade)."""
        if text is None:
            return None
        found = sqlexpr.problem(text, kind, columns=list(t.columns), table=t.name)
        if found is None:
            return text
        self.warn("invalid expression", f"{t.namespace}.{t.name}: {what} {text!r} left out: "
                  f"{found}", t.file, t.line)
        return None

    def domain_expr(self, name: str, text: str | None, kind: sqlexpr.Kind) -> str | None:
        if text is None:
            return None
        found = sqlexpr.problem(text, kind, columns=("value",))
        if found is None:
            return text
        self.warn("invalid expression", f"domain {name}: {text!r} left out: {found}")
        return None

    def sound(self, t: DraftTable) -> DraftTable:
        """``t`` without the expressions PostgreSQL would refuse (each one a warning)."""
        for c in t.columns.values():
            c.default = self.expr(t, c.default, "default", f"the default of column {c.name}")
            c.generated = self.expr(t, c.generated, "generated",
                                    f"the generation expression of column {c.name}")
        t.checks = [ck for ck in t.checks
                    if self.expr(t, ck.expression, "check", f"check {ck.name}") is not None]
        t.indexes = [ix for ix in t.indexes if all(
            self.expr(t, p.expression, "index", f"index {ix.name}") is not None
            for p in ix.parts if p.expression is not None)
            and (ix.where is None or self.expr(t, ix.where, "predicate",
                                                f"index {ix.name} (WHERE)") is not None)]
        return t

    def table(self, t: DraftTable) -> m.Table:
        t = self.sound(t)
        ns, name = t.qname
        uid_of = {c: column_uid(ns, name, c) for c in t.columns}
        pk = {c: i + 1 for i, c in enumerate(t.pk_columns)}
        for c in t.pk_columns:
            if c not in t.columns:
                self.warn("unresolved", f"{ns}.{name}: primary key column {c} does not exist")
        columns = tuple(
            m.Column(uid=uid_of[c.name], name=c.name,
                     type=self.ctype(c.type, f"{ns}.{name}.{c.name}"),
                     nullable=c.nullable and c.name not in pk, default=c.default,
                     identity=c.identity, generated=c.generated, pk_order=pk.get(c.name),
                     comment=c.comment, collation=c.collation, compression=c.compression,
                     identity_options=_identity_options(c))
            for c in t.columns.values())
        indexes = []
        for ix in t.indexes:
            missing = [p.column for p in ix.parts if p.column is not None
                       and p.column not in uid_of] + [c for c in ix.include if c not in uid_of]
            if missing:
                self.warn("unresolved", f"index {ix.name} on {ns}.{name}: no column "
                          f"{', '.join(str(c) for c in missing)}; index left out")
                continue
            parts = tuple(m.IndexPart(column=uid_of[p.column] if p.column else None,
                                      expression=p.expression, descending=p.descending,
                                      nulls=p.nulls, opclass=p.opclass, collation=p.collation)
                          for p in ix.parts)
            indexes.append(m.Index(
                uid=stable_uid("index", ns, name, ix.name), name=ix.name, parts=parts,
                unique=ix.unique, method=ix.method, where=ix.where,
                include=tuple(uid_of[c] for c in ix.include),
                nulls_not_distinct=ix.nulls_not_distinct, comment=ix.comment))
        uniques = []
        for uq in t.uniques:
            if any(c not in uid_of for c in uq.columns):
                self.warn("unresolved", f"unique {uq.name} on {ns}.{name}: unknown column")
                continue
            uniques.append(m.UniqueConstraint(
                uid=stable_uid("unique", ns, name, uq.name), name=uq.name,
                columns=tuple(uid_of[c] for c in uq.columns),
                nulls_not_distinct=uq.nulls_not_distinct, deferrable=uq.deferrable,
                initially_deferred=uq.initially_deferred, comment=uq.comment))
        checks = tuple(m.CheckConstraint(uid=stable_uid("check", ns, name, ck.name),
                                         name=ck.name, expression=ck.expression,
                                         comment=ck.comment) for ck in t.checks)
        parent = None
        if t.partition_of is not None:
            if t.partition_of in self.d.tables and t.partition_bound:
                parent = stable_uid("table", *t.partition_of)
            else:
                self.warn("unresolved", f"{ns}.{name}: partition of unknown table "
                          f"{'.'.join(t.partition_of)}; imported as a plain table")
        return m.Table(uid=stable_uid("table", ns, name), name=name, namespace=ns,
                       comment=t.comment, kind=t.kind, subject_area=t.subject_area,
                       color=t.color, pk_name=t.pk_name if t.pk_columns else None,
                       columns=columns, indexes=tuple(indexes), uniques=tuple(uniques),
                       checks=checks, partition_by=t.partition_by, partition_of=parent,
                       partition_bound=t.partition_bound if parent else "")

    def relationship(self, fk: DraftForeignKey, used: set[tuple[str, str, str]]
                     ) -> m.Relationship | None:
        child, parent = self.d.tables.get(fk.child), self.d.tables.get(fk.parent)
        label = f"foreign key {fk.name} on {'.'.join(fk.child)}"
        if child is None or parent is None:
            missing = ".".join(fk.parent if parent is None else fk.child)
            self.warn("unresolved", f"{label}: table {missing} is not in the input; left out",
                      fk.file, fk.line)
            return None
        parent_cols = fk.parent_columns if fk.parent_columns else list(parent.pk_columns)
        bad = [c for c in fk.child_columns if c not in child.columns]
        bad += [c for c in parent_cols if c not in parent.columns]
        if bad or not parent_cols or len(parent_cols) != len(fk.child_columns):
            why = f"unknown column {', '.join(bad)}" if bad else "column counts differ"
            self.warn("unresolved", f"{label}: {why}; left out", fk.file, fk.line)
            return None
        name = fk.name
        n = 1
        while (*fk.child, name) in used:
            n += 1
            name = f"{fk.name}{n}"
        used.add((*fk.child, name))
        cardinality = fk.cardinality or _cardinality(child, fk.child_columns)
        optional = any(child.columns[c].nullable and c not in child.pk_columns
                       for c in fk.child_columns)
        return m.Relationship(
            uid=stable_uid("relationship", *fk.child, name), name=name,
            child_table=stable_uid("table", *fk.child),
            child_columns=tuple(column_uid(*fk.child, c) for c in fk.child_columns),
            parent_table=stable_uid("table", *fk.parent),
            parent_columns=tuple(column_uid(*fk.parent, c) for c in parent_cols),
            cardinality=cardinality, optional=optional, on_delete=fk.on_delete,
            on_update=fk.on_update, deferrable=fk.deferrable,
            initially_deferred=fk.initially_deferred, comment=fk.comment, match=fk.match)

    def sequence(self, key: QName) -> m.Sequence:
        s = self.d.sequences[key]
        owner_t = owner_c = None
        if s.owned_by is not None:
            ns, tname, cname = s.owned_by
            table = self.d.tables.get((ns, tname))
            if table is not None and cname in table.columns:
                owner_t, owner_c = stable_uid("table", ns, tname), column_uid(ns, tname, cname)
        return m.Sequence(uid=stable_uid("sequence", *key), name=s.name, namespace=s.namespace,
                          data_type=s.data_type, start=s.start, increment=s.increment,
                          min_value=s.min_value, max_value=s.max_value, cache=s.cache,
                          cycle=s.cycle, owned_by_table=owner_t, owned_by_column=owner_c)

    def schema(self) -> m.Schema:
        d = self.d
        tables = tuple(self.table(t) for t in d.tables.values())
        used: set[tuple[str, str, str]] = set()
        lines: dict[str, tuple[str, int | None]] = {
            stable_uid("table", *key): (t.file, t.line) for key, t in d.tables.items()}
        built = []
        for fk in d.fks:
            rel = self.relationship(fk, used)
            if rel is not None:
                built.append(rel)
                lines[rel.uid] = (fk.file, fk.line)
        rels = tuple(built)
        enums = tuple(m.EnumType(
            uid=type_uid("enum", e.namespace, e.name), name=e.name, namespace=e.namespace,
            comment=e.comment,
            values=tuple(m.EnumValue(uid=stable_uid("enum-value", e.namespace, e.name, v),
                                     label=v) for v in e.labels))
            for e in d.enums.values())
        domains = tuple(m.Domain(
            uid=type_uid("domain", x.namespace, x.name), name=x.name, namespace=x.namespace,
            base=self.ctype(x.base, f"domain {x.name}"), not_null=x.not_null,
            default=self.domain_expr(x.name, x.default, "domain_default"),
            checks=tuple(m.DomainCheck(n, e) for n, e in x.checks
                         if self.domain_expr(x.name, e, "domain_check") is not None),
            comment=x.comment) for x in d.domains.values())
        # pg_catalog (where the procedural languages plperl, pltcl... go: CREATE LANGUAGE
        # creates their extension there) cannot be created by the export, and needs not be
        # named: CREATE EXTENSION without SCHEMA puts such an extension back there. plpgsql
        # is in every database (as the live import reads it, not a part of the design): kept,
        # the downgrade dropped it, and the DO blocks after that failed
        extensions = tuple(m.Extension(uid=stable_uid("extension", n), name=n,
                                       namespace=None if ns == "pg_catalog" else ns)
                           for n, ns in d.extensions.items() if n != "plpgsql")
        collations = tuple(m.Collation(
            uid=stable_uid("collation", c.namespace, c.name), name=c.name,
            namespace=c.namespace, provider=c.provider, locale=c.locale,
            lc_collate=c.lc_collate, lc_ctype=c.lc_ctype, deterministic=c.deterministic,
            rules=c.rules, comment=c.comment) for c in d.collations.values())
        seen: Counter[tuple[str, str, str]] = Counter()
        raws = []
        for r in d.raws:
            seen[(r.kind, r.namespace, r.name)] += 1
            k = seen[(r.kind, r.namespace, r.name)]
            raws.append(m.RawObject(uid=stable_uid("raw", r.kind, r.namespace, r.name, str(k)),
                                    kind=r.kind, name=r.name, sql=r.sql,
                                    namespace=r.namespace, search_path=r.search_path))
        return repair(m.Schema(
            tables=tables, relationships=rels, enums=enums, domains=domains,
            extensions=extensions, sequences=tuple(self.sequence(k) for k in d.sequences),
            raw_objects=tuple(raws), name=d.project_name, collations=collations),
            lambda kind, message, file, line: self.warn(kind, message, file, line), lines)


def _cardinality(child: DraftTable, columns: list[str]) -> m.Cardinality:
    """One-to-one when the FK columns are exactly the child's PK or one of its unique keys."""
    cols = set(columns)
    keys = [set(child.pk_columns)] + [set(u.columns) for u in child.uniques]
    keys += [{str(p.column) for p in ix.parts} for ix in child.indexes
             if ix.unique and ix.where is None and all(p.column for p in ix.parts)]
    return "one-to-one" if any(k == cols for k in keys if k) else "one-to-many"


def build_result(draft: Draft) -> ImportResult:
    """The snapshot, the warnings and the counts of a finished draft."""
    for fk in draft.fks:
        if fk.not_valid:  # not validated by the end of the script (or in the database)
            draft.warn(fk.file, fk.line, "approximation", f"foreign key {fk.name} on "
                       f"{fk.child[1]} is NOT VALID (the rows already there were not "
                       "checked), which is not modelled: the export makes it validated")
    schema = _Builder(draft).schema()
    counts = dict(draft.counts)
    counts.update(
        tables=len(schema.tables), columns=sum(len(t.columns) for t in schema.tables),
        relationships=len(schema.relationships),
        indexes=sum(len(t.indexes) for t in schema.tables),
        unique_constraints=sum(len(t.uniques) for t in schema.tables),
        check_constraints=sum(len(t.checks) for t in schema.tables),
        primary_keys=sum(1 for t in schema.tables if t.primary_key),
        enums=len(schema.enums), domains=len(schema.domains),
        sequences=len(schema.sequences), extensions=len(schema.extensions),
        collations=len(schema.collations),
        partitions=sum(1 for t in schema.tables if t.partition_of is not None),
        raw_objects=len(schema.raw_objects), warnings=len(draft.warnings))
    return ImportResult(schema=schema, warnings=tuple(draft.warnings), counts=counts)


def _identity_options(c: DraftColumn) -> m.IdentityOptions | None:
    """The options of ``c``'s identity that are not PostgreSQL's defaults."""
    o = c.identity_options
    if c.identity is None or o is None:
        return None
    return kept(c.type, start=o.start, increment=o.increment, min_value=o.min_value,
                max_value=o.max_value, cache=o.cache, cycle=o.cycle)
