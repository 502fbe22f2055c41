"""The editor's text mode (issue 16, item 1): the design as DBML, a preview of the change list
(destructive ops marked, renames offered), apply through the write path (rules gate, version),
parse errors at their line, pasted SQL adding tables, roles; the DBML download of a version
and the export_dbml command."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from modeler.codegen.dbml import to_dbml
from modeler.schema import model as m
from modeler.web import services
from modeler.web.models import Activity, Membership
from modeler.web.snapshot import snapshot_at
from tests.textmode_fixtures import books_project, bookstore_dbml

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}

BOOKSTORE = bookstore_dbml()


@pytest.fixture
def project(user: Any) -> Any:
    return books_project(user)


@pytest.fixture
def owner(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    return client


def member(project: Any, django_user_model: Any, role: str) -> Client:
    u = django_user_model.objects.create_user(f"{role}1", password="x")
    Membership.objects.create(project=project, user=u, role=role)
    c = Client()
    c.force_login(u)
    return c


def state(project: Any) -> tuple[m.Schema, int]:
    return snapshot_at(services.main_design(project))


def url(name: str) -> str:
    return reverse(name, args=["books"])


def preview(c: Client, text: str, **extra: Any) -> Any:
    return c.post(url("textmode_preview"), {"text": text, **extra}, **HX)


def apply(c: Client, project: Any, text: str, revision: int | None = None,
          **extra: Any) -> Any:
    rev = state(project)[1] if revision is None else revision
    return c.post(url("textmode_apply"), {"text": text, "revision": rev, **extra}, **HX)


def test_the_panel_shows_the_design_as_dbml(owner: Client, project: Any) -> None:
    apply(owner, project, BOOKSTORE)
    _, rev = state(project)
    r = owner.get(url("textmode"), **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="dbml-text"' in body and f'name="revision" value="{rev}"' in body
    assert "Table book {" in body and "Enum order_status {" in body
    assert 'id="textmode-preview"' in body
    editor = owner.get(reverse("editor", args=["books"])).content.decode()
    assert 'id="textmode"' in editor and "js/dbml-editor.js" in editor


def test_preview_lists_the_changes_and_saves_nothing(owner: Client, project: Any) -> None:
    before = state(project)
    r = preview(owner, BOOKSTORE)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="textmode-changes"' in body and 'id="textmode-apply"' in body
    assert "create table author" in body and "create enum order_status" in body
    assert state(project) == before


def test_apply_saves_through_the_write_path(owner: Client, project: Any) -> None:
    r = apply(owner, project, BOOKSTORE)
    assert r.status_code == 200, r.content.decode()[:2000]
    assert json.loads(r["HX-Trigger"]) == {"schema-changed": {}}
    assert 'id="textmode-applied"' in r.content.decode()
    schema, _ = state(project)
    assert {t.name for t in schema.tables} == {"author", "book", "orders"}
    assert len(schema.relationships) == 2 and schema.enums[0].labels == (
        "pending", "paid", "shipped")
    book = schema.table_named("book")
    assert book is not None and book.column_named("price") is not None
    assert Activity.objects.filter(action="design.text").count() == 1
    # the text of the saved design previews as no change
    again = preview(owner, to_dbml(schema)).content.decode()
    assert 'id="textmode-nothing"' in again


def test_destructive_changes_are_marked_and_renames_offered(owner: Client,
                                                            project: Any) -> None:
    apply(owner, project, BOOKSTORE)
    schema, _ = state(project)
    text = to_dbml(schema)
    dropped = re.sub(r"  name text[^\n]*\n", "", text)
    body = preview(owner, dropped).content.decode()
    assert 'class="destructive"' in body and "drop column author.name" in body
    renamed = text.replace("Table author {", "Table writer {").replace(
        "author.id", "writer.id").replace("author {", "writer {")
    body = preview(owner, renamed).content.decode()
    assert 'name="rename" value="table:public.author:public.writer"' in body
    assert "drop table author" in body
    chosen = preview(owner, renamed, rename="table:public.author:public.writer")
    body = chosen.content.decode()
    assert "rename table author to writer" in body and "drop table author" not in body
    uid = schema.table_named("author").uid  # type: ignore[union-attr]
    r = apply(owner, project, renamed, rename="table:public.author:public.writer")
    assert r.status_code == 200, r.content.decode()[:2000]
    after, _ = state(project)
    writer = after.table_named("writer")
    assert writer is not None and writer.uid == uid  # a rename: the table kept its identity


def test_a_parse_error_points_at_its_line(owner: Client, project: Any) -> None:
    before = state(project)
    text = "Table a {\n  id bigint [pk]\n  name text [not null\n}\n"
    r = preview(owner, text)
    assert r.status_code == 422
    body = r.content.decode()
    line = re.search(r'data-error-line="(\d+)"', body)
    assert line is not None and int(line.group(1)) in (3, 4), body
    assert "nothing can be applied" in body
    r = apply(owner, project, text)
    assert r.status_code == 422 and 'data-error-line="' in r.content.decode()
    assert r["HX-Retarget"] == "#textmode-result"
    assert state(project) == before


def test_the_rules_gate_refuses_as_for_any_edit(owner: Client, project: Any) -> None:
    before = state(project)
    # a table without a primary key is a BLOCK finding (RULES.md)
    r = apply(owner, project, "Table loose {\n  name text\n}\n")
    body = r.content.decode()
    assert r.status_code == 422, body[:2000]
    assert 'id="textmode-errors"' in body and "Not saved." in body
    assert state(project) == before


def test_a_stale_revision_is_a_conflict(owner: Client, project: Any) -> None:
    rev = state(project)[1]
    apply(owner, project, BOOKSTORE)
    r = apply(owner, project, BOOKSTORE.replace("shipped", "shipped\n  lost"), revision=rev)
    assert r.status_code == 409 and "Conflict." in r.content.decode()
    schema, _ = state(project)
    assert "lost" not in schema.enums[0].labels
    r = owner.post(url("textmode_apply"), {"text": BOOKSTORE}, **HX)
    assert r.status_code == 409 and "no design revision" in r.content.decode()


def test_pasted_sql_adds_tables(owner: Client, project: Any) -> None:
    apply(owner, project, BOOKSTORE)
    sql = ("CREATE TABLE customer (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
           "email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
           "updated_at timestamptz NOT NULL DEFAULT now());\n"
           "COMMENT ON TABLE customer IS 'A buyer; created at the first order';\n"
           "CREATE TABLE author (id bigint PRIMARY KEY);\n")
    body = preview(owner, sql).content.decode()
    assert 'data-kind="sql"' in body and "create table customer" in body
    assert "exists already" in body and "drop table" not in body
    r = apply(owner, project, sql)
    assert r.status_code == 200, r.content.decode()[:2000]
    schema, _ = state(project)
    assert {t.name for t in schema.tables} == {"author", "book", "orders", "customer"}


def test_roles(project: Any, django_user_model: Any) -> None:
    viewer = member(project, django_user_model, "viewer")
    r = viewer.get(url("textmode"), **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert "readonly" in body and 'id="textmode-preview"' not in body
    assert viewer.post(url("textmode_preview"), {"text": BOOKSTORE}, **HX).status_code == 403
    assert apply(viewer, project, BOOKSTORE).status_code == 403
    assert not state(project)[0].tables
    stranger = Client()
    stranger.force_login(django_user_model.objects.create_user("stranger", password="x"))
    assert stranger.get(url("textmode"), **HX).status_code == 404
    editor = member(project, django_user_model, "editor")
    assert apply(editor, project, BOOKSTORE).status_code == 200


def test_control_characters_are_refused(owner: Client, project: Any) -> None:
    r = preview(owner, "Table a {\x00}")
    assert r.status_code == 422 and "NUL" in r.content.decode()


def test_version_dbml_download_and_command(owner: Client, project: Any, tmp_path: Path,
                                           django_user_model: Any) -> None:
    from modeler.web.versions import version_save

    apply(owner, project, BOOKSTORE)
    # baseline: the gate's JUSTIFY findings (no waivers here) do not stop it
    version_save(project=project, actor=project.owner, message="first", baseline=True)
    history = owner.get(reverse("version_history", args=["books"])).content.decode()
    link = reverse("version_dbml", args=["books", 1])
    assert link in history
    r = owner.get(link)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    assert 'filename="books-v1.dbml"' in r["Content-Disposition"]
    assert "Table book {" in r.content.decode()
    viewer = member(project, django_user_model, "viewer")
    assert viewer.get(link).status_code == 200  # the same role as the other downloads
    assert owner.get(reverse("version_dbml", args=["books", 9])).status_code == 404
    out = tmp_path / "books.dbml"
    stdout = StringIO()
    call_command("export_dbml", "books", "-o", str(out), stdout=stdout)
    assert out.read_text(encoding="utf-8") == r.content.decode()
    assert "wrote" in stdout.getvalue()
    stdout = StringIO()
    call_command("export_dbml", "books", "--version", "1", stdout=stdout)
    assert stdout.getvalue() == r.content.decode()


def test_a_column_rename_keeps_what_dbml_cannot_say() -> None:
    from modeler.web import textmode

    t = m.Table("t1", "item", columns=(
        m.Column("c1", "id", m.ColumnType(name="bigint"), pk_order=1),
        m.Column("c2", "label", m.ColumnType(name="text"), nullable=True,
                 null_meaning="not named yet", searchable="fulltext"),
    ), kind="lookup", position=m.Position(5.0, 7.5))
    s = m.normalized(m.Schema(tables=(t,), name="shop"))
    text = to_dbml(s).replace("  label text", "  title text")
    offered = textmode.preview(s, text)
    assert [r.key for r in offered.renames] == ["column:public.item.label:public.item.title"]
    assert any(c.destructive and "label" in c.text for c in offered.changes)
    chosen = textmode.preview(s, text, {"column:public.item.label:public.item.title"})
    assert [c.text for c in chosen.changes] == ["rename column item.label to title"]
    assert chosen.new is not None
    item = chosen.new.tables[0]
    title = item.column_named("title")
    assert title is not None and title.uid == "c2"
    assert title.null_meaning == "not named yet" and title.searchable == "fulltext"
    assert item.kind == "lookup" and item.position == m.Position(5.0, 7.5)


def test_sql_is_told_from_dbml() -> None:
    from modeler.web.textmode import is_sql

    assert is_sql("CREATE TABLE a (id int);")
    assert is_sql("-- pasted\ncreate table a (id int);")
    assert not is_sql("Table a {\n  id int\n}\n")
    assert not is_sql("// CREATE TABLE later\nTable a {\n id int\n}")


def _status_design() -> m.Schema:
    from modeler.schema.builder import SchemaBuilder

    b = SchemaBuilder(name="shop").enum("status", ["new", "paid", "sent"])
    (b.table("orders").column("id", "bigint", pk=True)
     .column("status", enum="status", nullable=False, default="'paid'")
     .check("ck_orders_status", "status <> 'paid'::status"))
    return b.build()


def test_a_label_typed_over_another_is_offered_as_a_rename_and_expressions_follow() -> None:
    """A label typed over another in the text (while another is added) may be a rename:
    offered, and once chosen the value keeps its identity (``RENAME VALUE``: rows keep
    it) and the default and CHECK spelling it follow, as PostgreSQL shows them."""
    from modeler.web import textmode

    s = _status_design()
    text = to_dbml(s).replace("  'paid'\n", "  'settled'\n").replace(
        "  'sent'\n", "  'sent'\n  'lost'\n")
    key = "enum value:public.status:paid:settled"
    offered = textmode.preview(s, text)
    assert [r.key for r in offered.renames] == [key]
    assert offered.new is not None and offered.new.enums[0].values[1].uid != \
        s.enums[0].values[1].uid  # not chosen: a drop and an add
    chosen = textmode.preview(s, text, {key})
    assert chosen.error is None and chosen.new is not None
    values = chosen.new.enums[0].values
    assert [v.label for v in values] == ["new", "settled", "sent", "lost"]
    assert [v.uid for v in values[:3]] == [v.uid for v in s.enums[0].values]
    orders = chosen.new.tables[0]
    assert orders.column_named("status").default == "'settled'"  # type: ignore[union-attr]
    assert [k.expression for k in orders.checks] == ["status <> 'settled'::status"]
    assert "rename value 'paid' of enum status to 'settled'" in [c.text for c in
                                                                 chosen.changes]
    assert not any(c.destructive for c in chosen.changes)


def test_an_enum_renamed_in_the_text_is_offered_as_a_rename_and_casts_follow() -> None:
    from modeler.web import textmode

    s = _status_design()
    text = to_dbml(s).replace("Enum status {", "Enum state {").replace(
        "status status [", "status state [").replace("::status`", "::state`")
    key = "enum:public.status:public.state"
    assert [r.key for r in textmode.preview(s, text).renames] == [key]
    chosen = textmode.preview(s, text, {key})
    assert chosen.error is None and chosen.new is not None
    assert chosen.new.enums[0].uid == s.enums[0].uid
    assert [c.text for c in chosen.changes] == ["rename enum status to state"]
    assert [k.expression for k in chosen.new.tables[0].checks] == ["status <> 'paid'::state"]


def test_an_enum_value_rename_chosen_in_the_panel_is_applied(owner: Client,
                                                             project: Any) -> None:
    apply(owner, project, BOOKSTORE)
    schema, _ = state(project)
    text = to_dbml(schema).replace("  'paid'\n", "  'settled'\n").replace(
        "  'shipped'\n", "  'shipped'\n  'refunded'\n")
    assert "settled" in text and "refunded" in text
    key = "enum value:public.order_status:paid:settled"
    body = preview(owner, text).content.decode()
    assert f'name="rename" value="{key}"' in body
    assert "of <code>public.order_status</code>" in body
    r = apply(owner, project, text, rename=key)
    assert r.status_code == 200, r.content.decode()[:2000]
    after, _ = state(project)
    before = {v.label: v.uid for v in schema.enums[0].values}
    got = {v.label: v.uid for v in after.enums[0].values}
    assert got["settled"] == before["paid"] and got["pending"] == before["pending"]
    assert got["refunded"] not in before.values()
