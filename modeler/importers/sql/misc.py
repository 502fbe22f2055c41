"""COMMENT ON, DROP and RENAME: statements that change objects already in the draft."""

from __future__ import annotations

import re
from typing import Any

from pglast import ast, enums, parser

from modeler.importers import bounds
from modeler.importers.draft import (
    DraftCheck,
    DraftDomain,
    DraftEnum,
    DraftIndex,
    DraftTable,
    DraftUnique,
)
from modeler.importers.sql import collations, setschema, storage
from modeler.importers.sql.alter import replica_index_follows
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import expr_sql, names_of, quote_ident
from modeler.schema.sqlprint import walk
from modeler.wording import counted, plural

O = enums.ObjectType  # noqa: E741
_SILENT_COMMENTS = frozenset({O.OBJECT_SCHEMA, O.OBJECT_EXTENSION, O.OBJECT_DATABASE,
                              O.OBJECT_LANGUAGE, O.OBJECT_ROLE, O.OBJECT_TABLESPACE})
_SAID_COMMENTS = {O.OBJECT_SCHEMA: "SCHEMA", O.OBJECT_DATABASE: "DATABASE",
                  O.OBJECT_ROLE: "ROLE", O.OBJECT_TABLESPACE: "TABLESPACE"}
_RAW_KINDS = {
    O.OBJECT_VIEW: "view", O.OBJECT_MATVIEW: "materialized view", O.OBJECT_FUNCTION: "function",
    O.OBJECT_PROCEDURE: "procedure", O.OBJECT_AGGREGATE: "aggregate",
    O.OBJECT_TRIGGER: "trigger", O.OBJECT_RULE: "rule", O.OBJECT_POLICY: "policy",
}
# objects kept as SQL by their (schema-qualified or plain) name: a DROP takes them out
_NAMED_KINDS = {
    O.OBJECT_STATISTIC_EXT: "statistics", O.OBJECT_EVENT_TRIGGER: "event trigger",
    O.OBJECT_PUBLICATION: "publication", O.OBJECT_SUBSCRIPTION: "subscription",
    O.OBJECT_FOREIGN_SERVER: "foreign server", O.OBJECT_FDW: "foreign data wrapper",
    O.OBJECT_LANGUAGE: "language", O.OBJECT_CONVERSION: "conversion",
    O.OBJECT_ACCESS_METHOD: "access method",
    O.OBJECT_TSCONFIGURATION: "text search configuration",
    O.OBJECT_TSDICTIONARY: "text search dictionary", O.OBJECT_TSPARSER: "text search parser",
    O.OBJECT_TSTEMPLATE: "text search template",
}
# kept as SQL, dropped by more than a name (operators by their types...): a DROP is said
_SIGNED_KINDS = {
    O.OBJECT_OPERATOR: "operator", O.OBJECT_CAST: "cast", O.OBJECT_OPCLASS: "operator class",
    O.OBJECT_OPFAMILY: "operator family", O.OBJECT_TRANSFORM: "transform",
}


def _table(ctx: Context, names: list[str]) -> DraftTable | None:
    return ctx.find_table_named(names[-2] if len(names) > 1 else None, names[-1])


def comment(ctx: Context, node: Any) -> None:
    """COMMENT ON: onto the modelled object, or kept as SQL."""
    ot, text = node.objtype, node.comment or ""
    if ot in _SILENT_COMMENTS:
        ctx.count("ignored_statements")
        # an extension's or language's is CREATE's own (pg_dump writes it); public's
        # standard one too
        if ot in _SAID_COMMENTS and not (getattr(node.object, "sval", "") == "public"
                                         and text in ("", "standard public schema")):
            ctx.warn("unsupported", f"COMMENT ON {_SAID_COMMENTS[ot]} "
                     f"{getattr(node.object, 'sval', '')}: not kept")
        return
    obj = node.object
    if ot in (O.OBJECT_TYPE, O.OBJECT_DOMAIN):
        target = ctx.find_type(names_of(obj.names))
        if isinstance(target, DraftEnum | DraftDomain):
            target.comment = text
            return
    if ot == O.OBJECT_DOMCONSTRAINT:  # (the domain's TypeName, the constraint's name)
        names = names_of(obj[0].names) if obj and isinstance(obj[0], ast.TypeName) else []
    else:
        names = names_of(obj) if isinstance(obj, list | tuple) else []
    if ot in (O.OBJECT_TABLE, O.OBJECT_FOREIGN_TABLE) and names:
        table = _table(ctx, names)
        if table is not None:
            table.comment = text
            return
    elif ot == O.OBJECT_COLUMN and len(names) >= 2:
        table = _table(ctx, names[:-1])
        if table is not None and names[-1] in table.columns:
            table.columns[names[-1]].comment = text
            return
    elif ot == O.OBJECT_TABCONSTRAINT and len(names) >= 2:
        table = _table(ctx, names[:-1])
        if table is not None and _constraint_comment(ctx, table, names[-1], text):
            return
    elif ot == O.OBJECT_INDEX and names:
        for ns in ctx.namespaces(names[-2] if len(names) > 1 else None):
            table = ctx.draft.table_of_index(ns, names[-1])
            index = table.index_named(names[-1]) if table else None
            if index is not None:
                index.comment = text
                return
    elif ot == O.OBJECT_SEQUENCE:
        ctx.warn("approximation", "comments on sequences are not modelled")
        return
    elif ot == O.OBJECT_COLLATION and names and collations.comment(ctx, names, text):
        return
    if isinstance(obj, ast.ObjectWithArgs):
        names = names_of(obj.objname)
    label = names[-1] if names else ""
    ctx.keep_raw("comment", ctx.default_ns, label, "comment on an object that is not "
                 "modelled; kept as SQL")
    if names:  # dropping the object (a function, a view) drops its comment
        ns = names[-2] if len(names) > 1 else next(
            (n for n in ctx.namespaces(None) if any(
                r.namespace == n and r.name == label for r in ctx.draft.raws[:-1])),
            ctx.default_ns)
        ctx.kept_on.append((ctx.draft.raws[-1], (ns, label)))


def _constraint_comment(ctx: Context, table: DraftTable, name: str, text: str) -> bool:
    items: list[DraftUnique | DraftCheck] = [*table.uniques, *table.checks]
    for item in items:
        if item.name == name:
            item.comment = text
            return True
    for fk in ctx.draft.fks:
        if fk.child == table.qname and fk.name == name:
            fk.comment = text
            return True
    if table.pk_name == name:
        ctx.warn("approximation", "comments on primary key constraints are not modelled")
        return True
    return False


def drop(ctx: Context, node: Any) -> None:
    """DROP: remove tables, sequences, indexes, types, schemas, raw objects."""
    rt, d = node.removeType, ctx.draft
    for obj in node.objects or ():
        if rt in (O.OBJECT_TYPE, O.OBJECT_DOMAIN):
            target = ctx.find_type(names_of(obj.names))
            if target is not None:
                pool: dict[Any, Any] = d.enums if isinstance(target, DraftEnum) else d.domains
                pool.pop((target.namespace, target.name), None)
                if isinstance(target, DraftDomain):  # its NOT VALID checks kept as SQL
                    _drop_raw(ctx, "domain", [target.namespace, target.name])
            else:  # a composite or range type kept as SQL (crates.io drops and remakes one),
                # or a domain over one
                _drop_raw(ctx, "domain" if rt == O.OBJECT_DOMAIN else "type",
                          names_of(obj.names))
            continue
        if rt == O.OBJECT_EXTENSION:
            d.extensions.pop(obj.sval, None)
            continue
        if rt == O.OBJECT_COLLATION:
            collations.drop(ctx, names_of(obj))
            continue
        if rt == O.OBJECT_SCHEMA:
            _drop_schema(ctx, obj.sval)
            continue
        if rt in _NAMED_KINDS:
            _drop_raw(ctx, _NAMED_KINDS[rt], [str(obj.sval)] if isinstance(obj, ast.String)
                      else names_of(obj))
            continue
        if rt in _SIGNED_KINDS:
            if any(r.kind == _SIGNED_KINDS[rt] for r in d.raws):
                ctx.warn("unsupported", f"DROP {_SIGNED_KINDS[rt].upper()}: not applied to "
                         f"the {_SIGNED_KINDS[rt]}s kept as SQL (the export still makes them)")
            continue
        if rt in _RAW_KINDS:
            routine = isinstance(obj, ast.ObjectWithArgs)
            fn = obj.objname if routine else obj
            args = None if not routine or obj.args_unspecified else obj.objargs or ()
            name = names_of(fn)[-1]
            _drop_raw(ctx, _RAW_KINDS[rt], names_of(fn), args)
            if rt in (O.OBJECT_FUNCTION, O.OBJECT_PROCEDURE):
                _drop_calls(ctx, name)
            continue
        names = names_of(obj) if isinstance(obj, list | tuple) else []
        if not names:
            continue
        if rt in (O.OBJECT_TABLE, O.OBJECT_FOREIGN_TABLE):
            table = _table(ctx, names)
            if table is not None:
                d.drop_table(table.qname)
                ctx.drop_kept_on(table.qname)
        elif rt == O.OBJECT_SEQUENCE:
            for ns in ctx.namespaces(names[-2] if len(names) > 1 else None):
                d.drop_sequence((ns, names[-1]))
        elif rt == O.OBJECT_INDEX:
            modelled = False
            for ns in ctx.namespaces(names[-2] if len(names) > 1 else None):
                table = d.table_of_index(ns, names[-1])
                if table is not None:
                    table.indexes = [i for i in table.indexes if i.name != names[-1]]
                    d.release_rel(ns, names[-1])
                    replica_index_follows(ctx, table.qname, names[-1], None)
                    modelled = True
            if not modelled:
                _drop_raw(ctx, "index", names)  # an index kept as SQL


def _type_key(node: Any) -> tuple[str, int]:
    """A type as a routine's signature compares it: its name (last part: ``int`` and
    ``integer`` are both int4) and array dimensions, without modifiers."""
    return str(node.names[-1].sval).lower(), len(node.arrayBounds or ())


def _input_types(sql: str) -> tuple[tuple[str, int], ...] | None:
    """The input argument types of a kept CREATE FUNCTION/PROCEDURE/AGGREGATE (None: not
    one, or unreadable)."""
    try:
        stmts = bounds.parse_sql(sql)
    except (parser.ParseError, bounds.NestedTooDeeply):
        return None
    node = stmts[0].stmt if len(stmts) == 1 else None
    if isinstance(node, ast.CreateFunctionStmt):
        return tuple(_type_key(p.argType) for p in node.parameters or ()
                     if str(getattr(p.mode, "value", p.mode)) not in ("o", "t"))
    if isinstance(node, ast.DefineStmt) and node.args:
        return tuple(_type_key(p.argType) for p in node.args[0] or ())
    if isinstance(node, ast.DefineStmt) and node.oldstyle:
        # CREATE AGGREGATE name (BASETYPE = type, ...): its one input type, "any" for none
        # (count(*)'s kind, dropped as name(*))
        for d in node.definition or ():
            if str(d.defname).lower() == "basetype" and isinstance(d.arg, ast.TypeName):
                key = _type_key(d.arg)
                return () if key == ("any", 0) else (key,)
    return None


def _drop_raw(ctx: Context, kind: str, names: list[str], args: Any = None) -> None:
    """DROP of an object kept as SQL: the kept statements of that kind, name and namespace
    (the first on search_path that has one, when unqualified) go; a routine named with its
    argument types only the overload with those input types (``DROP FUNCTION f(int)``
    leaves ``f(text)``)."""
    if kind in ("trigger", "rule", "policy"):  # ``name ON table``: qualified by the table
        _drop_on(ctx, kind, names)
        return
    d = ctx.draft
    name = names[-1]
    same = [r for r in d.raws if r.kind == kind and r.name == name]
    found = {r.namespace for r in same}
    ns = next((n for n in ctx.namespaces(names[-2] if len(names) > 1 else None)
               if n in found), None)
    wanted = None if args is None else tuple(_type_key(a) for a in args)
    gone = [r for r in same if r.namespace == ns
            and (wanted is None or _input_types(r.sql) in (None, wanted))]
    if gone:
        _drop_blocks_reading(ctx, gone)
        ids = {id(r) for r in gone}
        d.raws = [r for r in d.raws if id(r) not in ids]
        for r in gone:  # a view's indexes, triggers, rules and comment go with it
            if kind in ("view", "materialized view"):
                ctx.raw_relations.pop((r.namespace, r.name), None)
                d.release_rel(r.namespace, r.name)
            if not any(o.kind == kind and (o.namespace, o.name) == (r.namespace, r.name)
                       for o in d.raws):  # the last overload
                ctx.drop_kept_on((r.namespace, r.name))
            elif wanted is not None:  # one overload: the comment naming its signature
                _drop_overload_comments(ctx, (r.namespace, r.name), wanted)


def _drop_on(ctx: Context, kind: str, names: list[str]) -> None:
    """DROP TRIGGER/RULE/POLICY ``name ON table``: the one kept on that table (the first on
    search_path that has one, when unqualified), not a namespace's of that name: the table
    may be in a schema off the path, and another table may have one of the same name."""
    *relation, name = names
    if not relation:
        return
    on = {id(raw): rel for raw, rel in ctx.kept_on}
    same = [r for r in ctx.draft.raws
            if r.kind == kind and r.name == name and id(r) in on]
    for ns in ctx.namespaces(relation[-2] if len(relation) > 1 else None):
        gone = [r for r in same if on[id(r)] == (ns, relation[-1])]
        if gone:
            # and the ALTER TABLE ... DISABLE TRIGGER (or ENABLE REPLICA RULE...) kept for it
            state = re.compile(rf"\b{kind}\s+(?:{re.escape(quote_ident(name))}|"
                               rf"{re.escape(name)})\s*;?\s*$", re.IGNORECASE)
            gone += [r for r in ctx.draft.raws if r.kind == "alter table"
                     and on.get(id(r)) == (ns, relation[-1]) and state.search(r.sql)]
            _drop_blocks_reading(ctx, gone)
            ids = {id(r) for r in gone}
            ctx.draft.raws = [r for r in ctx.draft.raws if id(r) not in ids]
            ctx.kept_on = [(r, rel) for r, rel in ctx.kept_on if id(r) not in ids]
            return


def _drop_blocks_reading(ctx: Context, gone: list[Any]) -> None:
    """DO blocks kept as SQL after one of the ``gone`` objects (being dropped), whose text
    names it: one-off steps of the script's history (an upgrade script's data migration
    looping over a view's rows), which read the object as it was then. Replayed in their
    place, they would run without it (it is gone there, or made anew later): they go too,
    as the SELECTs of a function the script drops do (:func:`_drop_calls`)."""
    d = ctx.draft
    ids = {id(r) for r in gone}
    first = min(i for i, r in enumerate(d.raws) if id(r) in ids)
    names = {r.name for r in gone}
    blocks = [r for r in d.raws[first + 1:] if r.kind == "do block" and any(
        re.search(rf"(?<![\w$]){re.escape(n)}(?![\w$])", r.sql, re.IGNORECASE)
        for n in names)]
    if blocks:
        kept = {id(r) for r in blocks}
        d.raws = [r for r in d.raws if id(r) not in kept]
        kinds = ", ".join(sorted({f"{r.kind} {r.namespace}.{r.name}" for r in gone}))
        n = len(blocks)
        ctx.warn("unsupported", f"{counted(n, 'DO block')} kept earlier will not be "
                 f"replayed: {plural(n, 'it reads', 'they read')} {kinds}, which the script "
                 f"drops here, so {plural(n, 'it was a one-off step', 'they were one-off steps')}"
                 f" on the script's earlier state (objects {plural(n, 'it', 'they')} created, "
                 "if any, are missing)")


def _drop_overload_comments(ctx: Context, routine: tuple[str, str],
                            wanted: tuple[tuple[str, int], ...]) -> None:
    """The kept COMMENT ON FUNCTION/PROCEDURE statements on ``routine`` that name the
    argument types ``wanted`` go (``DROP FUNCTION f(name, text)`` while ``f(text)`` stays)."""
    gone = {id(raw) for raw, on in ctx.kept_on
            if on == routine and raw.kind == "comment" and _comment_args(raw.sql) == wanted}
    if gone:
        ctx.draft.raws = [r for r in ctx.draft.raws if id(r) not in gone]
        ctx.kept_on = [(raw, on) for raw, on in ctx.kept_on if id(raw) not in gone]


def _comment_args(sql: str) -> tuple[tuple[str, int], ...] | None:
    """The argument types a kept COMMENT ON a routine names (None: none named, or not one)."""
    try:
        stmts = bounds.parse_sql(sql)
    except (parser.ParseError, bounds.NestedTooDeeply):
        return None
    node = stmts[0].stmt if len(stmts) == 1 else None
    obj = getattr(node, "object", None) if isinstance(node, ast.CommentStmt) else None
    if not isinstance(obj, ast.ObjectWithArgs) or obj.args_unspecified:
        return None
    return tuple(_type_key(a) for a in obj.objargs or ())


def _drop_calls(ctx: Context, name: str) -> None:
    """A function the script drops again was a one-off step (AdventureWorks converts data
    with f_ConvertOrgNodes, then drops it): the SELECTs of it kept to be replayed go too
    (replayed after every table, they would run without it, and on the final columns)."""
    d = ctx.draft
    calls = [r for r in d.raws if r.kind == "function call" and r.name == name]
    if calls:
        d.raws = [r for r in d.raws if not (r.kind == "function call" and r.name == name)]
        n = len(calls)
        ctx.warn("unsupported", f"{counted(n, 'SELECT')} of {name}() kept earlier will not be "
                 "replayed: the script drops the function here, so "
                 f"{plural(n, 'it was a one-off step', 'they were one-off steps')} (objects "
                 f"{plural(n, 'it', 'they')} created, if any, are missing)")


def _drop_schema(ctx: Context, ns: str) -> None:
    ctx.schemas_made.discard(ns)
    d = ctx.draft
    for key in [k for k in d.tables if k[0] == ns]:
        d.drop_table(key)
    for pool in (d.enums, d.domains, d.sequences):
        for key in [k for k in pool if k[0] == ns]:
            pool.pop(key)
    d.raws = [r for r in d.raws if r.namespace != ns]


def rename(ctx: Context, node: Any) -> None:
    """ALTER ... RENAME for tables, columns, constraints and indexes."""
    rt = node.renameType
    if rt == O.OBJECT_COLLATION and collations.rename(ctx, names_of(node.object), node.newname):
        return
    if rt in (O.OBJECT_TYPE, O.OBJECT_DOMAIN) and _rename_type(ctx, names_of(node.object),
                                                              node.newname):
        return
    if rt in _RELATION_RENAMES and node.relation is not None \
            and ctx.find_table(node.relation) is None:
        raw = ctx.raw_relation(node.relation)
        if raw is not None and raw[0] in ("view", "materialized view"):
            _rename_kept_relation(ctx, raw, node)
            return
    if rt == O.OBJECT_TABLE:
        table = ctx.find_table(node.relation)
        if table is not None:
            _rename_table(ctx, table, node.newname)
            return
    if rt == O.OBJECT_SEQUENCE:
        rv = node.relation
        found = next((ns for ns in ctx.namespaces(rv.schemaname)
                      if (ns, rv.relname) in ctx.draft.sequences), None)
        if found is not None:  # the defaults calling it name it anew
            setschema.move_sequence(ctx, (found, rv.relname), found, node.newname)
            return
    elif rt == O.OBJECT_COLUMN and node.relationType == O.OBJECT_TABLE:
        table = ctx.find_table(node.relation)
        if table is not None and node.subname in table.columns:
            setschema.kept_columns_follow(ctx, table.qname, node.subname, node.newname)
            storage.column_renamed(ctx, table, node.subname, node.newname)
            _rename_column(ctx, table, node.subname, node.newname)
            if node.relation.inh:  # without ONLY: partitions and inheritance children too
                for below in _descendants(ctx, table):
                    if node.subname in below.columns and node.newname not in below.columns:
                        setschema.kept_columns_follow(ctx, below.qname, node.subname,
                                                      node.newname)
                        storage.column_renamed(ctx, below, node.subname, node.newname)
                        _rename_column(ctx, below, node.subname, node.newname)
            return
    elif rt in (O.OBJECT_TABCONSTRAINT, O.OBJECT_INDEX):
        rv = node.relation
        if rt == O.OBJECT_TABCONSTRAINT:
            table, old = ctx.find_table(rv), node.subname
        else:
            ns = rv.schemaname or ctx.default_ns
            table, old = ctx.draft.table_of_index(ns, rv.relname), rv.relname
        if table is not None and _rename_constraint(ctx, table, old, node.newname):
            replica_index_follows(ctx, table.qname, old, node.newname)
            return
    ctx.warn("unsupported", "RENAME not applied: the object is not modelled or unknown")


# what renames a view or materialized view kept as SQL, or a column of one
_RELATION_RENAMES = (O.OBJECT_COLUMN, O.OBJECT_TABLE, O.OBJECT_VIEW, O.OBJECT_MATVIEW)


def _rename_kept_relation(ctx: Context, raw: tuple[str, str, str], node: Any) -> None:
    """ALTER VIEW ... RENAME [COLUMN]: the statement is kept as SQL after the view's (the
    view keeps its text); RENAME TO also renames what the design keeps of the view, so that
    its drop and later statements find it by its new name."""
    kind, ns, old = raw
    ctx.keep_raw(kind, ns, old, f"RENAME of {kind} {old} kept as SQL")
    if node.renameType == O.OBJECT_COLUMN:
        return
    d, new = ctx.draft, node.newname
    for r in d.raws:
        if r.kind in ("view", "materialized view", "index", "trigger", "rule") \
                and (r.namespace, r.name) == (ns, old) and r.kind == kind:
            r.name = new
    ctx.raw_relations[(ns, new)] = ctx.raw_relations.pop((ns, old))
    ctx.kept_on = [(r, (ns, new) if rel == (ns, old) else rel) for r, rel in ctx.kept_on]
    d.release_rel(ns, old)
    d.claim_rel(ns, new)


def _rename_type(ctx: Context, names: list[str], new: str) -> bool:
    """ALTER TYPE/DOMAIN ... RENAME TO: the enum or domain, and every column (and domain)
    of that type (Prisma recreates an enum as x_new, moves the columns, renames it x)."""
    target = ctx.find_type(names)
    if target is None:
        return False
    setschema.retarget_type(ctx, target, target.namespace, new)
    return True


def _rename_table(ctx: Context, table: DraftTable, new: str) -> None:
    d, old = ctx.draft, table.qname
    d.tables.pop(old)
    d.release_rel(*old)
    table.name = new
    d.add_table(table)
    for seq in d.sequences.values():
        if seq.owned_by is not None and seq.owned_by[:2] == old:
            seq.owned_by = (table.namespace, new, seq.owned_by[2])
    setschema.table_follows(ctx, old, table)


def _descendants(ctx: Context, table: DraftTable) -> list[DraftTable]:
    """The partitions and inheritance children under ``table``, parents first."""
    out: list[DraftTable] = []
    for child in ctx.draft.tables.values():
        if child not in out and (child.partition_of == table.qname
                                 or table.qname in child.inherits):
            out += [child, *(t for t in _descendants(ctx, child) if t not in out)]
    return out


def _renamed_in(text: str | None, old: str, new: str) -> str | None:
    """The expression ``text`` with its references to column ``old`` (bare or qualified)
    named ``new``; ``text`` itself when it has none or does not parse."""
    if not text or old not in text:
        return text
    try:
        expr = parser.parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val
    except (parser.ParseError, AttributeError, IndexError):
        return text
    changed = False
    for node in walk(expr):
        if isinstance(node, ast.ColumnRef) and node.fields \
                and isinstance(node.fields[-1], ast.String) and node.fields[-1].sval == old:
            node.fields = (*node.fields[:-1], ast.String(sval=new))  # type: ignore[no-untyped-call]
            changed = True
    return expr_sql(expr) if changed else text


def _rename_column(ctx: Context, table: DraftTable, old: str, new: str) -> None:
    def sub(names: list[str]) -> list[str]:
        return [new if n == old else n for n in names]

    # the expressions that name it: CHECKs, generated columns, index keys and predicates
    for ck in table.checks:
        ck.expression = _renamed_in(ck.expression, old, new) or ck.expression
    for col in table.columns.values():
        col.generated = _renamed_in(col.generated, old, new)
    for ix in table.indexes:
        ix.where = _renamed_in(ix.where, old, new)
        for part in ix.parts:
            part.expression = _renamed_in(part.expression, old, new)

    table.columns = {(new if k == old else k): v for k, v in table.columns.items()}
    table.columns[new].name = new
    table.pk_columns = sub(table.pk_columns)
    for ix in table.indexes:
        ix.include = sub(ix.include)
        for p in ix.parts:
            p.column = new if p.column == old else p.column
    for uq in table.uniques:
        uq.columns = sub(uq.columns)
    for fk in ctx.draft.fks:
        if fk.child == table.qname:
            fk.child_columns = sub(fk.child_columns)
        if fk.parent == table.qname and fk.parent_columns:
            fk.parent_columns = sub(fk.parent_columns)
    for seq in ctx.draft.sequences.values():
        if seq.owned_by == (*table.qname, old):
            seq.owned_by = (*table.qname, new)


def _rename_constraint(ctx: Context, table: DraftTable, old: str, new: str) -> bool:
    ns = table.namespace
    ctx.draft.claim_rel(ns, new)
    ctx.draft.claim_con(ns, new)
    if table.pk_name == old:
        table.pk_name = new
        return True
    named: list[DraftUnique | DraftCheck | DraftIndex] = [*table.uniques, *table.checks,
                                                         *table.indexes]
    for item in named:
        if item.name == old:
            item.name = new
            return True
    for fk in ctx.draft.fks:
        if fk.child == table.qname and fk.name == old:
            fk.name = new
            return True
    return False

