"""Table constraints, inline or added later: PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY, EXCLUDE.

Unnamed constraints get the name PostgreSQL would give them. For foreign keys the parse tree
cannot tell ``ON DELETE NO ACTION`` from no ON DELETE clause at all (both are ``'a'``), so the
statement's tokens are read to see which actions were actually written: written → that
action; not written → ``UNSPECIFIED``.
"""

from __future__ import annotations

import bisect
from typing import Any

from pglast import enums, parser

from modeler.importers.draft import (
    DraftCheck,
    DraftForeignKey,
    DraftTable,
    DraftUnique,
    QName,
    choose_constraint_name,
    choose_relation_name,
)
from modeler.importers.pgnames import name_addition
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import column_refs, expr_sql, names_of, qualified
from modeler.schema import model as m

C = enums.ConstrType
_ACTIONS: dict[str, m.FkAction] = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE",
                                   "n": "SET NULL", "d": "SET DEFAULT"}
_STOP = frozenset({"REFERENCES", "CHECK", "DEFAULT", "PRIMARY", "UNIQUE", "CONSTRAINT",
                   "COLLATE", "GENERATED", "ASCII_44", "ASCII_59"})


def choose_rel(ctx: Context, ns: str, name1: str, name2: str | None, label: str) -> str:
    """A relation name (index, sequence) as ChooseRelationName picks it."""
    return choose_relation_name(ctx.draft, ns, name1, name2, label)


def choose_con(ctx: Context, ns: str, name1: str, name2: str | None, label: str) -> str:
    """A constraint name (CHECK, FK) as ChooseConstraintName picks it."""
    return choose_constraint_name(ctx.draft, ns, name1, name2, label)


def merge_attributes(constraints: Any) -> list[Any]:
    """Fold DEFERRABLE / INITIALLY DEFERRED attribute nodes into the constraint before them
    (column constraints carry them separately in the raw parse tree)."""
    out: list[Any] = []
    for con in constraints or ():
        if con.contype == C.CONSTR_ATTR_DEFERRABLE and out:
            out[-1].deferrable = True
        elif con.contype == C.CONSTR_ATTR_NOT_DEFERRABLE and out:
            out[-1].deferrable = False
        elif con.contype == C.CONSTR_ATTR_DEFERRED and out:
            out[-1].initdeferred = True
            out[-1].deferrable = True
        elif con.contype == C.CONSTR_ATTR_IMMEDIATE and out:
            out[-1].initdeferred = False
        else:
            out.append(con)
    return out


def add_constraint(ctx: Context, table: DraftTable, con: Any, column: str | None = None
                   ) -> None:
    """Apply one table-level constraint (or a column constraint of ``column``)."""
    keys = [column] if column else names_of(con.keys)
    ct = con.contype
    if ct == C.CONSTR_PRIMARY:
        primary_key(ctx, table, con, keys)
    elif ct == C.CONSTR_UNIQUE:
        unique(ctx, table, con, keys)
    elif ct == C.CONSTR_CHECK:
        check(ctx, table, con)
    elif ct == C.CONSTR_FOREIGN:
        foreign_key(ctx, table, con, [column] if column else names_of(con.fk_attrs))
    elif ct == C.CONSTR_EXCLUSION:
        exclusion(ctx, table, con)
    else:
        ctx.warn("unsupported", f"constraint type {ct.name} on {table.name} ignored")


def _from_index(ctx: Context, table: DraftTable, con: Any) -> list[str] | None:
    idx = table.index_named(con.indexname)
    if idx is None or any(p.column is None for p in idx.parts):
        ctx.warn("unresolved", f"USING INDEX {con.indexname}: no such plain index on "
                 f"{table.name}")
        return None
    table.indexes.remove(idx)
    ctx.draft.release_rel(table.namespace, idx.name)
    if not con.conname:
        con.conname = idx.name
    return [str(p.column) for p in idx.parts]


def primary_key(ctx: Context, table: DraftTable, con: Any, keys: list[str]) -> None:
    """PRIMARY KEY (also USING INDEX); unnamed → ``<table>_pkey``."""
    if con.indexname:
        found = _from_index(ctx, table, con)
        if found is None:
            return
        keys = found
    if table.pk_columns:
        ctx.warn("unsupported", f"{table.name} already has a primary key; second one ignored")
        return
    ns = table.namespace
    name = con.conname or choose_rel(ctx, ns, table.name, None, "pkey")
    ctx.draft.claim_rel(ns, name)
    ctx.draft.claim_con(ns, name)
    table.pk_name, table.pk_columns = name, keys
    for k in keys:
        if k in table.columns:
            table.columns[k].nullable = False
    if con.including:
        ctx.warn("approximation", f"INCLUDE columns of primary key {name} are not modelled")


def unique(ctx: Context, table: DraftTable, con: Any, keys: list[str]) -> None:
    """UNIQUE constraint; unnamed → ``<table>_<cols>_key``."""
    if con.indexname:
        found = _from_index(ctx, table, con)
        if found is None:
            return
        keys = found
    ns = table.namespace
    name = con.conname or choose_rel(ctx, ns, table.name, name_addition(keys), "key")
    ctx.draft.claim_rel(ns, name)
    ctx.draft.claim_con(ns, name)
    table.uniques.append(DraftUnique(name=name, columns=keys,
                                     nulls_not_distinct=bool(con.nulls_not_distinct),
                                     deferrable=bool(con.deferrable),
                                     initially_deferred=bool(con.initdeferred)))
    if con.including:
        ctx.warn("approximation", f"INCLUDE columns of unique constraint {name} are not "
                 "modelled")


def _partitions_deep(ctx: Context, table: DraftTable) -> set[QName]:
    out: set[QName] = set()
    for part in ctx.draft.partitions(table.qname):
        out |= {part.qname, *_partitions_deep(ctx, part)}
    return out


def _drop_kept_checks(ctx: Context, names: set[str], tables: set[QName]) -> None:
    ctx.draft.raws = [r for r in ctx.draft.raws if not any(
        r is raw for raw, on in ctx.kept_on
        if raw.kind == "constraint" and raw.name in names and on in tables)]


def attached(ctx: Context, parent: DraftTable, part: DraftTable) -> None:
    """``part`` is now a partition of ``parent``: its kept copies of the checks ``parent``
    keeps as SQL for all its partitions go (the live import attaches partitions last)."""
    names = {raw.name for raw, on in ctx.kept_on
             if on == parent.qname and raw.kind == "constraint"
             and raw.sql.startswith("ALTER TABLE ") and not raw.sql.startswith("ALTER TABLE ONLY")
             and any(r is raw for r in ctx.draft.raws)}
    if names:
        _drop_kept_checks(ctx, names, {part.qname, *_partitions_deep(ctx, part)})


def _kept_check_above(ctx: Context, table: DraftTable, name: str) -> bool:
    """Whether a partitioned table above ``table`` keeps a check ``name`` as SQL."""
    parent = ctx.draft.tables.get(table.partition_of) if table.partition_of else None
    while parent is not None:
        if any(raw.kind == "constraint" and raw.name == name and on == parent.qname
               and any(r is raw for r in ctx.draft.raws) for raw, on in ctx.kept_on):
            return True
        parent = ctx.draft.tables.get(parent.partition_of) if parent.partition_of else None
    return False


def check(ctx: Context, table: DraftTable, con: Any) -> None:
    """CHECK; unnamed → ``<table>_<col>_check`` (one column) or ``<table>_check``."""
    expression = expr_sql(con.raw_expr)
    name = con.conname
    if not name:
        refs = column_refs(con.raw_expr)
        name = choose_con(ctx, table.namespace, table.name,
                          refs[0] if len(refs) == 1 else None, "check")
    ctx.draft.claim_con(table.namespace, name)
    # NOT VALID (rows already there are not checked) and NO INHERIT (not given to the
    # table's inheritance children) are not modelled: the constraint is kept as SQL. A
    # partitioned table's check goes to its partitions too (ONLY is refused there).
    unmodelled = [w for w, on in (("NOT VALID", con.skip_validation),
                                  ("NO INHERIT", con.is_no_inherit)) if on]
    if unmodelled:
        if _kept_check_above(ctx, table, name):
            return  # a partition's copy of its parent's kept check: the parent's brings it
        con.conname = name
        only = "" if table.partition_by and not con.is_no_inherit else "ONLY "
        if not only:  # the partitions' own copies (read before it, live) are brought by it
            _drop_kept_checks(ctx, {name}, _partitions_deep(ctx, table))
        sql = f"ALTER TABLE {only}{qualified(*table.qname)} ADD {expr_sql(con)};"
        ctx.draft.add_raw("constraint", table.namespace, name, sql, ctx.path_setting)
        ctx.kept_on.append((ctx.draft.raws[-1], table.qname))
        ctx.warn("raw-object", f"CHECK {name} on {table.name} is {' and '.join(unmodelled)}, "
                 "which is not modelled; kept as SQL")
        return
    if table.check_named(name) is None:
        table.checks.append(DraftCheck(name=name, expression=expression))


def foreign_key(ctx: Context, table: DraftTable, con: Any, columns: list[str]) -> None:
    """FOREIGN KEY; unnamed → ``<table>_<cols>_fkey``; actions as written."""
    written = written_actions(ctx, con.location)
    ns = table.namespace
    name = con.conname or choose_con(ctx, ns, table.name, name_addition(columns), "fkey")
    ctx.draft.claim_con(ns, name)
    pk_attrs = names_of(con.pk_attrs) or None
    on_delete = _ACTIONS.get(con.fk_del_action, "NO ACTION") if "DELETE" in written \
        else "UNSPECIFIED"
    on_update = _ACTIONS.get(con.fk_upd_action, "NO ACTION") if "UPDATE" in written \
        else "UNSPECIFIED"
    if con.fk_del_set_cols:
        ctx.warn("approximation", f"{name}: the column list of ON DELETE SET NULL/DEFAULT is "
                 "not modelled; all FK columns are set")
    # MATCH PARTIAL ('p') is refused by the parser: PostgreSQL does not implement it
    ctx.draft.fks.append(DraftForeignKey(
        name=name, child=table.qname, child_columns=columns,
        parent=ctx.table_qname(con.pktable), parent_columns=pk_attrs,
        on_delete=on_delete, on_update=on_update, deferrable=bool(con.deferrable),
        initially_deferred=bool(con.initdeferred),
        match="FULL" if con.fk_matchtype == "f" else "SIMPLE",
        file=ctx.stmt.file, line=ctx.stmt.line, not_valid=bool(con.skip_validation)))


def exclusion(ctx: Context, table: DraftTable, con: Any) -> None:
    """EXCLUDE: not modelled, kept as an ALTER TABLE statement. One that a partitioned table
    cannot have (a partition key column not compared with ``=``: PostgreSQL refuses it, and
    versions before 17 refuse any) is left out, reported: kept, it failed at upgrade."""
    missing = _partition_columns_not_equal(table, con)
    if missing:
        shown = con.conname or "EXCLUDE"
        ctx.warn("unsupported", f"exclusion constraint {shown} on {table.name}: "
                 f"{', '.join(missing)} of the partition key {table.partition_by} is not "
                 "compared with =, which PostgreSQL requires of an exclusion constraint on a "
                 "partitioned table (versions before 17 refuse any); left out")
        return
    if not con.conname:
        cols = [e[0].name or "expr" for e in con.exclusions or ()]
        con.conname = choose_rel(ctx, table.namespace, table.name, name_addition(cols), "excl")
    ctx.draft.claim_con(table.namespace, con.conname)
    sql = f"ALTER TABLE ONLY {qualified(*table.qname)} ADD {expr_sql(con)};"
    ctx.draft.add_raw("constraint", table.namespace, con.conname, sql, ctx.path_setting)
    ctx.kept_on.append((ctx.draft.raws[-1], table.qname))
    ctx.warn("raw-object", f"exclusion constraint {con.conname} on {table.name} is not "
             "modelled; kept as SQL")


def _partition_columns_not_equal(table: DraftTable, con: Any) -> list[str]:
    """The partition key columns of ``table`` that exclusion constraint ``con`` does not
    compare with ``=`` as plain columns (all of them for a key with an expression part)."""
    from modeler.schema.sqlexpr import partition_key_columns

    if table.partition_by is None:
        return []
    key = partition_key_columns(table.partition_by)
    if key is None:
        return []
    equal = {str(elem.name) for elem, ops in (tuple(e) for e in con.exclusions or ())
             if getattr(elem, "name", None)
             and [str(getattr(o, "sval", o)) for o in ops or ()][-1:] == ["="]}
    return [str(c) if c is not None else "an expression" for c in key
            if c is None or c not in equal]


def _tokens(ctx: Context) -> tuple[list[int], list[str]]:
    if ctx.stmt.tokens is None:
        toks = parser.scan(ctx.stmt.src)
        ctx.stmt.tokens = ([t.start for t in toks], [t.name for t in toks])
    return ctx.stmt.tokens


def written_actions(ctx: Context, location: int | None) -> set[str]:
    """``{"DELETE", "UPDATE"}`` subset: the ON clauses written in the FK at ``location``."""
    if not isinstance(location, int) or location < 0:
        return set()
    starts, names = _tokens(ctx)
    i = bisect.bisect_left(starts, location)
    while i < len(names) and names[i] != "REFERENCES":
        i += 1
    found: set[str] = set()
    depth, prev = 0, ""
    for name in names[i + 1:]:
        if name == "ASCII_40":
            depth += 1
        elif name == "ASCII_41":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and name in _STOP:
            break
        elif depth == 0 and prev == "ON" and name in ("DELETE_P", "UPDATE"):
            found.add("DELETE" if name == "DELETE_P" else "UPDATE")
        prev = name
    return found
