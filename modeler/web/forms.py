"""Forms validate input; services do the writes.

Every form of the app derives from :class:`TextForm` (or calls :func:`guard_text`): its text
fields refuse control characters with a clear message. PostgreSQL refuses NUL in text (a
DataError, so a 500, after the form said yes), mail headers refuse line breaks, and XML
(the diagram's SVG) refuses most C0 characters. Multi-line fields (a ``Textarea``) keep
tab, line feed and carriage return; single-line fields keep tab only. Views that read
``request.POST`` directly check with :func:`text_problem`.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from modeler.web.models import PG_VERSIONS, Project

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile("[\r\n]")


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why ``value`` cannot be stored as text (None when it can)."""
    found = _CONTROL.search(value)
    if found is not None:
        name = "a NUL byte" if found.group() == "\x00" else "a control character"
        return (f"This text contains {name} (U+{ord(found.group()):04X}), which cannot be "
                "stored: remove it.")
    if not multiline and _LINE_BREAK.search(value):
        return "Write this on one line: line breaks are not allowed here."
    return None


class PlainText:
    """Validator of a text field: no control characters (see :func:`text_problem`)."""

    def __init__(self, *, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        problem = text_problem(str(value), multiline=self.multiline)
        if problem is not None:
            raise forms.ValidationError(problem, code="control_character")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainText) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(("PlainText", self.multiline))


def guard_text(form: forms.BaseForm) -> None:
    """Give every text field of ``form`` (this instance's copies) the :class:`PlainText`
    validator; it replaces Django's NUL check, which says less."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators = [v for v in field.validators
                                if not isinstance(v, ProhibitNullCharactersValidator | PlainText)]
            field.validators.append(PlainText(multiline=multiline))


class TextForm(forms.Form):
    """The base of the app's forms: text fields refuse control characters."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_text(self)


# Any slug in use, whether or not the asker may see that project, is refused with the same
# words: a non-member must not learn from the form that a private project has that slug.
SLUG_UNAVAILABLE = "This slug is not available; choose another."




class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]  # not generic at run time
    # a list of the versions, not a free number the database's CHECK refused by its name
    # ("Constraint ck_project_pg_version is violated")
    pg_version = forms.TypedChoiceField(
        label="PostgreSQL major version", coerce=int, initial=16,
        choices=[(v, f"PostgreSQL {v}") for v in PG_VERSIONS],
        error_messages={"invalid_choice": f"Choose PostgreSQL {PG_VERSIONS[0]} to "
                                          f"{PG_VERSIONS[-1]}: the versions the export "
                                          "targets (%(value)s is not one)."})

    class Meta:
        model = Project
        fields = ["name", "slug", "description", "provider", "pk_policy", "pg_version"]
        labels = {"pk_policy": "Primary-key policy", "pg_version": "PostgreSQL major version"}
        help_texts = {
            "slug": "Lowercase letters, digits and hyphens; used in URLs and the export.",
            "provider": "neon: the export uses the pooled URL for the app and the direct URL "
                        "for migrations.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   # static/js/forms.js fills the slug from the name
                   "name": forms.TextInput(attrs={"data-slug-source": "id_slug"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        guard_text(self)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"].strip()
        if Project.objects.filter(slug=slug).exists():
            raise forms.ValidationError(SLUG_UNAVAILABLE)
        return slug

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("A project needs a name.")
        return name
