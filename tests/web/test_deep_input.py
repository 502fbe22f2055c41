"""Deep, long and odd text on every other path where user text enters (issue 16): text mode
(preview and apply, DBML and pasted SQL), the import page (files and pasted text), the
diagram's download and view querystrings, search, rule and waiver forms, review comments,
project names. Each answer is a page or a clear 4xx (or an import with warnings), never a
5xx or a traceback, and a refusal saves nothing. The test client raises a view's exception,
so a 500 fails here with its traceback."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeler.web import services
from modeler.web.models import ImportJob, PendingImport, Project
from modeler.web.snapshot import snapshot_at
from tests.textmode_fixtures import books_project
from tests.web import test_odd_input as odd

pytestmark = pytest.mark.django_db
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
DEEP = 100_000


def nested(n: int) -> dict[str, str]:
    """name -> an expression nested ``n`` deep (or a chain of ``n`` terms)."""
    return {
        "parentheses": "(" * n + "1" + ")" * n,
        "arrays": "array" + "[" * n + "1" + "]" * n,
        "casts": "1" + "::int" * n,
        "calls": "abs(" * n + "1" + ")" * n,
        "case": "case when true then " * n + "1" + " end" * n,
        "and-chain": " and ".join(["true"] * n),
        "plus-chain": "+".join(["1"] * n),
    }


ODD = {
    "deep": "(" * DEEP + "[" * DEEP, "megabyte": "x" * 1_000_000, "nul": "a\x00b",
    "cr-only": "a\rb\rc", "crlf": "a\r\nb", "quote": "'\"`/*--", "number": "9" * 5000,
    "negative": "-1", "json": "[" * 10_000 + "]" * 10_000,
}


@pytest.fixture
def books(client: Client, user: Any) -> tuple[Client, Any]:
    """The bookstore design, and its owner signed in."""
    project = books_project(user)
    client.force_login(user)
    return client, project


@pytest.fixture
def owner(books: tuple[Client, Any]) -> Client:
    return books[0]


def state(project: Any) -> tuple[Any, int]:
    return snapshot_at(services.main_design(project))


def said(response: Any) -> str:
    return str(response.content.decode(errors="replace"))[:2000]


def fine(response: Any) -> None:
    """A page or a clear refusal: no 5xx, no traceback in the body."""
    assert response.status_code < 500, said(response)
    assert "Traceback" not in response.content.decode(errors="replace")


def _table(n: int, kind: str, text: str) -> str:
    return f"Table deep_{kind.replace('-', '_')}_{n} {{\n  id int [pk]\n  a int [default: " \
           f"`{text}`, note: 'Deep']\n  Note: 'A deep default'\n}}\n"


# ------------------------------------------------------------------------------ text mode

def text_mode(books: tuple[Client, Any], text: str) -> None:
    """``text`` previewed, then applied: no 5xx either time, nothing saved on a refusal."""
    client, project = books
    before = state(project)
    fine(client.post(reverse("textmode_preview", args=["books"]), {"text": text}, **HX))
    response = client.post(reverse("textmode_apply", args=["books"]),
                           {"text": text, "revision": before[1]}, **HX)
    fine(response)
    if response.status_code >= 400:
        assert state(project) == before


@pytest.mark.parametrize("n", [1_000, 10_000, DEEP])
@pytest.mark.parametrize("kind", sorted(nested(1)))
def test_text_mode_with_a_deep_default(books: tuple[Client, Any], kind: str, n: int) -> None:
    text_mode(books, _table(n, kind, nested(n)[kind]))


@pytest.mark.parametrize("n", [1_000, 10_000, 40_000])
@pytest.mark.parametrize("kind", sorted(nested(1)))
def test_text_mode_with_pasted_deep_sql(books: tuple[Client, Any], kind: str, n: int) -> None:
    text_mode(books, f"CREATE TABLE deep_sql (id int PRIMARY KEY, a int DEFAULT "
                     f"{nested(n)[kind]});")


@pytest.mark.parametrize("name", sorted(ODD))
def test_text_mode_with_odd_text(books: tuple[Client, Any], name: str) -> None:
    for text in (ODD[name], f"Table t {{\n  a int [note: '{ODD[name]}']\n}}\n",
                 f"CREATE TABLE t (a int DEFAULT {ODD[name]});"):
        text_mode(books, text)


def test_text_mode_kept_data_nested_deep(books: tuple[Client, Any]) -> None:
    """The Project note's kept data (JSON lines) nested 100,000 deep: read like a note."""
    from modeler.codegen.dbml import KEPT_MARKER

    line = '{"tables": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}"
    text = f"Project p {{\n  note: '''{KEPT_MARKER}\n{line}\n'''\n}}\nTable t {{\n  a int\n}}\n"
    text_mode(books, text)


# -------------------------------------------------------------------------------- imports

def _import(client: Client, fmt: str, **data: Any) -> Any:
    return client.post(reverse("import_start"), {"name": "Deep", "slug": "deep",
                                                 "format": fmt, **data})


def _nothing_created() -> None:
    assert not Project.objects.filter(slug="deep").exists()


@pytest.mark.parametrize("n", [1_000, 10_000, DEEP])
@pytest.mark.parametrize("kind", sorted(nested(1)))
def test_import_of_deep_sql_and_dbml(owner: Client, kind: str, n: int) -> None:
    expr = nested(n)[kind]
    for fmt, text in (("sql", f"CREATE TABLE t (id int PRIMARY KEY, a int DEFAULT {expr});"),
                      ("dbml", _table(n, kind, expr))):
        upload = SimpleUploadedFile(f"deep.{fmt}", text.encode())
        response = _import(owner, fmt, files=upload)
        fine(response)
        if response.status_code == 302:
            page = owner.get(response.url)
            fine(page)
        PendingImport.objects.all().delete()
        _nothing_created()


@pytest.mark.parametrize("fmt", ["sql", "dbml"])
@pytest.mark.parametrize("data", [
    b"\xff\xfe" + "CREATE TABLE t (a int);".encode("utf-16-le"),
    b"CREATE TABLE t (a int);\n-- \xed\xa0\x80 a surrogate in UTF-8\n",
    b"Table t {\r  a int\r}\r", b"CREATE TABLE t (\r\n  a int\r\n);\r\n",
    b"CREATE TABLE t (a int); /* unterminated", b"Table t {\n  a int [note: 'unterminated",
    b"\x00" * 100])
def test_import_of_odd_bytes(owner: Client, fmt: str, data: bytes) -> None:
    response = _import(owner, fmt, files=SimpleUploadedFile(f"odd.{fmt}", data))
    fine(response)
    PendingImport.objects.all().delete()
    _nothing_created()


def test_a_50_mb_dbml_file_is_refused_with_the_limit(owner: Client) -> None:
    """A DBML file that is one 50 MB string: a 422 that names the limit, nothing created
    (a file is not read into memory before its size is checked)."""
    big = b"Table t {\n  a int [note: '" + b"y" * 50_000_000 + b"']\n}\n"
    response = _import(owner, "dbml", files=SimpleUploadedFile("big.dbml", big))
    assert response.status_code == 422 and b"the limit is 20 MB" in response.content, said(
        response)
    assert not PendingImport.objects.exists() and not ImportJob.objects.exists()
    _nothing_created()


def test_pasted_text_over_the_limit_is_a_4xx(owner: Client) -> None:
    with override_settings(MODELER_MAX_UPLOAD_BYTES=50_000, DATA_UPLOAD_MAX_MEMORY_SIZE=60_000):
        big = "Table t {\n  a int [note: '" + "y" * 55_000 + "']\n}\n"
        response = _import(owner, "dbml", text=big)
        assert response.status_code == 422 and b"the limit is" in response.content, said(
            response)
        response = _import(owner, "dbml", text=big + "y" * 10_000)  # Django's own limit
        assert response.status_code == 400, said(response)
    assert not PendingImport.objects.exists()
    _nothing_created()


# ------------------------------------------------------------------ querystrings and forms

@pytest.mark.parametrize("name", sorted(ODD))
def test_querystrings(owner: Client, name: str) -> None:
    value = ODD[name]
    for param in ("detail", "direction", "focus", "depth", "area"):
        fine(owner.get(reverse("diagram_download", args=["books", "svg"]), {param: value}))
        fine(owner.get(reverse("diagram", args=["books"]), {param: value}, **HX))
    for param in ("q", "table", "column"):
        fine(owner.get(reverse("editor", args=["books"]), {param: value}))
    fine(owner.get(reverse("poll", args=["books"]), {"rev": value}, **HX))
    fine(owner.get(reverse("findings", args=["books"]), {"rule": value, "key": value}))
    fine(owner.get(reverse("rule_settings", args=["books"]), {"rule": value, "level": value}))
    fine(owner.get(reverse("version_compare", args=["books"]), {"a": value, "b": value}))
    fine(owner.get(reverse("project_list"), {"q": value}))


@pytest.mark.parametrize("name", sorted(ODD))
def test_forms(books: tuple[Client, Any], name: str) -> None:
    owner, project = books
    value = ODD[name]
    before = state(project)
    fine(owner.post(reverse("save_view", args=["books"]), {
        "detail": value, "direction": value, "focus": value, "depth": value, "area": value},
        **HX))
    fine(owner.post(reverse("waive", args=["books"]), {
        "rule": value, "key": value, "justification": value}, **HX))
    fine(owner.post(reverse("rule_settings", args=["books"]), {"rule": value, "level": value},
                    **HX))
    fine(owner.post(reverse("project_create"), {"name": value, "slug": "odd",
                                                "description": value}))
    fine(owner.post(reverse("review:proposal_create", args=["books"]), {
        "title": value, "description": value}))
    assert state(project) == before


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["(", "[", "{", "abs(", "-", "not ", "array[", "'", "`",
                                 "/*", "case when "]), min_size=1, max_size=4),
       st.integers(min_value=100, max_value=20_000))
def test_generated_nestings_in_text_mode(owner: Client, openers: list[str],
                                         depth: int) -> None:
    body = "".join(openers[i % len(openers)] for i in range(depth))
    for text in (f"Table g {{\n  a int [default: `{body}1`]\n}}\n",
                 f"Table g {{\n  a int [default: {body}1]\n}}\n",
                 f"CREATE TABLE g (a int DEFAULT {body}1);"):
        fine(owner.post(reverse("textmode_preview", args=["books"]), {"text": text}, **HX))


# ------------------------------------------- every form field and query parameter, deep

DEEP_VALUES = ("(" * 50_000 + "1" + ")" * 50_000, "+".join(["1"] * 20_000),
               "array" + "[" * 20_000 + "1" + "]" * 20_000, "x" * 1_000_000)


@pytest.mark.parametrize("name", sorted(odd.POSTS))
def test_deep_text_in_any_form_field(django_user_model: Any, settings: Any,
                                     name: str) -> None:
    """Each field of every form (test_odd_input's list) in turn: nested 50,000 deep, a
    20,000-term chain, a megabyte. A page or a 4xx; a refusal writes nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    shop = odd.make_shop(django_user_model)
    post = odd.POSTS[name]
    if post.setup is not None:
        post.setup(shop)
    client = shop.client(post.who)
    url = post.url(shop)
    prefix = post.prefix(shop) if callable(post.prefix) else post.prefix
    wrong = []
    for field in post.fields:
        for value in DEEP_VALUES:
            before = odd.state()
            data = dict(post.data(shop))
            data[field] = value
            data = {(f"{prefix}-{k}" if prefix else k): v for k, v in data.items()}
            response = client.post(url, data)
            if response.status_code >= 500 or b"Traceback" in response.content or (
                    response.status_code >= 400 and odd.state() != before):
                wrong.append((field, value[:12], response.status_code))
    assert not wrong, wrong


@pytest.mark.parametrize("name", sorted(odd.GETS))
def test_deep_query_parameters(django_user_model: Any, settings: Any, name: str) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    shop = odd.make_shop(django_user_model)
    url, params = odd.GETS[name]
    client = shop.client()
    wrong = []
    for param in params:
        for value in DEEP_VALUES:
            response = client.get(url(shop), {param: value})
            if response.status_code >= 500:
                wrong.append((param, value[:12], response.status_code))
    assert not wrong, wrong


@pytest.mark.parametrize("fmt,text", [
    ("dbml", "Table " + "a" * 1_000 + " {\n  " + "b" * 100_000 + " int [note: '" + "n" * 100_000
     + "']\n}\n"),
    ("sql", "CREATE TABLE " + "a" * 1_000 + " (" + "b" * 100_000 + " int);\nCOMMENT ON TABLE "
     + "a" * 1_000 + " IS '" + "n" * 1_000_000 + "';")])
def test_import_of_very_long_names_and_notes(owner: Client, fmt: str, text: str) -> None:
    """Names longer than PostgreSQL's 63 bytes and megabyte notes: imported (names as
    PostgreSQL would have them) or refused with the reason; confirmed, or nothing created."""
    response = _import(owner, fmt, files=SimpleUploadedFile(f"long.{fmt}", text.encode()))
    fine(response)
    if response.status_code != 302:
        _nothing_created()
        return
    fine(owner.get(response.url))
    pending = PendingImport.objects.get()
    done = owner.post(reverse("import_confirm", args=[pending.pk]))
    fine(done)
    if done.status_code >= 400:
        _nothing_created()
        return
    project = Project.objects.get(slug="deep")
    assert all(len(t.name) <= 63 and all(len(c.name) <= 63 for c in t.columns)
               for t in state(project)[0].tables)
    fine(owner.get(reverse("editor", args=["deep"])))
