"""Issue #17: the table panel an htmx request gets leaves out the forms of its closed
sections (edit the table, add an index, a unique, a check, a query pattern) and fetches
each when it is opened (``?part=``); a whole page (no JavaScript) and a refused form still
carry them in place. The add-column form's blank fields are rendered once per set of type
choices; the editor's URLs are cut from one reverse() per view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from modeler.web.models import Membership
from modeler.web.templatetags.modeler_tags import editor_url
from tests.web.test_editor import (  # noqa: F401  # fixtures
    HX,
    add_table,
    col_data,
    editor,
    project,
    schema_of,
    table_uid,
)

pytestmark = pytest.mark.django_db

# part -> a field name only that section's form has, and its submit button
PARTS = {"table": ("tbl-name", "Save table"), "index": ("ix-columns", "Add index"),
         "unique": ("uq-columns", "Add unique"), "check": ("ck-expression", "Add check"),
         "pattern": ("qp-equality", "Add pattern")}


@pytest.fixture
def customer(editor: Client, project: Any) -> str:  # noqa: F811
    assert add_table(editor, "customer").status_code == 200
    uid = table_uid(project, "customer")
    r = editor.post(reverse("column_add", args=["shop", uid]),
                    col_data("email", nullable="", comment="Where we write to"), **HX)
    assert r.status_code == 200, r.content[:500]
    return uid


def test_htmx_panel_fetches_closed_sections_when_opened(editor: Client,  # noqa: F811
                                                        customer: str) -> None:
    panel_url = reverse("table_panel", args=["shop", customer])
    panel = editor.get(panel_url, **HX).content.decode()
    for part, (field, button) in PARTS.items():
        assert f'name="{field}"' not in panel and button not in panel
        assert f'hx-get="{panel_url}?part={part}"' in panel
        r = editor.get(panel_url, {"part": part}, **HX)
        assert r.status_code == 200
        html = r.content.decode()
        assert f'name="{field}"' in html and button in html
        assert 'name="csrfmiddlewaretoken"' in html and 'hx-target="#panel"' in html
        assert "<details" not in html  # the form alone, into the opened section
    # a fetched picker lists the table's columns, the one added last included
    index = editor.get(panel_url, {"part": "index"}, **HX).content.decode()
    assert re.findall(r'name="ix-columns" value="(\w+)"', index) == [
        c.name for c in schema_of_columns(editor, customer)]
    # the add-column form is there at once (the "c" key opens it and types into it)
    assert 'name="col-name"' in panel and 'id="add-column"' in panel


def schema_of_columns(client: Client, uid: str) -> list[Any]:
    from modeler.web.models import Project

    return list(schema_of(Project.objects.get(slug="shop")).table(uid).columns)


def test_whole_page_carries_every_form(editor: Client, customer: str) -> None:  # noqa: F811
    """Without JavaScript nothing fetches a section: the page has the forms in place."""
    page = editor.get(reverse("table_panel", args=["shop", customer])).content.decode()
    for field, button in PARTS.values():
        assert f'name="{field}"' in page and button in page
    assert "lazy-part" not in page


def test_a_refused_form_is_in_place_and_open(editor: Client, customer: str) -> None:  # noqa: F811
    r = editor.post(reverse("index_add", args=["shop", customer]),
                    {"ix-columns": "nope", "ix-method": "btree"}, **HX)
    assert r.status_code == 422
    html = r.content.decode()
    assert re.search(r'<details class="panel-section" id="add-index" open>', html)
    assert "has no column nope" in html and 'name="ix-columns"' in html
    assert 'name="uq-columns"' not in html  # the other closed sections stay lazy


def test_edit_answer_leaves_closed_forms_out(editor: Client, customer: str) -> None:  # noqa: F811
    r = editor.post(reverse("column_add", args=["shop", customer]),
                    col_data("phone", nullable="", comment="Where we call"), **HX)
    assert r.status_code == 200
    html = r.content.decode()
    assert ">phone<" in html
    assert re.search(r'id="add-column" open data-focus="first"', html)
    for field, _ in PARTS.values():
        assert f'name="{field}"' not in html


def test_parts_refused(editor: Client, customer: str, project: Any,  # noqa: F811
                       client: Client, other_user: Any) -> None:
    panel_url = reverse("table_panel", args=["shop", customer])
    assert editor.get(panel_url, {"part": "nope"}, **HX).status_code == 404
    # the overview has no table: no part of a table panel
    assert editor.get(reverse("editor", args=["shop"]), {"part": "index"},
                      **HX).status_code == 404
    Membership.objects.create(project=project, user=other_user, role="viewer")
    viewer = Client()
    viewer.force_login(other_user)
    assert viewer.get(panel_url, **HX).status_code == 200
    assert viewer.get(panel_url, {"part": "index"}, **HX).status_code == 404


def test_rows_move_through_one_form(editor: Client, customer: str, project: Any) -> None:  # noqa: F811
    """Each row's arrows submit the panel's one column-move form (its CSRF token) to the
    row's column (formaction); the view is the same."""
    html = editor.get(reverse("table_panel", args=["shop", customer]), **HX).content.decode()
    assert html.count('id="column-move"') == 1
    form = re.search(r'<form id="column-move"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None and 'name="csrfmiddlewaretoken"' in form.group(1)
    cols = schema_of_columns(editor, customer)
    email = next(c for c in cols if c.name == "email")
    move = reverse("column_move", args=["shop", email.uid])
    assert html.count(f'form="column-move" formaction="{move}"') == 2
    before = [c.name for c in cols].index("email")
    r = editor.post(move, {"direction": "up"}, **HX)
    assert r.status_code == 200
    assert [c.name for c in schema_of_columns(editor, customer)].index("email") == before - 1


def test_type_picker_follows_the_enums(editor: Client, customer: str) -> None:  # noqa: F811
    """The blank add-column fields are cached per set of type choices: a new enum shows."""
    panel_url = reverse("table_panel", args=["shop", customer])
    assert "Enums" not in editor.get(panel_url, **HX).content.decode()
    r = editor.post(reverse("enum_add", args=["shop"]),
                    {"enum-name": "status", "enum-namespace": "public",
                     "enum-values": "new\npaid"}, **HX)
    assert r.status_code == 200
    html = editor.get(panel_url, **HX).content.decode()
    assert re.search(r'<optgroup label="Enums">\s*<option value="enum:[0-9a-f-]{36}">'
                     r'status</option>', html)
    assert '<option value="text" selected>text</option>' in html  # the initial type


@pytest.mark.parametrize("args", [
    ("editor", "shop"), ("editor", "shop", 12),
    ("table_panel", "shop", "0b0e6f6e-1111-4222-8333-444455556666"),
    ("table_panel", "shop", 7, "0b0e6f6e-1111-4222-8333-444455556666"),
    ("diagram_download", "shop", "svg"),
    ("column_move", "a-b", "00000000-0000-4000-8000-000000000000"),  # a stand-in itself
])
def test_editor_url_is_reverse(args: tuple[Any, ...]) -> None:
    name, *rest = args
    assert editor_url(name, *rest) == reverse(name, args=rest)
    assert editor_url(name, *rest) == reverse(name, args=rest)  # cached


def test_editor_url_refuses_what_reverse_refuses() -> None:
    for bad in ("0B0E6F6E-1111-4222-8333-444455556666", "------------------------------------"):
        with pytest.raises(NoReverseMatch):
            editor_url("table_panel", "shop", bad)


def test_edit_link_opens_the_column_form_with_or_without_htmx(
        editor: Client, customer: str) -> None:  # noqa: F811
    panel_url = reverse("table_panel", args=["shop", customer])
    html = editor.get(panel_url, **HX).content.decode()
    email = next(c for c in schema_of_columns(editor, customer) if c.name == "email")
    link = f'href="{panel_url}?column={email.uid}" hx-get="{panel_url}?column={email.uid}"'
    assert link in html and f'id="edit-{email.uid}"' not in html
    prefix = f"c{email.uid[:8]}"
    for extra in (HX, {}):  # the panel (htmx), the whole page (no JavaScript)
        opened = editor.get(panel_url, {"column": email.uid}, **extra).content.decode()
        assert f'id="edit-{email.uid}"' in opened and f'name="{prefix}-name"' in opened
