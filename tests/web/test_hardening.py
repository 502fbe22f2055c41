"""Hardened defaults (issue #18, part 4): login throttling, the Content-Security-Policy with no
inline script, required edit versions, owner-only lowering of rule levels, and project slugs
that do not reveal private projects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


# -- 1. login throttling ---------------------------------------------------------------------

def _login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR="10.1.2.3")


def test_wrong_passwords_lock_the_account_even_for_the_right_one(
        django_user_model: Any) -> None:
    django_user_model.objects.create_user(username="alice", password="right-pw-1!")
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    for _ in range(limit - 1):
        response = _login(client, "alice", "wrong")
        assert response.status_code == 200  # the form again, with its error
    for _ in range(3):
        response = _login(client, "alice", "wrong")
    assert response.status_code == 429
    response = _login(client, "alice", "right-pw-1!")
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session
    # the lock is per username and address: another address may still sign in
    other = Client()
    response = other.post(reverse("login"), {"username": "alice", "password": "right-pw-1!"},
                          REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert "_auth_user_id" in other.session


def test_a_few_wrong_passwords_then_the_right_one_signs_in(django_user_model: Any) -> None:
    django_user_model.objects.create_user(username="bob", password="right-pw-1!")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        _login(client, "bob", "wrong")
    response = _login(client, "bob", "right-pw-1!")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_cooloff_is_set() -> None:
    assert settings.AXES_COOLOFF_TIME.total_seconds() >= 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


# -- 2. Content-Security-Policy --------------------------------------------------------------

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:", "object-src": "'none'", "base-uri": "'self'",
    "frame-ancestors": "'none'", "form-action": "'self'",
}


def _policy(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        out[name] = value.strip()
    return out


def test_csp_header_on_pages(django_user_model: Any) -> None:
    from modeler.web import services

    user = django_user_model.objects.create_user(username="carol", password="pw-carol-1!")
    services.project_create(name="Shop", slug="shop", owner=user)
    anonymous = Client()
    client = Client()
    client.force_login(user)
    responses = [anonymous.get(reverse("login")),
                 client.get(reverse("project_list")),
                 client.get(reverse("import_start")),
                 client.get(reverse("editor", args=["shop"])),
                 client.get("/p/no-such-project/")]
    for response in responses:
        assert response.status_code in (200, 404), response
        policy = _policy(response)
        for directive, value in POLICY.items():
            assert policy.get(directive) == value, (directive, response["Content-Security-Policy"])
        assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_pages_load_no_inline_script(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="dave", password="pw-dave-1!")
    client = Client()
    client.force_login(user)
    html = client.get(reverse("import_start")).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts), scripts
    assert "js/page.js" in html


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_script_handlers_or_javascript_urls() -> None:
    files = sorted(TEMPLATES.rglob("*.html"))
    assert len(files) > 10
    bad = []
    for path in files:
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, re.I):
            if "src=" not in tag:
                bad.append(f"{path}: inline {tag}")
        for tag in re.findall(r"<[a-zA-Z][^>]*>", text):
            if INLINE_HANDLER.search(tag):
                bad.append(f"{path}: event handler in {tag[:80]}")
        if re.search(r"javascript:", text, re.I):
            bad.append(f"{path}: javascript: URL")
        if re.search(r"""hx-(vals|vars|headers)=['"]\s*js:""", text):
            bad.append(f"{path}: hx-vals js: needs eval")
        if re.search(r"hx-on", text):
            bad.append(f"{path}: hx-on needs eval")
    assert not bad, "\n".join(bad)


# -- 3. every versioned edit must say which version it was made from --------------------------

HX = {"HTTP_HX_REQUEST": "true"}


def _shop(django_user_model: Any) -> tuple[Any, Any, Client]:
    from modeler.web import services
    from modeler.web.snapshot import materialize
    from tests.web.test_rules_web import good_schema

    owner = django_user_model.objects.create_user(username="owner", password="pw-owner-1!")
    project = services.project_create(name="Shop", slug="shop", owner=owner)
    materialize(good_schema(), services.main_design(project))
    client = Client()
    client.force_login(owner)
    return owner, project, client


def _edits(project: Any) -> list[tuple[str, str, str, dict[str, str], str]]:
    """(kind, uid, url, the form without its version, the version's field name)."""
    from modeler.web import services
    from modeler.web.snapshot import snapshot

    schema = snapshot(services.main_design(project))
    t = schema.table_named("customer")
    assert t is not None
    col = t.column_named("created_at")
    assert col is not None
    rel = schema.relationships[0]
    p = f"c{col.uid[:8]}"
    return [
        ("table", t.uid, reverse("table_update", args=["shop", t.uid]), {
            "tbl-name": "customer", "tbl-namespace": "public", "tbl-kind": "entity",
            "tbl-comment": "People who buy things, changed", "tbl-delete_strategy": "hard"},
         "tbl-version"),
        ("column", col.uid, reverse("column_update", args=["shop", col.uid]), {
            f"{p}-name": "created_at", f"{p}-type": "timestamptz", f"{p}-searchable": "none",
            f"{p}-default": "now()", f"{p}-comment": "When the row was made, changed"},
         f"{p}-version"),
        ("relationship", rel.uid, reverse("relationship_edit", args=["shop", rel.uid]), {
            "name": rel.name, "cardinality": "one-to-many", "on_delete": "RESTRICT",
            "on_update": "NO ACTION", "comment": "changed"}, "version"),
    ]


@pytest.mark.parametrize("kind", ["table", "column", "relationship"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_edit_without_its_version_is_refused(django_user_model: Any, kind: str,
                                                htmx: bool) -> None:
    from modeler.web.diagrams import row_version
    from modeler.web.models import Activity

    _owner, project, client = _shop(django_user_model)
    from modeler.web import services

    design = services.main_design(project)
    (_k, uid, url, data, field), = [e for e in _edits(project) if e[0] == kind]
    before = (row_version(kind, design, uid), Activity.objects.count())
    for version in (None, "", "abc"):
        posted = dict(data) if version is None else {**data, field: version}
        response = client.post(url, posted, **(HX if htmx else {}))
        if version == "abc":  # not a number: the form's own 422, or the same 409
            assert response.status_code in (409, 422), response.status_code
        else:
            assert response.status_code == 409, (version, response.status_code)
            assert "reload: the form had no version" in response.content.decode()
        assert (row_version(kind, design, uid), Activity.objects.count()) == before
    # with its version, the same edit goes through and bumps the version
    response = client.post(url, {**data, field: str(before[0])}, **(HX if htmx else {}))
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    assert row_version(kind, design, uid) == (before[0] or 0) + 1
    # and the old version now is a conflict
    response = client.post(url, {**data, field: str(before[0])}, **(HX if htmx else {}))
    assert response.status_code == 409


# -- 4. only the owner lowers or resets a rule level, always with a reason --------------------

def _levels(django_user_model: Any) -> tuple[Client, Client, Any]:
    from modeler.web.models import Membership

    _owner, project, owner_client = _shop(django_user_model)
    editor = django_user_model.objects.create_user(username="ed", password="pw-ed-1!")
    Membership.objects.create(project=project, user=editor, role="editor")
    editor_client = Client()
    editor_client.force_login(editor)
    return owner_client, editor_client, project


def _set(client: Client, rule: str, level: str, reason: str = "") -> Any:
    return client.post(reverse("rule_settings", args=["shop"]),
                       {"rule": rule, "level": level, "reason": reason})


def test_an_editor_cannot_undo_a_raised_level(django_user_model: Any) -> None:
    from modeler.web.models import Activity, RuleSetting

    owner, editor, _project = _levels(django_user_model)
    # NF-08 is an advice by default; the owner makes it blocking
    assert _set(owner, "NF-08", "block", "we want this enforced").status_code == 302
    for level, reason in (("default", ""), ("default", "no longer needed here"),
                          ("advise", "too strict for us"), ("justify", "")):
        response = _set(editor, "NF-08", level, reason)
        # an editor's role cannot: a 403, as for every action of a role too low (it was a
        # 422, as if the input were wrong), saying who may
        assert response.status_code == 403, (level, reason)
        assert b"Only the project owner" in response.content
        assert RuleSetting.objects.get(rule="NF-08").level == "block"
    # the owner must give a reason to reset it too
    response = _set(owner, "NF-08", "default")
    assert response.status_code == 422 and b"Say why" in response.content
    assert RuleSetting.objects.filter(rule="NF-08").exists()
    assert _set(owner, "NF-08", "default", "back to the catalog level").status_code == 302
    assert not RuleSetting.objects.filter(rule="NF-08").exists()
    logged = Activity.objects.filter(action="rules.level").order_by("id")
    assert [a.summary for a in logged] == [
        "raised rule NF-08 from advise to block: we want this enforced",
        "reset rule NF-08 from block to advise (default): back to the catalog level"]


def test_raising_stays_open_to_editors(django_user_model: Any) -> None:
    from modeler.web.models import Activity, RuleSetting

    owner, editor, _project = _levels(django_user_model)
    assert _set(editor, "NF-08", "justify").status_code == 302  # a reason is optional
    assert _set(editor, "NF-08", "block", "stricter please").status_code == 302
    assert RuleSetting.objects.get(rule="NF-08").level == "block"
    # lowering back, even to a level above the default, is the owner's
    assert _set(editor, "NF-08", "justify", "one step back").status_code == 403
    assert _set(owner, "NF-08", "justify", "one step back").status_code == 302
    # an owner's lowered level may be raised again by an editor, who cannot lower it further
    assert _set(owner, "DC-01", "advise", "prototype phase only").status_code == 302
    assert _set(editor, "DC-01", "default", "restore the default").status_code == 403
    assert _set(editor, "DC-01", "justify").status_code == 302
    assert RuleSetting.objects.get(rule="DC-01").level == "justify"
    assert Activity.objects.filter(action="rules.level").count() == 5


# -- 5. a taken slug does not reveal a private project -----------------------------------------

def _refusal(response: Any) -> str:
    """The page's error messages (an owner's import page also offers the live import)."""
    html = response.content.decode()
    return "\n".join(re.findall(r'<div class="errors[^"]*"[^>]*>(.*?)</div>', html, re.S))


@pytest.mark.parametrize("form", ["project_create", "import_start"])
def test_a_taken_slug_reads_the_same_for_members_and_outsiders(django_user_model: Any,
                                                               form: str) -> None:
    from modeler.web import services
    from modeler.web.models import Project

    owner = django_user_model.objects.create_user(username="owner", password="pw-owner-1!")
    outsider = django_user_model.objects.create_user(username="eve", password="pw-eve-1!")
    services.project_create(name="Secret plans", slug="secret", owner=owner)
    data = {"project_create": {"name": "Mine", "provider": "generic", "pk_policy": "identity",
                               "pg_version": "16"},
            "import_start": {"name": "Mine", "format": "sql",
                             "text": "CREATE TABLE t (id int PRIMARY KEY);"}}[form]
    pages = {}
    for who, user in (("owner", owner), ("eve", outsider)):
        client = Client()
        client.force_login(user)
        assert client.get("/p/secret/").status_code == (200 if who == "owner" else 404)
        response = client.post(reverse(form), {**data, "slug": "secret"})
        assert response.status_code == 422, response.status_code
        text = response.content.decode()
        assert "This slug is not available; choose another." in text
        assert "already exists" not in text and "Secret plans" not in text
        assert 'href="/p/secret/' not in text
        pages[who] = _refusal(response)
    # the outsider's refusal is the owner's, word for word
    assert pages["eve"] == pages["owner"] and "not available" in pages["eve"]
    assert Project.objects.count() == 1
    # a free slug goes through the same form
    client = Client()
    client.force_login(outsider)
    response = client.post(reverse(form), {**data, "slug": "mine"})
    assert response.status_code == 302, response.content.decode()[:3000]
