"""A design as DBML text (pure: ``Schema -> str``, the same design always gives the same text).

What DBML says is written as DBML: tables with their schema, columns (type, ``pk``, ``not
null``, ``unique``, ``default``, ``increment``, ``note``), composite keys and indexes
(``unique``, ``type``, backtick expressions, names, notes), checks, references with their
ON DELETE / ON UPDATE, enums, notes, header colours and table groups (subject areas).

What DBML cannot say is kept, not dropped: the Project's note holds it, after the marker
line :data:`KEPT_MARKER`, as JSON (one line per element, keyed by the names the DBML above
uses): table kinds, positions, expected rows, partitioning, query patterns, unique
constraints DBML has no words for, index keys' order/NULLS/operator classes, predicates and
INCLUDE columns, column collations, backfills, generated expressions, NULL meanings,
denormalization notes, references' cardinality and deferrability, domains, extensions,
sequences, collations, kept SQL and the project settings. The DBML importer reads the block
back (:mod:`modeler.importers.dbml.kept`) and lays it over what the DBML above says, element
by element, for the elements that still exist by name: deleting a table in the text deletes
its kept data with it. A column's exact type and default are kept with the DBML text they
were written as and apply only while that text is unchanged, so an edit in the text wins.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from modeler.schema import model as m
from modeler.schema import sqlexpr
from modeler.schema.serialize import encode
from modeler.schema.sqlprint import LINE_BREAKING as _LINE_BREAKING

KEPT_MARKER = "modeler:kept v1 (what DBML cannot say; the importer reads it back)"

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# words the DBML grammar gives a meaning where a name stands (quoted to be safe)
_RESERVED = frozenset({"table", "ref", "enum", "project", "tablegroup", "note", "indexes",
                       "checks", "as", "null", "true", "false", "pk", "unique", "increment",
                       "default", "not", "records", "tablepartial"})
_ACTIONS = {"CASCADE": "cascade", "RESTRICT": "restrict", "NO ACTION": "no action",
            "SET NULL": "set null", "SET DEFAULT": "set default"}


def ident(name: str) -> str:
    """A DBML name: bare when it can be, else double-quoted."""
    if _PLAIN.match(name) and name.lower() not in _RESERVED:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qualified(namespace: str, name: str) -> str:
    return ident(name) if namespace == "public" else f"{ident(namespace)}.{ident(name)}"


def string(text: str) -> str:
    """A single-quoted DBML string (line breaks escaped, so one line)."""
    text = text.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + "'"


def _json(value: object) -> str:
    """Kept data as one line of JSON; DEL escaped (JSON leaves it raw; the importer takes
    a control character for binary data)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False).replace("\x7f", "\\u007f")


def _expr(text: str) -> str | None:
    """A backtick expression, or None when the text holds a backtick (kept instead). Text
    with a line break or a control character is written canonically (one line: a string
    constant holding one is an E'' string with escapes) when it parses."""
    if _LINE_BREAKING.search(text):
        try:
            text = sqlexpr.canonical(text)
        except sqlexpr.ExpressionError:
            return None
    return None if "`" in text or "\n" in text else f"`{text}`"


def type_text(t: m.ColumnType, schema: m.Schema) -> str:
    """A column type as the DBML reader reads it back (before quoting)."""
    if t.kind in ("enum", "domain"):
        obj = schema.type_object(t.ref or "")
        base = obj.qualified_name if obj is not None else "text"
    elif t.kind == "custom":
        base = t.name
    else:
        base = m.ColumnType(t.kind, t.name, t.length, t.precision, t.scale).short()
    return base + "[]" * t.array_dims


def column_type(t: m.ColumnType, schema: m.Schema) -> str:
    """The DBML spelling of a column type (enums and domains by their qualified name)."""
    if t.kind in ("enum", "domain"):
        obj = schema.type_object(t.ref or "")
        base = qualified(obj.namespace, obj.name) if obj is not None else "text"
        return base + "[]" * t.array_dims
    base = type_text(replace(t, array_dims=0), schema)
    if not re.fullmatch(r"[\w.,()]+", base):
        base = '"' + base.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return base + "[]" * t.array_dims


def _settings(items: list[str]) -> str:
    return f" [{', '.join(items)}]" if items else ""


def _default_name(t: m.Table, col: m.Column) -> str:
    return f"{t.name}_{col.name}_key"


def _native_unique(t: m.Table, u: m.UniqueConstraint) -> m.Column | None:
    """The column a unique constraint is written on as ``unique`` (one column), or None."""
    return t.column(u.columns[0]) if len(u.columns) == 1 else None


def _plain_unique(t: m.Table, u: m.UniqueConstraint, col: m.Column) -> bool:
    """Whether ``unique`` on the column says all of it (the name PostgreSQL gives it,
    nothing else); else its details are kept too."""
    return not (u.nulls_not_distinct or u.deferrable or u.comment) and \
        u.name == _default_name(t, col)


class _Writer:
    def __init__(self, schema: m.Schema) -> None:
        self.s = schema
        self.out: list[str] = []
        self.kept: dict[str, Any] = {}
        keyed = [t for t in schema.tables if t.primary_key]
        # most tables name their key by the convention (pk_name None, as the editor makes
        # them) or as PostgreSQL does (<table>_pkey, as imports do): the others are kept
        self.pk_convention = 2 * sum(t.pk_name is None for t in keyed) > len(keyed)
        if self.pk_convention:
            self.kept["project"] = {"pk_names": "convention"}

    def pk_default(self, t: m.Table) -> str | None:
        return None if self.pk_convention else f"{t.name}_pkey"

    # -- kept data -----------------------------------------------------------------------
    def keep(self, section: str, key: str, data: dict[str, Any]) -> None:
        if data:
            self.kept.setdefault(section, {}).setdefault(key, {}).update(data)

    def keep_sub(self, table_key: str, sub: str, name: str, data: Any) -> None:
        """Kept data of one element of a table (its checks, indexes, columns...)."""
        table = self.kept.setdefault("tables", {}).setdefault(table_key, {})
        table.setdefault(sub, {})[name] = data

    def col_name(self, uid: str) -> str:
        return self.s.column(uid).name

    def table_key(self, uid: str) -> str:
        t = self.s.table(uid)
        return f"{t.namespace}.{t.name}"

    # -- the document ----------------------------------------------------------------------
    def write(self) -> str:
        s = self.s
        for e in s.enums:
            self.enum(e)
        for t in s.tables:
            self.table(t)
        for r in s.relationships:
            self.ref(r)
        self.groups()
        self.whole()
        body = "\n".join(self.out).rstrip("\n") + "\n"
        return self.project() + body

    def project(self) -> str:
        lines = [f"Project {ident(self.s.name or 'design')} {{", "  database_type: 'PostgreSQL'"]
        if self.kept:
            entries = []
            for section in sorted(self.kept):
                value = self.kept[section]
                if isinstance(value, dict) and section not in ("settings", "project"):
                    for key in sorted(value):
                        entries.append(_json({section: {key: value[key]}}))
                else:
                    entries.append(_json({section: value}))
            text = KEPT_MARKER + "\n" + "\n".join(entries)
            lines.append("  Note: '''")
            lines += [_triple(line) for line in text.split("\n")]
            lines.append("  '''")
        lines.append("}")
        return "\n".join(lines) + "\n\n"

    def whole(self) -> None:
        s = self.s
        if s.name == "":
            self.kept.setdefault("project", {})["unnamed"] = True
        if s.settings != m.Settings():
            self.kept["settings"] = encode(s.settings)
        for key, items in (("domains", s.domains), ("extensions", s.extensions),
                           ("collations", s.collations), ("raw_objects", s.raw_objects)):
            item: Any
            for i, item in enumerate(items):
                data = encode(item)
                data.pop("uid", None)
                if isinstance(item, m.Domain):
                    data["base"] = self.type_data(item.base)
                name = str(getattr(item, "qualified_name", None) or item.name)
                self.keep(key, f"{i:04d} {name}" if key == "raw_objects" else name, data)
        for seq in s.sequences:
            data = encode(seq)
            data.pop("uid", None)
            if seq.owned_by_table and seq.owned_by_column:
                data["owned_by_table"] = self.table_key(seq.owned_by_table)
                data["owned_by_column"] = self.col_name(seq.owned_by_column)
            self.keep("sequences", seq.qualified_name, data)

    def type_data(self, t: m.ColumnType) -> dict[str, Any]:
        """A column type as kept data: enums and domains by qualified name."""
        data = encode(t)
        if t.kind in ("enum", "domain"):
            obj = self.s.type_object(t.ref or "")
            data["ref"] = f"{obj.namespace}.{obj.name}" if obj is not None else ""
        return data

    # -- enums ---------------------------------------------------------------------------
    def enum(self, e: m.EnumType) -> None:
        self.out.append(f"Enum {qualified(e.namespace, e.name)} {{")
        for v in e.values:
            self.out.append(f"  {string(v.label) if v.label else chr(34) * 2}")
        self.out.append("}\n")
        if e.comment:
            self.keep("enums", e.qualified_name, {"comment": e.comment})

    # -- tables --------------------------------------------------------------------------
    def table(self, t: m.Table) -> None:
        key = f"{t.namespace}.{t.name}"
        head = []
        if t.color:
            head.append(f"headercolor: {t.color}" if re.fullmatch(r"#[0-9A-Fa-f]{3,8}",
                                                                  t.color) else "")
            if not head[-1]:
                head.pop()
                self.keep("tables", key, {"color": t.color})
        self.out.append(f"Table {qualified(t.namespace, t.name)}{_settings(head)} {{")
        pk = t.primary_key
        natives = {}
        kept_uniques = []
        detailed = set()  # written as `unique`, with their name or flags kept
        for u in t.uniques:
            col = _native_unique(t, u)
            if col is not None and col.uid not in natives:
                natives[col.uid] = u
                if not _plain_unique(t, u, col):
                    kept_uniques.append(u)
                    detailed.add(u.uid)
            else:
                kept_uniques.append(u)
        for c in t.columns:
            self.column(t, c, len(pk) == 1 and c.pk_order is not None, c.uid in natives)
        parts = [self.index_line(t, ix) for ix in t.indexes]
        if len(pk) > 1:
            cols = ", ".join(ident(c.name) for c in pk)
            items = ["pk"] + ([f"name: {string(t.pk_name)}"] if t.pk_name else [])
            parts.insert(0, f"    ({cols}){_settings(items)}")
        if pk and t.pk_name != self.pk_default(t):
            self.keep("tables", key, {"pk_name": t.pk_name})
        parts = [p for p in parts if p]
        if parts:
            self.out += ["", "  indexes {", *parts, "  }"]
        checks = []
        for ck in t.checks:
            text = _expr(ck.expression)
            whole = {"expression": ck.expression} | ({"comment": ck.comment}
                                                     if ck.comment else {})
            if text is None:
                self.keep_sub(key, "checks", ck.name, whole)
                continue
            checks.append(f"    {text} [name: {string(ck.name)}]")
            if _own_functions(ck.expression):  # the importer cannot check it: kept too
                self.keep_sub(key, "checks", ck.name, whole | {"native": True})
            elif ck.comment:
                self.keep_sub(key, "check_comments", ck.name, ck.comment)
        if checks:
            self.out += ["", "  checks {", *checks, "  }"]
        if t.comment:
            self.out += ["", f"  Note: {string(t.comment)}"]
            if _reshaped(t.comment):
                self.keep("tables", key, {"comment": t.comment})
        self.out.append("}\n")
        extra: dict[str, Any] = {}
        for field in ("kind", "delete_strategy", "partition_by", "partition_bound",
                      "expected_rows"):
            value = getattr(t, field)
            if value != getattr(m.Table, field, None) and value not in ("entity", "hard", "",
                                                                         None):
                extra[field] = value
        if t.position is not None:
            extra["position"] = [t.position.x, t.position.y]
        if t.partition_of is not None:
            extra["partition_of"] = self.table_key(t.partition_of)
        if kept_uniques:
            extra["uniques"] = {u.name: self.unique_data(u) | (
                {"native": True} if u.uid in detailed else {}) for u in kept_uniques}
        if t.query_patterns:
            extra["query_patterns"] = {q.name: self.pattern_data(q) for q in t.query_patterns}
        self.keep("tables", key, extra)

    def unique_data(self, u: m.UniqueConstraint) -> dict[str, Any]:
        data = encode(u)
        data.pop("uid", None)
        data.pop("name", None)
        data["columns"] = [self.col_name(c) for c in u.columns]
        return data

    def pattern_data(self, q: m.QueryPattern) -> dict[str, Any]:
        data = encode(q)
        data.pop("uid", None)
        data.pop("name", None)
        if q.equality:
            data["equality"] = [self.col_name(c) for c in q.equality]
        if q.range:
            data["range"] = self.col_name(q.range)
        if q.order_by:
            data["order_by"] = [[self.col_name(o.column), o.descending] for o in q.order_by]
        return data

    def column(self, t: m.Table, c: m.Column, pk: bool, unique: bool) -> None:
        items: list[str] = []
        if pk:
            items.append("pk")
        if c.identity is not None:
            items.append("increment")
        if not c.nullable and not pk:
            items.append("not null")
        if unique:
            items.append("unique")
        written = column_type(c.type, self.s)
        extra: dict[str, Any] = {}
        if c.default is not None:
            text = _expr(c.default)
            extra["default"] = c.default  # exact; applies while the DBML says the same
            if text is not None:
                items.append(f"default: {text}")
                extra["default_as"] = c.default
        if c.comment:
            items.append(f"note: {string(c.comment)}")
            if _reshaped(c.comment):  # the reader trims notes: the exact text is kept
                extra["comment"] = c.comment
        self.out.append(f"  {ident(c.name)} {written}{_settings(items)}")
        if not _plain_type(c.type):
            extra["type"] = self.type_data(c.type)
            extra["as"] = type_text(c.type, self.s)
        if c.identity == "always":
            extra["identity"] = "always"
        if c.nullable and c.identity is not None:
            extra["nullable"] = True
        for field in ("generated", "null_meaning", "collation", "backfill", "compression"):
            value = getattr(c, field)
            if value:
                extra[field] = value
        if c.searchable != "none":
            extra["searchable"] = c.searchable
        if c.frequently_queried:
            extra["frequently_queried"] = True
        if c.denormalized is not None:
            extra["denormalized"] = encode(c.denormalized)
        if c.identity is not None and c.identity_options is not None:
            extra["identity_options"] = encode(c.identity_options)  # DBML cannot say them
        if extra.keys() - {"type", "as", "default", "default_as"} or \
                extra.get("default") not in _STABLE_DEFAULTS or not _plain_type(c.type):
            key = f"{t.namespace}.{t.name}"
            self.keep("tables", key, {"columns": {
                **self.kept.get("tables", {}).get(key, {}).get("columns", {}), c.name: extra}})

    def index_line(self, t: m.Table, ix: m.Index) -> str:
        key = f"{t.namespace}.{t.name}"
        shown = []
        exact = False
        for p in ix.parts:
            if p.column is not None:
                shown.append(ident(t.column(p.column).name))
            else:
                text = _expr(p.expression or "")
                if text is None:
                    self.keep("tables", key, {"indexes": {
                        **self.kept.get("tables", {}).get(key, {}).get("indexes", {}),
                        ix.name: {"whole": self.index_data(ix)}}})
                    return ""
                shown.append(text)
            exact = exact or p.descending or p.nulls is not None or p.opclass is not None \
                or p.collation is not None
        items = []
        if ix.unique:
            items.append("unique")
        items.append(f"name: {string(ix.name)}")
        if ix.method != "btree":
            items.append(f"type: {ix.method}")
        if ix.comment:
            items.append(f"note: {string(ix.comment)}")
        extra: dict[str, Any] = {}
        if exact:
            extra["parts"] = self.index_data(ix)["parts"]
        if ix.where is not None:
            extra["where"] = ix.where
        if ix.include:
            extra["include"] = [self.col_name(c) for c in ix.include]
        if ix.nulls_not_distinct:
            extra["nulls_not_distinct"] = True
        if ix.method != "btree":  # the importer may not know its operator class
            extra["method"] = ix.method
        if any(p.expression and _own_functions(p.expression) for p in ix.parts) or \
                (ix.where and _own_functions(ix.where)):
            extra = {"whole": self.index_data(ix), "native": True}
        if extra:
            self.keep("tables", key, {"indexes": {
                **self.kept.get("tables", {}).get(key, {}).get("indexes", {}), ix.name: extra}})
        body = shown[0] if len(shown) == 1 and ix.parts[0].expression is not None \
            else f"({', '.join(shown)})"
        return f"    {body}{_settings(items)}"

    def index_data(self, ix: m.Index) -> dict[str, Any]:
        data = encode(ix)
        data.pop("uid", None)
        data.pop("name", None)
        data["parts"] = []
        for p in ix.parts:
            part = encode(p)
            if p.column is not None:
                part["column"] = self.col_name(p.column)
            data["parts"].append(part)
        if ix.include:
            data["include"] = [self.col_name(c) for c in ix.include]
        return data

    # -- references and groups -----------------------------------------------------------
    def ref(self, r: m.Relationship) -> None:
        child, parent = self.s.table(r.child_table), self.s.table(r.parent_table)
        op = "-" if r.cardinality == "one-to-one" else ">"

        def side(t: m.Table, cols: tuple[str, ...]) -> str:
            names = [ident(self.col_name(c)) for c in cols]
            shown = names[0] if len(names) == 1 else f"({', '.join(names)})"
            return f"{qualified(t.namespace, t.name)}.{shown}"

        items = []
        if r.on_delete in _ACTIONS:
            items.append(f"delete: {_ACTIONS[r.on_delete]}")
        if r.on_update in _ACTIONS:
            items.append(f"update: {_ACTIONS[r.on_update]}")
        self.out.append(f"Ref {ident(r.name)}: {side(child, r.child_columns)} {op} "
                        f"{side(parent, r.parent_columns)}{_settings(items)}")
        extra: dict[str, Any] = {}
        if r.cardinality == "many-to-many":
            extra["cardinality"] = r.cardinality
        if r.deferrable:
            extra["deferrable"] = True
        if r.initially_deferred:
            extra["initially_deferred"] = True
        if r.match != "SIMPLE":
            extra["match"] = r.match
        if r.comment:
            extra["comment"] = r.comment
        derived = any(self.s.column(c).nullable and self.s.column(c).pk_order is None
                      for c in r.child_columns)  # what the importer makes of it
        if r.optional != derived:
            extra["optional"] = r.optional
        if r.parent_columns != tuple(c.uid for c in parent.primary_key):
            # a reference to a unique constraint the DBML keeps: the importer cannot see
            # that key, so the whole reference is kept too (added back if it left it out)
            extra["parent"] = f"{parent.namespace}.{parent.name}"
            extra["columns"] = [[self.col_name(c) for c in r.child_columns],
                                [self.col_name(c) for c in r.parent_columns]]
            extra["on"] = [r.on_delete, r.on_update, r.cardinality, r.optional]
        self.keep("relationships", f"{child.namespace}.{child.name}.{r.name}", extra)

    def groups(self) -> None:
        areas: dict[str, list[m.Table]] = {}
        for t in self.s.tables:
            if t.subject_area:
                areas.setdefault(t.subject_area, []).append(t)
        if self.s.relationships:
            self.out.append("")
        for area in sorted(areas):
            self.out.append(f"TableGroup {ident(area)} {{")
            self.out += [f"  {qualified(t.namespace, t.name)}" for t in areas[area]]
            self.out.append("}\n")


_CALL = re.compile(r'((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))*)\s*\(')


def _own_functions(expression: str) -> bool:
    """Whether an expression calls a function that is not PostgreSQL's own (a function of
    the design's kept SQL, or schema-qualified): the DBML importer cannot check such an
    expression and leaves it out, so the writer keeps it as well."""
    from modeler.importers.dbml.pgfuncs import PG_FUNCTIONS

    for match in _CALL.finditer(expression):
        name = match.group(1)
        if "." in name or '"' in name or name.lower() not in PG_FUNCTIONS:
            if name.lower() in _SQL_WORDS:
                continue
            return True
    return False


# words followed by "(" that are SQL syntax, not function calls
_SQL_WORDS = frozenset({"in", "any", "all", "some", "array", "row", "exists", "and", "or",
                        "not", "coalesce", "nullif", "greatest", "least", "cast", "extract",
                        "overlay", "position", "substring", "trim", "values", "is", "like",
                        "similar", "between", "then", "else", "when", "case", "filter",
                        "collate", "numeric", "decimal", "varchar", "char", "character",
                        "timestamp", "time", "interval", "bit", "varying", "float",
                        "normalize", "xmlelement", "xmlforest", "xmlpi", "xmlroot",
                        "xmlparse", "xmlserialize", "xmlexists", "xmlattributes"})


# defaults the DBML importer reads back exactly as they are written
_STABLE_DEFAULTS = frozenset({None, "now()", "gen_random_uuid()", "CURRENT_DATE", "0", "''"})


def _plain_type(t: m.ColumnType) -> bool:
    """Whether the DBML type text gives this type back by itself (no kept copy needed)."""
    return t.kind in ("enum", "builtin")


def _reshaped(note: str) -> bool:
    """Whether the DBML reader would give a note back changed (it drops the blank lines
    around a note and the indentation its lines share, as DBML tools show notes)."""
    from modeler.importers.dbml.values import normalize_note

    return normalize_note(note) != note


def _triple(line: str) -> str:
    """A line of the kept block inside the note's triple-quoted string (every quote
    escaped: a run of quotes in kept SQL cannot end the string)."""
    return "  " + line.replace("\\", "\\\\").replace("'", "\\'")


def to_dbml(schema: m.Schema) -> str:
    """The design as DBML (see the module docstring)."""
    return _Writer(schema).write()


__all__ = ["KEPT_MARKER", "column_type", "ident", "string", "to_dbml"]
