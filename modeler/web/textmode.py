"""The editor's text mode: the design as DBML, and text turned back into a change list.

:func:`preview` reads the text (DBML with the DBML importer, or ``CREATE TABLE ...`` SQL with
the SQL importer, which then only adds tables), gives the result the current design's uids by
name (:func:`modeler.importers.align.adopt_uids`: unchanged elements keep theirs, so the
differ sees only what the text changed), and diffs it against the current design. A table or
column that goes while one of the same shape comes is offered as a rename, and so are an
enum that goes while one with the same labels comes and a label typed over another in its
place; the user's choice (``renames``) makes it one (a renamed label or enum: the
expressions spelling it follow, :mod:`modeler.schema.enumlabels`). Nothing here writes:
the view applies ``Preview.new`` through :func:`modeler.web.editing.apply_edit` like any
edit.

Text without the kept-data block (typed or pasted DBML) keeps what DBML cannot say from the
current design (settings, domains, kept SQL, positions, kinds...): the current design's
block is added after the text, so only what the text says changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from modeler.codegen.dbml import KEPT_MARKER, to_dbml
from modeler.diff import Op, diff
from modeler.importers.align import RenameCandidate, adopt_uids, rename_candidates
from modeler.importers.dbml import kept
from modeler.importers.result import ImportWarning, SchemaImportError
from modeler.schema import actions, naming
from modeler.schema import model as m
from modeler.schema.builder import stable_uid

MAX_TEXT = 2_000_000  # characters a text-mode preview reads
_SQL = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE|ALTER|COMMENT\s+ON|SET\s|BEGIN\b)",
                  re.IGNORECASE)
_DBML_ELEMENT = re.compile(r"^\s*(?:Table|Enum|Ref|Project|TableGroup)\b[^\n]*[{:]",
                           re.IGNORECASE | re.MULTILINE)
_PROJECT = re.compile(r"^\s*Project\b", re.IGNORECASE | re.MULTILINE)
FILE = "text.dbml"


@dataclass(frozen=True)
class Change:
    """One line of the change list."""

    text: str
    destructive: bool


@dataclass
class Preview:
    """What the text would change. ``error`` (with ``line``, 1-based, when known): the text
    cannot be read and nothing can be applied."""

    kind: str  # "dbml" or "sql"
    new: m.Schema | None = None
    ops: tuple[Op, ...] = ()
    renames: list[RenameCandidate] = field(default_factory=list)
    chosen: set[str] = field(default_factory=set)
    warnings: list[ImportWarning] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    line: int | None = None

    @property
    def changes(self) -> list[Change]:
        return [Change(op.describe(), op.destructive) for op in self.ops]

    @property
    def destructive(self) -> int:
        return sum(1 for op in self.ops if op.destructive)


def design_text(schema: m.Schema) -> str:
    """The design as the text mode shows it."""
    return to_dbml(schema)


def is_sql(text: str) -> bool:
    """Whether pasted text is SQL DDL rather than DBML."""
    return bool(_SQL.match(text)) and not _DBML_ELEMENT.search(text)


def _with_kept(text: str, current: m.Schema) -> str:
    """The text, with the current design's kept block after it when it has none."""
    if KEPT_MARKER in text or _PROJECT.search(text):
        return text
    own = to_dbml(current)
    if KEPT_MARKER not in own:
        return text
    project = own[:own.index("\n}\n") + 3]
    return text.rstrip("\n") + "\n\n" + project


def preview(current: m.Schema, text: str, renames: set[str] | frozenset[str] = frozenset()
            ) -> Preview:
    """What applying ``text`` to ``current`` would change (see the module docstring)."""
    from modeler.importers import import_dbml, import_sql

    kind = "sql" if is_sql(text) else "dbml"
    out = Preview(kind)
    if len(text) > MAX_TEXT:
        out.error = f"the text has {len(text):,} characters, more than the {MAX_TEXT:,} " \
            "text mode reads"
        return out
    if not text.strip():
        out.error = "the text is empty: write the design in DBML (an empty text would drop " \
            "every table; delete tables one by one instead)"
        return out
    try:
        if kind == "sql":
            result = import_sql([("pasted.sql", text)])
        else:
            result = import_dbml([(FILE, _with_kept(text, current))])
    except SchemaImportError as exc:
        out.error, out.line = exc.message, exc.line
        return out
    out.warnings = [w for w in result.warnings if w.kind != "ignored"]
    new = result.schema
    if kind == "sql":
        new = _added(current, new, out.notes)
    else:
        if not new.name and current.name:
            new = replace(new, name=current.name)
    offered = rename_candidates(current, adopt_uids(current, new))
    chosen = [r for r in offered if r.key in renames]
    out.renames, out.chosen = offered, {r.key for r in chosen}
    if chosen and kind == "dbml":  # the kept data of a renamed element goes with it
        try:
            again = import_dbml([(FILE, _rekeyed(_with_kept(text, current), chosen))]).schema
            new = replace(again, name=new.name)
        except SchemaImportError:
            pass
    aligned = adopt_uids(current, new, chosen)
    if any(r.kind in ("enum", "enum value") for r in chosen):  # as PostgreSQL shows them:
        from modeler.schema import enumlabels  # the expressions spelling the enum follow

        aligned = enumlabels.follow(current, aligned)
    if chosen:  # names that followed the convention follow the renamed table
        aligned = actions.keep_conventional_names(current, aligned)
    aligned = _conventional(current, aligned)
    try:
        out.ops = diff(current, aligned)
    except (AssertionError, KeyError, ValueError) as exc:  # a change the differ cannot
        out.error = ("the text reads, but its change list could not be worked out "  # say
                     f"({type(exc).__name__}); nothing can be applied: change less at once")
        return out
    out.new = aligned
    return out


def _rekeyed(text: str, renames: list[RenameCandidate]) -> str:
    """The text with the kept data of each renamed table (and column) filed under its new
    name, so a rename keeps what DBML cannot say about it."""
    if KEPT_MARKER not in text:
        return text
    head, tail = text.split(KEPT_MARKER, 1)
    closing = re.search(r"(?<!\\)'''", tail)  # the note's end (an escaped one is text)
    if closing is None:
        return text
    body, end, rest = tail[:closing.start()], "'''", tail[closing.end():]
    tables = {r.old: r.new for r in renames if r.kind == "table"}
    columns: dict[str, dict[str, str]] = {}
    for r in renames:
        if r.kind == "column":
            key, _, old = r.old.rpartition(".")
            columns.setdefault(key, {})[old] = r.new.rpartition(".")[2]
    lines = []
    for line in body.split("\n"):
        try:
            data = kept.loads(re.sub(r"\\(.)", r"\1", line))
        except json.JSONDecodeError:
            lines.append(line)
            continue
        if isinstance(data, dict):
            data = _renamed(data, tables, columns)
        dumped = json.dumps(data, sort_keys=True, ensure_ascii=False)
        indent = line[:len(line) - len(line.lstrip())]
        lines.append(indent + dumped.replace("\\", "\\\\").replace("'", "\\'"))
    return head + KEPT_MARKER + "\n".join(lines) + end + rest


def _renamed(data: dict[str, object], tables: dict[str, str],
             columns: dict[str, dict[str, str]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for section, value in data.items():
        if section == "tables" and isinstance(value, dict):
            moved: dict[str, object] = {}
            entries: dict[str, object] = value
            for key, entry in entries.items():
                key = tables.get(key, key)
                cols = columns.get(key)
                if cols and isinstance(entry, dict) and isinstance(entry.get("columns"), dict):
                    entry = {**entry, "columns": {cols.get(c, c): v
                                                  for c, v in entry["columns"].items()}}
                moved[key] = entry
            value = moved
        elif section == "relationships" and isinstance(value, dict):
            moved = {}
            for key, entry in value.items():
                for old, new in tables.items():
                    if key.startswith(old + "."):
                        key = new + key[len(old):]
                moved[key] = entry
            value = moved
        out[section] = value
    return out


def _conventional(current: m.Schema, new: m.Schema) -> m.Schema:
    """New elements the text leaves unnamed get the design's naming convention instead of
    the names PostgreSQL would give them (``pk_book``, not ``book_pkey``), and a new
    foreign key without an index that serves it gets one (``ix_book_author_id``), as the
    editor's forms do. Elements the design has keep their names."""
    old_tables = {t.uid for t in current.tables}
    old_elements = {x.uid for t in current.tables for x in t.indexes + t.uniques + t.checks}
    old_rels = {r.uid for r in current.relationships}
    rels = []
    for r in new.relationships:
        child = new.table(r.child_table)
        cols = [child.column(c).name for c in r.child_columns]
        if r.uid not in old_rels and r.name == f"{child.name}_{'_'.join(cols)}_fkey":
            r = replace(r, name=naming.fk_name(child.name, cols,
                                               new.table(r.parent_table).name))
        rels.append(r)
    tables = []
    for t in new.tables:
        # a new table's PostgreSQL-named key gets the convention's pk_<table> (None), as the
        # forms make it
        pk_name = None if t.uid not in old_tables and t.pk_name == f"{t.name}_pkey" \
            else t.pk_name

        def names(uids: tuple[str | None, ...], table: m.Table = t) -> list[str]:
            return [table.column(u).name for u in uids if u is not None]

        uniques = tuple(
            replace(u, name=naming.uq_name(t.name, names(u.columns)))
            if u.uid not in old_elements and u.name == f"{t.name}_{'_'.join(names(u.columns))}"
            "_key" else u for u in t.uniques)
        indexes = [
            replace(ix, name=naming.ix_name(t.name, names(ix.column_uids)))
            if ix.uid not in old_elements and all(p.column for p in ix.parts)
            and ix.name == f"{t.name}_{'_'.join(names(ix.column_uids))}_idx" else ix
            for ix in t.indexes]
        checks = tuple(
            replace(ck, name=naming.ck_name(t.name, ck.name[len(t.name) + 1:-len("_check")]))
            if ck.uid not in old_elements and ck.name.startswith(f"{t.name}_")
            and ck.name.endswith("_check") and len(ck.name) > len(t.name) + 7 else ck
            for ck in t.checks)
        served = [tuple(ix.column_uids) for ix in indexes if ix.where is None]
        served += [tuple(c.uid for c in t.primary_key)]
        served += [u.columns for u in t.uniques]
        for r in rels:
            if r.child_table != t.uid or r.uid in old_rels:
                continue
            if any(k[:len(r.child_columns)] == r.child_columns for k in served):
                continue
            name = naming.ix_name(t.name, names(r.child_columns))
            indexes.append(m.Index(stable_uid("index", t.namespace, t.name, name), name,
                                   tuple(m.IndexPart(column=c) for c in r.child_columns)))
            served.append(r.child_columns)
        tables.append(replace(t, pk_name=pk_name, uniques=uniques, indexes=tuple(indexes),
                              checks=checks))
    return m.normalized(replace(new, tables=tuple(tables), relationships=tuple(rels)))


def _added(current: m.Schema, pasted: m.Schema, notes: list[str]) -> m.Schema:
    """``current`` plus the tables (with their relationships), enums, domains and
    extensions of pasted SQL that ``current`` does not have by name; the others are left
    out, each with a note."""
    have = {(t.namespace, t.name) for t in current.tables}
    tables = []
    for t in pasted.tables:
        if (t.namespace, t.name) in have:
            notes.append(f"table {t.qualified_name} exists already: left as it is (change it "
                         "in the DBML text)")
        else:
            tables.append(t)
    taken = {t.uid for t in tables}
    rels = [r for r in pasted.relationships if r.child_table in taken]
    names = {(t.namespace, t.name): t for t in (*current.tables, *tables)}
    fixed = []
    for r in rels:  # a reference to a table the design has: to the design's own
        parent = next((t for t in pasted.tables if t.uid == r.parent_table), None)
        target = names.get((parent.namespace, parent.name)) if parent is not None else None
        if target is None or parent is None:
            continue
        cols = [parent.column(c).name for c in r.parent_columns]
        tcols = [target.column_named(c) for c in cols]
        if any(c is None for c in tcols):
            notes.append(f"reference {r.name} names columns {', '.join(cols)} that "
                         f"{target.qualified_name} does not have: left out")
            continue
        fixed.append(replace(r, parent_table=target.uid,
                             parent_columns=tuple(c.uid for c in tcols if c is not None)))
    enums = [e for e in pasted.enums if all(
        (e.namespace, e.name) != (x.namespace, x.name) for x in current.enums)]
    domains = [d for d in pasted.domains if all(
        (d.namespace, d.name) != (x.namespace, x.name) for x in current.domains)]
    exts = [e for e in pasted.extensions if all(e.name != x.name for x in current.extensions)]
    # types named like the design's own: the design's uids
    type_map = {}
    for obj in pasted.enums + pasted.domains:
        mine = next((x for x in current.enums + current.domains
                     if (x.namespace, x.name) == (obj.namespace, obj.name)), None)
        if mine is not None:
            type_map[obj.uid] = mine.uid
    if type_map:
        tables = [replace(t, columns=tuple(
            replace(c, type=replace(c.type, ref=type_map.get(c.type.ref or "", c.type.ref)))
            for c in t.columns)) for t in tables]
    if not tables:
        notes.append("the SQL creates no table the design does not have")
    return m.normalized(replace(
        current, tables=(*current.tables, *tables),
        relationships=(*current.relationships, *fixed), enums=(*current.enums, *enums),
        domains=(*current.domains, *domains), extensions=(*current.extensions, *exts)))


__all__ = ["Change", "Preview", "design_text", "is_sql", "preview"]
