"""Playwright fixtures: headless Debian Chromium against pytest-django's ``live_server``.

Every browser test is marked ``@pytest.mark.browser`` and
``@pytest.mark.django_db(transaction=True)`` (``live_server`` runs in another thread, so the
data must be committed). Run them with::

    .venv/bin/python -m pytest tests/browser -q -m browser

Fixtures for test modules:

``make_user(username, password=None) -> User``
    Get or create a user (password defaults to ``pw-<username>-123!``).
``add_member(project_or_slug, username, role="editor") -> Membership``
    Give a user a role on a project (creating the user when needed).
``login_page(username, *, via_form=False) -> Page``
    A new page, logged in as ``username`` (created when needed), in its own browser context
    (own cookies and session storage), so two users can work side by side. The session
    cookie is set directly; ``via_form=True`` fills the sign-in form instead. Uncaught
    JavaScript errors on such pages fail the test at teardown.
``login(page, username) -> None``
    Log the user into ``page``'s context by cookie (for pytest-playwright's own ``page``).
``url(path) -> str``
    The live server's absolute URL for ``path``.
``shot(page, name, *, full_page=False) -> Path``
    Screenshot to ``test-artifacts/<test name>-chromium--<name>.png`` (git-ignored).
``diagram_ready(page) -> None``
    Wait until the editor's diagram is an SVG and htmx is idle.

Functions: ``wait_for_diagram(page)`` (the fixture above), ``add_table(page, name)`` (the
editor's "Add table" form).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 850}
TIMEOUT_MS = 10_000  # default for every Playwright wait: fail fast, not after 30 s


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": chromium_path(),
            "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-GB",
            "timezone_id": "UTC"}


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shot(request: pytest.FixtureRequest, artifacts_dir: Path) -> Callable[..., Path]:
    """``shot(page, name)`` saves a screenshot under ``test-artifacts/``."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name.replace("[", "-").rstrip("]"))

    def take(page: Any, name: str, *, full_page: bool = False) -> Path:
        path = artifacts_dir / f"{test}--{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def url(live_server: Any) -> Callable[[str], str]:
    def absolute(path: str = "/") -> str:
        return live_server.url + path

    return absolute


def _password(username: str) -> str:
    return f"pw-{username}-123!"


@pytest.fixture
def make_user(django_user_model: Any) -> Callable[..., Any]:
    def make(username: str, password: str | None = None) -> Any:
        user = django_user_model.objects.filter(username=username).first()
        if user is None:
            user = django_user_model.objects.create_user(
                username=username, password=password or _password(username))
        return user

    return make


@pytest.fixture
def add_member(make_user: Callable[..., Any]) -> Callable[..., Any]:
    from modeler.web.models import Membership, Project

    def add(project: Any, username: str, role: str = "editor") -> Any:
        if isinstance(project, str):
            project = Project.objects.get(slug=project)
        membership, _ = Membership.objects.update_or_create(
            project=project, user=make_user(username), defaults={"role": role})
        return membership

    return add


def _session_cookie(user: Any, live_server_url: str) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server_url, "httpOnly": True, "sameSite": "Lax"}


@pytest.fixture
def login(live_server: Any, make_user: Callable[..., Any]) -> Callable[[Any, str], None]:
    """``login(page, username)``: log the user into the page's browser context by cookie."""

    def log_in(page: Any, username: str) -> None:
        page.context.add_cookies([_session_cookie(make_user(username), live_server.url)])

    return log_in


@pytest.fixture
def login_page(browser: Any, browser_context_args: dict[str, Any], live_server: Any,
               make_user: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """``login_page(username, *, via_form=False) -> Page`` in a browser context of its own."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(username: str, *, via_form: bool = False) -> Any:
        user = make_user(username)
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
        if via_form:
            page.goto(live_server.url + "/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", _password(username))
            page.click("main button[type=submit]")
            page.wait_for_url(lambda u: "/login/" not in u)
        else:
            context.add_cookies([_session_cookie(user, live_server.url)])
        return page

    yield open_page
    for context in contexts:
        context.close()
    if errors:
        pytest.fail("JavaScript errors in the page:\n" + "\n".join(errors), pytrace=False)


def wait_for_diagram(page: Any) -> None:
    """The editor's diagram holds an SVG and no htmx request is in flight."""
    page.wait_for_selector("#diagram svg")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


@pytest.fixture
def diagram_ready() -> Callable[[Any], None]:
    return wait_for_diagram


def add_table(page: Any, name: str, comment: str = "added by the test") -> bytes:
    """Add the table ``name`` with the editor's "Add table" form (opened when closed); its
    panel is shown. The answer's body."""
    from playwright.sync_api import expect

    section = page.locator("#add-table")
    if not section.evaluate("(d) => d.open"):
        section.locator("summary").click()
    section.locator("#id_new-name").fill(name)
    section.locator("#id_new-comment").fill(comment)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        section.get_by_role("button", name="Add table").click()
    expect(page.locator("#panel-title")).to_have_text(name)
    return bytes(answer.value.body())
