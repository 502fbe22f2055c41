"""Forms of the editor screen. They validate input only; views call services to write."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms

from modeler.schema import identity, sqlexpr
from modeler.schema import model as m
from modeler.schema.types import CATALOG
from modeler.web import fieldmap as fm
from modeler.web.forms import TextForm

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]{0,62}$")


def _ident(value: str, what: str = "name") -> str:
    value = value.strip()
    if not IDENT.match(value):
        raise forms.ValidationError(
            f"A {what} is 1–63 characters (PostgreSQL keeps 63 bytes of a name): ASCII "
            "letters, digits, _ or $, not starting with a digit.")
    return value


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of its choice field ``name`` (its choices set per request)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


_ACTIONS = _choices(m.FK_ACTIONS[:-1])  # UNSPECIFIED is for imports awaiting confirmation


def _match_field() -> forms.ChoiceField:
    """MATCH SIMPLE or FULL; SIMPLE, PostgreSQL's default, when the field is left out (as an
    unticked checkbox leaves ``deferrable`` off)."""
    return forms.ChoiceField(
        choices=[(v, f"MATCH {v}") for v in m.FK_MATCHES], required=False, initial="SIMPLE",
        label="Match", help_text="FULL: the FK columns are all NULL or none (a composite FK "
                                 "with some NULL columns is not checked under SIMPLE).")


def _match(value: str | None) -> str:
    return value or "SIMPLE"


def sql_expression(text: str | None, kind: sqlexpr.Kind, table: m.Table | None = None) -> str:
    """The canonical form of an SQL expression typed into a form ('' when blank), or the
    parser's reason as the field's error (see :mod:`modeler.schema.sqlexpr`); with
    ``table``, its column references must be the table's."""
    text = (text or "").strip()
    if not text:
        return ""
    found = sqlexpr.problem(text, kind, table=None if table is None else table.name,
                            columns=None if table is None else [c.name for c in table.columns])
    if found is not None:
        raise forms.ValidationError(found)
    return sqlexpr.canonical(text)


class VersionedForm(TextForm):
    """A form that edits an element with a version. The field is optional here because the
    same forms also add elements (no version yet); every update passes it to
    :func:`modeler.web.editing.check_version`, which refuses an update without one (409,
    "reload: the form had no version")."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)


class MappedForm(VersionedForm):
    """A form over one element kind of :mod:`modeler.web.fieldmap`: with ``element`` it
    starts from that element's values (``initial`` adds to them, e.g. the row ``version``);
    :meth:`changes` gives the cleaned data back as the element's attributes."""

    field_map: ClassVar[fm.KindMap]

    def __init__(self, *args: Any, element: Any = None, **kwargs: Any) -> None:
        if element is not None:
            kwargs["initial"] = {**self.initial_for(element), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, element: Any, version: int | None = None) -> dict[str, Any]:
        """The form's initial values for ``element``."""
        return {**cls.field_map.initial(element), "version": version}

    def changes(self) -> dict[str, Any]:
        """The element's attributes the cleaned data sets."""
        return self.field_map.from_form(self.cleaned_data)


class TableForm(MappedForm):
    field_map = fm.TABLE
    name = forms.CharField(max_length=63)
    namespace = forms.CharField(max_length=63, initial="public")
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=True,
                              help_text="What one row means (at least 10 characters).")
    kind = forms.ChoiceField(choices=_choices(m.TABLE_KINDS), initial="entity")
    delete_strategy = forms.ChoiceField(choices=_choices(m.DELETE_STRATEGIES), initial="hard")
    subject_area = forms.CharField(max_length=100, required=False)
    color = forms.RegexField(regex=r"^(#[0-9a-fA-F]{6})?$", required=False, max_length=7,
                             error_messages={"invalid": "Use a colour like #3b6ea5."})
    expected_rows = forms.IntegerField(required=False, min_value=0, max_value=2**63 - 1,
                                       label="Expected rows",
                                       help_text="About how many rows the table will hold.")

    def clean_name(self) -> str:
        return _ident(self.cleaned_data["name"], "table name")

    def clean_namespace(self) -> str:
        return _ident(self.cleaned_data["namespace"] or "public", "schema name")


class NewTableForm(TableForm):
    """The add-table form: the table's columns may come with it, one line each
    (:mod:`modeler.web.columnline`), added in the same edit."""

    columns = forms.CharField(required=False, max_length=20000, label="Columns (optional)",
                              widget=forms.Textarea(attrs={
                                  "rows": 3, "spellcheck": "false",
                                  "placeholder": "title text not null -- as printed\n"
                                                 "price numeric(10,2) not null default 0"}),
                              help_text="One per line, as SQL: name type [not null] "
                                        "[default …] [check (…)] [unique] [references table] "
                                        "[-- comment].")


def type_choices(schema: m.Schema) -> list[tuple[str, Any]]:
    builtin = [(k, k) for k in sorted(CATALOG)]
    out: list[tuple[str, Any]] = [("Built-in", builtin)]
    if schema.enums:
        out.append(("Enums", [(f"enum:{e.uid}", e.qualified_name) for e in schema.enums]))
    if schema.domains:
        out.append(("Domains", [(f"domain:{d.uid}", d.qualified_name) for d in schema.domains]))
    return out


def set_type_choices(form: forms.BaseForm, choices: list[tuple[str, Any]]) -> None:
    """Give ``form``'s type picker these choices (as :func:`type_choices` makes them)."""
    _choice_field(form, "type").choices = choices


BACKFILL_HELP = ("SQL value the rows that already exist get when the column is added NOT NULL, "
                 "becomes NOT NULL or gets a mandatory FK, e.g. 0, 'unknown' or "
                 "lower(email) (it may read the row's other columns).")


class ColumnForm(MappedForm):
    field_map = fm.COLUMN
    name = forms.CharField(max_length=63)
    type = forms.ChoiceField()
    custom_type = forms.CharField(required=False, max_length=200,
                                  help_text="Extension type (citext, geometry(Point,4326)); "
                                            "overrides the picker.")
    length = forms.IntegerField(required=False, min_value=1, max_value=10485760)
    precision = forms.IntegerField(required=False, min_value=0, max_value=1000)
    scale = forms.IntegerField(required=False, min_value=-1000, max_value=1000)
    array = forms.BooleanField(required=False)
    nullable = forms.BooleanField(required=False)
    default = forms.CharField(required=False, max_length=500,
                              help_text="SQL expression, e.g. now() or 'draft'")
    primary_key = forms.BooleanField(required=False)
    unique = forms.BooleanField(required=False)
    identity = forms.ChoiceField(required=False, choices=[("", "—"), ("always", "always"),
                                                          ("by default", "by default")])
    identity_start = forms.IntegerField(
        required=False, min_value=-2**63, max_value=2**63 - 1, label="Identity starts with",
        help_text="The first id (START WITH); blank: 1 (counting up).")
    identity_increment = forms.IntegerField(
        required=False, min_value=-2**63, max_value=2**63 - 1, label="Identity increment",
        help_text="INCREMENT BY; blank: 1.")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    null_meaning = forms.CharField(required=False, max_length=300,
                                   help_text="What NULL means (required for nullable columns).")
    searchable = forms.ChoiceField(choices=_choices(m.SEARCHABLE), initial="none")
    frequently_queried = forms.BooleanField(required=False)
    backfill = forms.CharField(required=False, max_length=1000,
                               label="Backfill for existing rows", help_text=BACKFILL_HELP)
    compression = forms.ChoiceField(required=False, choices=[("", "server default"),
                                                             *_choices(m.COMPRESSIONS)],
                                    help_text="How PostgreSQL 14+ compresses long values.")

    def __init__(self, *args: Any, schema: m.Schema, unique: bool = False,
                 **kwargs: Any) -> None:
        """``unique`` (with ``element``): a one-column UNIQUE holds the column."""
        if kwargs.get("element") is not None:
            kwargs["initial"] = {"unique": unique, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.schema = schema
        _choice_field(self, "type").choices = type_choices(schema)

    @classmethod
    def initial_for(cls, element: Any, version: int | None = None, *,
                    unique: bool = False) -> dict[str, Any]:
        """The map's fields, the type picker's, the key and unique toggles."""
        t = element.type
        return {**super().initial_for(element, version),
                "type": f"{t.kind}:{t.ref}" if t.kind in ("enum", "domain") else
                (t.name if t.kind == "builtin" else "text"),
                "custom_type": t.name if t.kind == "custom" else "", "length": t.length,
                "precision": t.precision, "scale": t.scale, "array": t.array_dims > 0,
                "primary_key": element.in_pk, "unique": unique,
                "identity_start": element.identity_options and element.identity_options.start,
                "identity_increment": (element.identity_options
                                       and element.identity_options.increment)}

    def changes(self) -> dict[str, Any]:
        """The column attributes the cleaned data sets, the type included (the key's
        order and the unique toggle are the caller's: they depend on the table)."""
        return {**super().changes(), "type": self.column_type()}

    def identity_options(self, old: m.IdentityOptions | None) -> m.IdentityOptions | None:
        """``old`` (the column's options) with the form's START WITH and INCREMENT BY, the
        other options kept; None without identity."""
        d = self.cleaned_data
        if not d.get("identity"):
            return None
        o = old or m.IdentityOptions()
        return identity.kept(self.column_type(), start=d.get("identity_start"),
                             increment=d.get("identity_increment"), min_value=o.min_value,
                             max_value=o.max_value, cache=o.cache, cycle=o.cycle)

    def clean_name(self) -> str:
        return _ident(self.cleaned_data["name"], "column name")

    def clean_default(self) -> str:
        return sql_expression(self.cleaned_data.get("default"), "default")

    def clean_backfill(self) -> str:
        return sql_expression(self.cleaned_data.get("backfill"), "backfill")

    def clean_custom_type(self) -> str:
        text = (self.cleaned_data.get("custom_type") or "").strip()
        if not text:
            return ""
        try:
            return sqlexpr.type_name(text)
        except sqlexpr.ExpressionError as exc:
            raise forms.ValidationError(str(exc)) from None

    def column_type(self) -> m.ColumnType:
        d = self.cleaned_data
        dims = 1 if d.get("array") else 0
        if d.get("custom_type"):
            return m.ColumnType(kind="custom", name=d["custom_type"].strip(), array_dims=dims)
        kind, _, ref = d["type"].partition(":")
        if kind in ("enum", "domain"):
            return m.ColumnType(kind=kind, ref=ref, array_dims=dims)
        info = CATALOG[d["type"]]
        return m.ColumnType(name=d["type"],
                            length=d.get("length") if info.takes_length else None,
                            precision=d.get("precision") if info.takes_precision else None,
                            scale=d.get("scale") if info.takes_scale else None,
                            array_dims=dims)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        t = data.get("type", "")
        if ":" not in t and t in CATALOG and not data.get("custom_type"):
            info = CATALOG[t]
            if data.get("length") is not None and not info.takes_length:
                self.add_error("length", f"{t} takes no length.")
            if data.get("precision") is not None and not info.takes_precision:
                self.add_error("precision", f"{t} takes no precision.")
            if data.get("scale") is not None and not info.takes_scale:
                self.add_error("scale", f"{t} takes no scale.")
            if data.get("scale") is not None and data.get("precision") is None:
                self.add_error("scale", "A scale needs a precision.")
        if data.get("identity") and data.get("nullable"):
            self.add_error("nullable", "An identity column cannot be nullable.")
        if data.get("identity") and data.get("default"):
            self.add_error("default", "An identity column has no default.")
        if data.get("primary_key") and data.get("nullable"):
            self.add_error("nullable", "A primary-key column cannot be nullable.")
        return data


class RelationshipForm(VersionedForm):
    child = forms.ChoiceField(label="Child table (holds the FK)")
    parent = forms.ChoiceField(label="Parent table (referenced)")
    column_names = forms.CharField(required=False, max_length=300,
                                   help_text="FK column names, comma-separated; default "
                                             "<parent>_id.")
    name = forms.CharField(required=False, max_length=63, help_text="Constraint name; default "
                                                                    "fk_<child>_<cols>_<parent>.")
    cardinality = forms.ChoiceField(choices=_choices(m.CARDINALITIES), initial="one-to-many")
    optional = forms.BooleanField(required=False, help_text="The child may exist without a "
                                                            "parent (nullable FK).")
    identifying = forms.BooleanField(required=False, help_text="The FK is part of the child's "
                                                               "primary key.")
    on_delete = forms.ChoiceField(choices=[("", "suggest for me"), *_ACTIONS], required=False)
    on_update = forms.ChoiceField(choices=[("", "suggest for me"), *_ACTIONS], required=False)
    deferrable = forms.BooleanField(required=False)
    initially_deferred = forms.BooleanField(required=False)
    match = _match_field()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    backfill = forms.CharField(required=False, max_length=1000,
                               label="Backfill for existing rows",
                               help_text="For a mandatory FK on a table that holds rows: the "
                                         "parent key its existing rows get, e.g. 1.")

    def __init__(self, *args: Any, schema: m.Schema, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tables = [(t.uid, t.qualified_name) for t in schema.tables]
        _choice_field(self, "child").choices = tables
        _choice_field(self, "parent").choices = tables

    def clean_column_names(self) -> list[str]:
        raw = self.cleaned_data.get("column_names") or ""
        return [_ident(n, "column name") for n in raw.split(",") if n.strip()]

    def clean_name(self) -> str:
        value = self.cleaned_data.get("name") or ""
        return _ident(value, "constraint name") if value.strip() else ""

    def clean_backfill(self) -> str:
        return sql_expression(self.cleaned_data.get("backfill"), "backfill")

    def clean_match(self) -> str:
        return _match(self.cleaned_data.get("match"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("initially_deferred") and not data.get("deferrable"):
            self.add_error("initially_deferred", "Only a deferrable FK can be initially "
                                                 "deferred.")
        return data


class RelationshipEditForm(MappedForm):
    field_map = fm.RELATIONSHIP
    name = forms.CharField(max_length=63)
    cardinality = forms.ChoiceField(choices=_choices(m.CARDINALITIES))
    on_delete = forms.ChoiceField(choices=_choices(m.FK_ACTIONS))
    on_update = forms.ChoiceField(choices=_choices(m.FK_ACTIONS))
    deferrable = forms.BooleanField(required=False)
    initially_deferred = forms.BooleanField(required=False)
    match = _match_field()
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_name(self) -> str:
        return _ident(self.cleaned_data["name"], "constraint name")

    def clean_match(self) -> str:
        return _match(self.cleaned_data.get("match"))


def _column_list(schema_table: m.Table, raw: str, field: str) -> list[str]:
    """Column uids for comma-separated names (``-name`` = descending where allowed)."""
    out = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        col = schema_table.column_named(part.lstrip("-"))
        if col is None:
            raise forms.ValidationError(f"{schema_table.name} has no column {part.lstrip('-')}.")
        out.append(("-" if part.startswith("-") else "") + col.uid)
    return out


class ColumnPicker(forms.Widget):
    """Columns of the form's table picked with checkboxes (radio buttons when ``single``),
    in the order picked; with ``descending`` each column has a "desc" box. The field still
    receives the comma-separated text the form always took (``-col`` for descending), so
    a typed list (no JavaScript, the API, the tests) keeps working, and an unknown name
    still gets the field's "has no column" error."""

    def __init__(self, *, descending: bool = False, single: bool = False) -> None:
        super().__init__()
        self.descending = descending
        self.single = single
        self.columns: list[str] = []

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        getlist = getattr(data, "getlist", None)
        values = getlist(name) if getlist else [data.get(name)]
        desc = set(getlist(f"{name}__desc")) if getlist else set()
        parts: list[str] = []
        for value in values:
            for part in str(value or "").split(","):
                part = part.strip()
                if part:
                    parts.append(f"-{part}" if part in desc else part)
        return ", ".join(parts)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> Any:
        from django.utils.html import format_html, format_html_join

        chosen = [p.strip() for p in str(value or "").split(",") if p.strip()]
        picked = {p.lstrip("-"): p.startswith("-") for p in chosen}
        order = list(picked) + [c for c in self.columns if c not in picked]
        base_id = (attrs or {}).get("id") or f"id_{name}"
        kind = "radio" if self.single else "checkbox"
        rows = []
        if self.single:
            rows.append(("", "(none)", "" if picked else " checked", f"{base_id}_none", ""))
        for n, col in enumerate(order):
            desc = ""
            if self.descending:
                desc = format_html(
                    '<label class="pick-desc"><input type="checkbox" name="{}__desc" '
                    'value="{}"{}> desc</label>', name, col, " checked" if picked.get(col)
                    else "")
            rows.append((col, col, " checked" if col in picked else "",
                         base_id if n == 0 else f"{base_id}_{n}", desc))
        body = format_html_join(
            "", '<div class="pick-row"><label class="pick"><input type="{}" name="{}" '
            'value="{}" id="{}"{}> <code>{}</code></label>{}</div>',
            ((kind, name, v, i, c, label, d) for v, label, c, i, d in rows))
        return format_html('<div class="column-picker" role="group" data-picker="{}">{}</div>',
                           kind, body)


class TableChildForm(TextForm):
    """Base for forms that name columns of one table."""

    def __init__(self, *args: Any, table: m.Table, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        for field in self.fields.values():
            if isinstance(field.widget, ColumnPicker):
                field.widget.columns = [c.name for c in table.columns]


class IndexForm(TableChildForm):
    columns = forms.CharField(required=False, max_length=500,
                              widget=ColumnPicker(descending=True),
                              help_text="In the order picked; desc for descending.")
    expression = forms.CharField(required=False, max_length=500,
                                 help_text="Or an expression, e.g. lower(email)")
    name = forms.CharField(required=False, max_length=63)
    unique = forms.BooleanField(required=False)
    method = forms.ChoiceField(choices=_choices(m.INDEX_METHODS), initial="btree")
    where = forms.CharField(required=False, max_length=500, label="Partial predicate (WHERE)")
    include = forms.CharField(required=False, max_length=500, label="INCLUDE columns",
                              widget=ColumnPicker())

    def clean_expression(self) -> str:
        return sql_expression(self.cleaned_data.get("expression"), "index", self.table)

    def clean_where(self) -> str:
        return sql_expression(self.cleaned_data.get("where"), "predicate", self.table)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["column_uids"] = _column_list(self.table, data.get("columns", ""), "columns")
            data["include_uids"] = _column_list(self.table, data.get("include", ""), "include")
        except forms.ValidationError as exc:
            self.add_error("columns", exc)
            return data
        # an expression refused has its own reason (it was named): not this one
        if not data["column_uids"] and not (data.get("expression") or "").strip() \
                and "expression" not in self.errors:
            self.add_error("columns", "Name at least one column or an expression.")
        if data.get("name"):
            data["name"] = _ident(data["name"], "index name")
        return data


class UniqueForm(TableChildForm):
    columns = forms.CharField(max_length=500, widget=ColumnPicker(),
                              help_text="The columns whose values are unique together.")
    name = forms.CharField(required=False, max_length=63)
    nulls_not_distinct = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            uids = _column_list(self.table, data.get("columns", ""), "columns")
        except forms.ValidationError as exc:
            self.add_error("columns", exc)
            return data
        if any(u.startswith("-") for u in uids):
            self.add_error("columns", "A UNIQUE constraint has no sort order.")
        data["column_uids"] = uids
        if data.get("name"):
            data["name"] = _ident(data["name"], "constraint name")
        return data


class ColumnLineForm(TextForm):
    """One-line column entry (:mod:`modeler.web.columnline`), beside the full column form."""

    line = forms.CharField(max_length=2000, label="Quick entry (SQL)",
                           widget=forms.TextInput(attrs={
                               "placeholder": "price numeric(10,2) not null default 0",
                               "autocomplete": "off", "spellcheck": "false"}),
                           help_text="name type [not null] [default …] [check (…)] "
                                     "[unique] [references table]; Enter adds it.")


class NullMeaningForm(TextForm):
    """CN-01's inline Fix: what NULL means in a column (``key`` is the finding's target)."""

    key = forms.CharField(max_length=100)
    null_meaning = forms.CharField(max_length=300)


class CheckForm(TableChildForm):
    name = forms.CharField(max_length=40, help_text="Short name; stored as ck_<table>_<name>.")
    expression = forms.CharField(max_length=1000, help_text="e.g. amount >= 0")

    def clean_name(self) -> str:
        return _ident(self.cleaned_data["name"], "check name")

    def clean_expression(self) -> str:
        return sql_expression(self.cleaned_data.get("expression"), "check", self.table)


class QueryPatternForm(TableChildForm):
    name = forms.CharField(max_length=63)
    equality = forms.CharField(required=False, max_length=500, widget=ColumnPicker(),
                               help_text="Columns compared with =.")
    range_column = forms.CharField(required=False, max_length=63,
                                   widget=ColumnPicker(single=True),
                                   help_text="One column compared with <, >, BETWEEN.")
    order_by = forms.CharField(required=False, max_length=500,
                               widget=ColumnPicker(descending=True),
                               help_text="In the order picked; desc for DESC.")
    hot = forms.BooleanField(required=False, help_text="Runs on a hot path.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["equality_uids"] = list(_column_list(self.table, data.get("equality", ""),
                                                             "equality"))
            rng = _column_list(self.table, data.get("range_column", ""), "range")
            data["range_uid"] = rng[0] if rng else None
            data["order_uids"] = _column_list(self.table, data.get("order_by", ""), "order_by")
        except forms.ValidationError as exc:
            self.add_error(None, exc)
            return data
        if not (data["equality_uids"] or data["range_uid"] or data["order_uids"]):
            self.add_error(None, "A query pattern names at least one column.")
        if data.get("name"):
            data["name"] = _ident(data["name"], "pattern name")
        return data


class EnumForm(VersionedForm):
    name = forms.CharField(max_length=63)
    namespace = forms.CharField(max_length=63, initial="public")
    values = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="One value per line, in order. A value typed over "
                                       "another in its place renames it: rows holding it "
                                       "keep it.")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_name(self) -> str:
        return _ident(self.cleaned_data["name"], "enum name")

    def clean_values(self) -> list[str]:
        labels = [v.strip() for v in self.cleaned_data["values"].splitlines() if v.strip()]
        if not labels:
            raise forms.ValidationError("An enum needs at least one value.")
        if len(set(labels)) != len(labels):
            raise forms.ValidationError("Each value may appear once.")
        if any(len(v.encode()) > 63 for v in labels):
            raise forms.ValidationError("An enum value is at most 63 bytes.")
        return labels
