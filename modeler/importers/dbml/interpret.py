"""DBML elements → :class:`~modeler.importers.dbml.model.Document`: what each element of the
current DBML grammar means (``Project``, ``Table``, ``TablePartial``, ``Enum``, ``Ref``,
``TableGroup``, sticky ``Note``, ``Records``), with settings on any of them.

What cannot be read is a :class:`~modeler.importers.dbml.lexer.DbmlSyntaxError` at its line;
what the design does not hold (colours of references, sticky notes, records) or DBML does not
define (unknown settings and elements) is a warning at its line.
"""

from __future__ import annotations

from collections.abc import Sequence

from modeler.importers.dbml.lexer import DbmlSyntaxError
from modeler.importers.dbml.model import (
    Document,
    Enum,
    EnumValue,
    Group,
    GroupMember,
    Project,
    Ref,
)
from modeler.importers.dbml.nodes import Call, Element, Expr, Field, Literal, Name, Path, label
from modeler.importers.dbml.tables import (
    TableReader,
    merge_partials,
    note_value,
    records_message,
)
from modeler.importers.dbml.values import (
    action_of,
    name_of,
    note_of,
    qualified,
    relation,
    settings_of,
    string_of,
)

_SKIPPED = {"diagramview": "diagram views", "dep": "dependencies", "trigger": "triggers",
            "function": "functions", "policy": "policies", "metadata": "metadata"}


class DocumentReader:
    """Reads the elements of each file in turn into one :class:`Document`."""

    def __init__(self) -> None:
        self.doc = Document()
        self.file = ""

    def warn(self, line: int | None, kind: str, message: str) -> None:
        self.doc.warn(self.file, line, kind, message)

    def read(self, file: str, elements: Sequence[Element]) -> None:
        self.file = file
        tables = TableReader(self.doc, file)
        for el in elements:
            kind = el.kind
            if kind == "table":
                self.doc.tables.append(tables.table(el, partial=False))
            elif kind == "tablepartial":
                partial = tables.table(el, partial=True)
                if partial.name in self.doc.partials:
                    self.warn(el.line, "unsupported", f"TablePartial {partial.name} is defined "
                              "twice; the second is ignored")
                else:
                    self.doc.partials[partial.name] = partial
            elif kind == "enum":
                self.doc.enums.append(self.enum(el))
            elif kind == "ref":
                self.doc.refs.append(self.ref(el))
            elif kind == "tablegroup":
                self.doc.groups.append(self.group(el))
            elif kind == "project":
                self.doc.projects.append(self.project(el))
            elif kind == "note":
                self.sticky_note(el)
            elif kind == "records":
                self.records(el)
            else:
                what = _SKIPPED.get(kind)
                self.warn(el.line, "unsupported", f"DBML element {el.keyword!r} is not "
                          f"{'modelled' if what else 'known'}; skipped")

    def finish(self) -> Document:
        merge_partials(self.doc)
        return self.doc

    # -- elements ------------------------------------------------------------------------
    def enum(self, el: Element) -> Enum:
        schema, name = qualified(el.name, "an enum name", el.line)
        enum = Enum(schema or "public", name, self.file, el.line)
        self.no_settings(el, f"enum {name}")
        for f in self.body(el, f"enum {name}"):
            values, lists = settings_of(f.parts)
            for value in values:
                if isinstance(value, Literal) and value.kind == "str":
                    label_text = value.value
                else:
                    label_text = name_of(value, "an enum value", f.line)
                if any(v.label == label_text for v in enum.values):
                    self.warn(f.line, "unsupported", f"enum {name}: value {label_text} is "
                              "repeated; the second is ignored")
                    continue
                enum.values.append(EnumValue(label_text, f.line))
            for settings in lists:
                for s in settings.items:
                    if s.key == "note" and enum.values:
                        enum.values[-1].note = note_of(s.value, "an enum value note", s.line)
                    else:
                        self.warn(s.line, "unsupported", f"setting '{s.key}' of an enum value "
                                  "is not DBML; ignored")
        if not enum.values:
            self.warn(el.line, "unsupported", f"enum {name} has no values")
        return enum

    def ref(self, el: Element) -> Ref:
        name = name_of(el.name, "a reference name", el.line) if el.name is not None else None
        if el.alias is not None:
            raise DbmlSyntaxError("a reference has no alias", el.line)
        fields = [el.value] if el.value is not None else self.body(el, "Ref")
        if len(fields) != 1:
            raise DbmlSyntaxError(f"a Ref block holds one reference, found {len(fields)}",
                                  el.line)
        f = fields[0]
        parts, lists = settings_of(f.parts)
        if len(parts) != 1:
            raise DbmlSyntaxError("expected a reference such as a.id > b.id and optional "
                                  "[settings]", f.line)
        op, left, right = relation(parts[0], f.line)
        ref = Ref(op, left, right, self.file, f.line, name=name)
        for settings in ([el.settings] if el.settings else []) + lists:
            for s in settings.items:
                if s.key in ("delete", "update"):
                    setattr(ref, f"on_{s.key}", action_of(s.value, s.key, s.line))
                elif s.key == "color":
                    pass  # a diagram colour: the design draws references by their actions
                else:
                    self.warn(s.line, "unsupported", f"reference setting '{s.key}' is not "
                              "DBML; ignored")
        for side in (left, right):
            if side.table is None:
                raise DbmlSyntaxError(f"expected table.column on both sides, found "
                                      f"{side.columns[0]}", f.line)
        return ref

    def group(self, el: Element) -> Group:
        name = _group_name(el.name, el.line)
        group = Group(name, self.file, el.line)
        for s in el.settings.items if el.settings else ():
            if s.key == "note":
                group.note = note_of(s.value, f"the note of table group {name}", s.line)
            elif s.key == "color":
                group.color = label(s.value)
            else:
                self.warn(s.line, "unsupported", f"setting '{s.key}' of table group {name} is "
                          "not DBML; ignored")
        for item in el.body or ():
            if isinstance(item, Element):
                if item.kind == "note":
                    group.note = note_of(note_value(item), "a table group note", item.line)
                else:
                    self.warn(item.line, "unsupported", f"'{item.keyword}' in table group "
                              f"{name} is not DBML; skipped")
                continue
            for part in item.parts:
                schema, table = qualified(part, "a table name", item.line)
                group.tables.append(GroupMember(schema, table, item.line))
        if el.body is None:
            raise DbmlSyntaxError(f"table group {name} needs a body in braces", el.line)
        return group

    def project(self, el: Element) -> Project:
        name = label(el.name) if el.name is not None else ""
        if isinstance(el.name, Name):
            name = el.name.text
        project = Project(name, self.file, el.line)
        for s in el.settings.items if el.settings else ():
            if s.key == "note":
                project.note = note_of(s.value, "the project note", s.line)
        for item in el.body or ():
            if isinstance(item, Field):
                self.warn(item.line, "unsupported", f"unexpected {label(item.parts[0])} in "
                          "Project; skipped")
            elif item.kind == "note":
                project.note = note_of(note_value(item), "the project note", item.line)
            elif item.kind == "database_type" and item.value is not None:
                project.database_type = string_of(item.value.parts[0], "database_type",
                                                  item.line)
            # other entries are free-form project settings: nothing the design holds
        return project

    def sticky_note(self, el: Element) -> None:
        value = el.value.parts[0] if el.value is not None and len(el.value.parts) == 1 \
            else None
        if value is None and el.body is not None:
            fields = self.body(el, "Note")
            value = fields[0].parts[0] if len(fields) == 1 and len(fields[0].parts) == 1 \
                else None
        string_of(value, "the note", el.line)  # a note is one string
        name = label(el.name) if el.name is not None else "without a name"
        self.warn(el.line, "approximation", f"sticky note {name} is not modelled (a design "
                  "holds notes on its tables, columns and groups)")

    def records(self, el: Element) -> None:
        self.body(el, "Records")
        table = label(el.name.callee if isinstance(el.name, Call) else el.name)
        self.warn(el.line, "ignored", records_message(table, el))

    # -- helpers -------------------------------------------------------------------------
    def body(self, el: Element, what: str) -> list[Field]:
        if el.body is None:
            raise DbmlSyntaxError(f"{what} needs a body in braces", el.line)
        out: list[Field] = []
        for item in el.body:
            if isinstance(item, Element):
                raise DbmlSyntaxError(f"unexpected '{item.keyword}' in {what}", item.line)
            out.append(item)
        return out

    def no_settings(self, el: Element, what: str) -> None:
        for s in el.settings.items if el.settings else ():
            self.warn(s.line, "unsupported", f"setting '{s.key}' of {what} is not DBML; "
                      "ignored")


def _group_name(expr: Expr | None, line: int) -> str:
    if isinstance(expr, Path) and all(isinstance(p, Name) for p in expr.parts):
        return ".".join(p.text for p in expr.parts if isinstance(p, Name))
    return name_of(expr, "a table group name", line)


def interpret(files: Sequence[tuple[str, Sequence[Element]]]) -> Document:
    """The document of all files together (references and partials may cross files)."""
    reader = DocumentReader()
    for file, elements in files:
        reader.read(file, elements)
    return reader.finish()
