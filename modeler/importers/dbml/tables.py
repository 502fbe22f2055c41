"""``Table`` and ``TablePartial`` elements: columns, indexes, checks, notes, ``~partial``
injections, and the merge of partials into tables (the reference implementation's rules:
a table's own column wins over a partial's of the same name, a later partial's over an
earlier one's; indexes and checks of all partials are added; a table's own header colour
and note win, else the last partial's that has one)."""

from __future__ import annotations

from modeler.importers.dbml.lexer import DbmlSyntaxError
from modeler.importers.dbml.model import (
    Check,
    Column,
    Document,
    Endpoint,
    Index,
    IndexPart,
    Injection,
    Ref,
    Table,
)
from modeler.importers.dbml.nodes import (
    Element,
    Expr,
    Field,
    Group,
    Literal,
    Name,
    Prefix,
    Setting,
    label,
)
from modeler.importers.dbml.values import (
    REF_OPS,
    TYPE_WORDS,
    default_of,
    endpoint,
    name_of,
    note_of,
    qualified,
    settings_of,
    string_of,
    type_text,
)

INDEX_TYPES = frozenset({"btree", "hash", "gin", "gist", "brin", "spgist"})


class TableReader:
    """Reads the ``Table`` and ``TablePartial`` elements of one file into ``doc``."""

    def __init__(self, doc: Document, file: str) -> None:
        self.doc = doc
        self.file = file

    def warn(self, line: int | None, kind: str, message: str) -> None:
        self.doc.warn(self.file, line, kind, message)

    def table(self, el: Element, partial: bool) -> Table:
        what = "TablePartial" if partial else "Table"
        if partial:
            schema, name = None, name_of(el.name, "a TablePartial name", el.line)
        else:
            schema, name = qualified(el.name, "a table name", el.line)
        t = Table(schema or ("public" if not partial else None), name, self.file, el.line)
        if el.alias is not None:
            if partial:
                raise DbmlSyntaxError("a TablePartial has no alias", el.line)
            t.alias = name_of(el.alias, "an alias", el.line)
        for s in el.settings.items if el.settings else ():
            self.table_setting(t, s, what)
        if el.body is None:
            raise DbmlSyntaxError(f"{what} {name} needs a body in braces", el.line)
        notes = [t.note] if t.note is not None else []  # the last one wins, as in PyDBML
        names: set[str] = set()
        for item in el.body:
            if isinstance(item, Field):
                self.table_field(t, item, names)
            elif item.kind == "indexes":
                t.indexes += [self.index(f) for f in self.fields_of(item)]
            elif item.kind == "checks":
                t.checks += [self.check(f) for f in self.fields_of(item)]
            elif item.kind == "note":
                notes.append(note_of(note_value(item), f"the note of {name}", item.line))
                if len(notes) == 2:
                    self.warn(item.line, "approximation", f"{what} {name} has more than one "
                              "note: the last is kept")
            elif item.kind == "records":
                self.warn(item.line, "ignored", records_message(name, item))
            else:
                self.warn(item.line, "unsupported", f"'{item.keyword}' in {what} {name} is "
                          "not DBML; skipped")
        t.note = notes[-1] if notes else None
        if not partial and not t.columns and not t.injections:
            self.warn(el.line, "approximation", f"table {name} has no columns")
        return t

    def fields_of(self, el: Element) -> list[Field]:
        if el.body is None:
            raise DbmlSyntaxError(f"{el.keyword} needs a body in braces", el.line)
        out = []
        for item in el.body:
            if isinstance(item, Element):
                raise DbmlSyntaxError(f"unexpected '{item.keyword}' in {el.keyword}", item.line)
            out.append(item)
        return out

    def table_setting(self, t: Table, s: Setting, what: str) -> None:
        if s.key == "headercolor":
            t.color = _color(s.value, s.line)
        elif s.key == "note":
            t.note = note_of(s.value, f"the note of {t.name}", s.line)
        else:
            self.warn(s.line, "unsupported", f"setting '{s.key}' of {what} {t.name} is not "
                      "DBML; ignored")

    def table_field(self, t: Table, f: Field, names: set[str]) -> None:
        head = f.parts[0]
        if isinstance(head, Prefix) and head.op == "~":
            if len(f.parts) > 1:
                raise DbmlSyntaxError(f"unexpected {label(f.parts[1])} after ~"
                                      f"{label(head.operand)}", f.line)
            name = name_of(head.operand, "a TablePartial name after ~", f.line)
            t.injections.append(Injection(name, f.line, len(t.columns)))
            return
        column = self.column(f)
        if column.name in names:
            self.warn(f.line, "unsupported", f"column {column.name} of {t.name} is defined "
                      "twice; the second is ignored")
            return
        names.add(column.name)
        t.columns.append(column)

    # -- columns ---------------------------------------------------------------------------
    def column(self, f: Field) -> Column:
        parts, lists = settings_of(f.parts)
        name = name_of(parts[0], "a column name", f.line)
        if len(parts) < 2:
            raise DbmlSyntaxError(f"column {name} has no type", f.line)
        ctype, flags = type_text(parts[1], f.line), []
        for extra in parts[2:]:
            word = extra.text.lower() if isinstance(extra, Name) and not extra.quoted else ""
            if word in ("pk", "unique"):
                flags.append(word)
            elif word in TYPE_WORDS and not flags:
                ctype += " " + word
            else:
                raise DbmlSyntaxError(f"unexpected {label(extra)} in the definition of column "
                                      f"{name} (settings go in [brackets])", f.line)
        col = Column(name, ctype, self.file, f.line, pk="pk" in flags, unique="unique" in flags)
        seen: set[str] = set()
        for settings in lists:
            for s in settings.items:
                if s.key in seen and s.key not in ("ref", "check"):
                    self.warn(s.line, "approximation", f"setting '{s.key}' of column {name} "
                              "is repeated; the last one is kept")
                seen.add(s.key)
                self.column_setting(col, s)
        return col

    def column_setting(self, col: Column, s: Setting) -> None:
        key, value = s.key, s.value
        if key in ("pk", "primary key", "unique", "null", "not null", "increment") \
                and value is not None:
            raise DbmlSyntaxError(f"setting '{key}' of column {col.name} takes no value",
                                  s.line)
        if key in ("pk", "primary key"):
            col.pk = True
        elif key == "unique":
            col.unique = True
        elif key in ("null", "not null"):
            col.not_null = key == "not null"
        elif key == "increment":
            col.increment = True
        elif key == "note":
            col.note = note_of(value, f"the note of column {col.name}", s.line)
        elif key == "default":
            col.default = default_of(value, s.line)
        elif key == "ref":
            if not isinstance(value, Prefix) or value.op not in REF_OPS:
                raise DbmlSyntaxError(f"ref: of column {col.name} expects >, <, - or <> and a "
                                      f"column, found {label(value)}", s.line)
            target = endpoint(value.operand, s.line)
            if target.table is None and target.columns == [col.name]:
                self.warn(s.line, "unsupported", f"ref: of column {col.name} refers to the "
                          "column itself; left out")
                return
            col.refs.append(Ref(value.op, _self_endpoint(col), target, self.file, s.line,
                                inline=True))
        elif key == "check":
            col.checks.append(_expression(value, f"check of column {col.name}", s.line))
        else:
            self.warn(s.line, "unsupported", f"setting '{key}' of column {col.name} is not "
                      "DBML; ignored")

    # -- indexes and checks -------------------------------------------------------------
    def index(self, f: Field) -> Index:
        subjects, lists = settings_of(f.parts)
        parts: list[IndexPart] = []
        for subject in subjects:
            items = subject.items if isinstance(subject, Group) else [subject]
            for item in items:
                parts.append(_index_part(item, f.line))
        if not parts:
            raise DbmlSyntaxError("an index needs columns or `expressions`", f.line)
        ix = Index(parts, self.file, f.line)
        for settings in lists:
            for s in settings.items:
                self.index_setting(ix, s)
        return ix

    def index_setting(self, ix: Index, s: Setting) -> None:
        if s.key in ("unique", "pk"):
            setattr(ix, s.key, True)
        elif s.key == "name":
            ix.name = string_of(s.value, "the index name", s.line)
        elif s.key == "type":
            if not isinstance(s.value, Name):
                raise DbmlSyntaxError(f"type: expects an index type, found {label(s.value)}",
                                      s.line)
            ix.type = s.value.text.lower()
        elif s.key == "note":
            ix.note = note_of(s.value, "the index note", s.line)
        else:
            self.warn(s.line, "unsupported", f"index setting '{s.key}' is not DBML; ignored")

    def check(self, f: Field) -> Check:
        parts, lists = settings_of(f.parts)
        if len(parts) != 1:
            raise DbmlSyntaxError("a check is one `backtick expression` and optional "
                                  "[name: '...']", f.line)
        ck = Check(_expression(parts[0], "a check", f.line), self.file, f.line)
        for settings in lists:
            for s in settings.items:
                if s.key == "name":
                    ck.name = string_of(s.value, "the check name", s.line)
                else:
                    self.warn(s.line, "unsupported", f"check setting '{s.key}' is not DBML; "
                              "ignored")
        return ck


def records_message(table: str, el: Element) -> str:
    rows = len(el.body or ())
    return f"Records of {table} ({rows} row{'s' if rows != 1 else ''}): data, which a " \
        "design does not hold; not imported"


def note_value(el: Element) -> Expr | None:
    """The string of a ``Note: '...'`` or ``Note { '...' }`` element (None: something else)."""
    if el.value is not None:
        return el.value.parts[0] if len(el.value.parts) == 1 else None
    body = el.body or []
    if len(body) == 1 and isinstance(body[0], Field) and len(body[0].parts) == 1:
        return body[0].parts[0]
    return None


def _color(expr: Expr | None, line: int) -> str:
    if isinstance(expr, Literal) and expr.kind == "color":
        return expr.value
    raise DbmlSyntaxError(f"expected a colour such as #3498db, found {label(expr)}", line)


def _expression(expr: Expr | None, what: str, line: int) -> str:
    if isinstance(expr, Literal) and expr.kind == "func":
        return expr.value.strip()
    raise DbmlSyntaxError(f"expected a `backtick expression` for {what}, found {label(expr)}",
                          line)


def _index_part(item: Expr, line: int) -> IndexPart:
    if isinstance(item, Name):
        return IndexPart(column=item.text)
    if isinstance(item, Literal) and item.kind == "func":
        return IndexPart(expression=item.value.strip())
    raise DbmlSyntaxError(f"expected a column or a `backtick expression` in the index, "
                          f"found {label(item)}", line)


def _self_endpoint(col: Column) -> Endpoint:
    return Endpoint(None, None, [col.name])


# -- partials ---------------------------------------------------------------------------
def merge_partials(doc: Document) -> None:
    """Inject each table's ``~partials`` (see the module docstring for the rules)."""
    for partial in doc.partials.values():
        for inj in partial.injections:
            doc.warn(partial.file, inj.line, "unsupported", f"~{inj.name} in TablePartial "
                     f"{partial.name}: a partial cannot inject another; ignored")
    for t in doc.tables:
        if t.injections:
            _merge(doc, t)


def _merge(doc: Document, t: Table) -> None:
    own = {c.name for c in t.columns}
    ordered: list[Column] = []
    chosen: dict[str, Column] = {}  # the last partial's column of each name
    color, note = t.color, t.note
    done = 0
    for inj in t.injections:
        partial = doc.partials.get(inj.name)
        ordered += t.columns[done:inj.position]
        done = inj.position
        if partial is None:
            doc.warn(t.file, inj.line, "unresolved", f"~{inj.name} in table {t.name}: no "
                     f"TablePartial {inj.name}; nothing injected")
            continue
        for col in partial.columns:
            if col.name not in own:
                chosen[col.name] = col
                ordered.append(col)
        t.indexes += partial.indexes
        t.checks += partial.checks
        color = t.color or partial.color or color
        if t.note is None and partial.note is not None:
            note = partial.note
    ordered += t.columns[done:]
    keep = {id(c) for c in chosen.values()} | {id(c) for c in t.columns}
    seen: set[int] = set()
    kept: list[Column] = []
    for c in reversed(ordered):  # a partial injected twice: its later place
        if id(c) in keep and id(c) not in seen:
            seen.add(id(c))
            kept.append(c)
    t.columns = kept[::-1]
    t.color, t.note = color, note
