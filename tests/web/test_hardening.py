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
