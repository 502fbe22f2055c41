"""The error pages (templates/400.html, 403.html, 403_csrf.html, 404.html, 500.html): the
app's look, words that say what happened and a way back, and no need for a request context
(Django renders 400, 500 and the CSRF page without one; 500.html must render when the
database is what failed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client, override_settings
from django.urls import include, path

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


# this module is the URLconf of the tests that need a view that fails
urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden),
               path("", include("modeler.urls"))]


def _page(response: Any) -> str:
    text: str = response.content.decode()
    assert 'class="topbar"' in text and "css/app.css" in text  # the app's look
    assert 'href="/"' in text  # a way back
    return text


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2 * 2**20)
def test_an_oversize_post_says_it_was_too_large_and_the_limit() -> None:
    client = Client(enforce_csrf_checks=True)  # CSRF's check reads the body first, as live
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    response = client.post("/login/", {"csrfmiddlewaretoken": token, "username": "x",
                                       "password": "y" * (3 * 2**20)})
    assert response.status_code == 400
    text = _page(response)
    assert "The request was too large" in text
    assert "over the 2 MB a request may carry" in text
    assert "Bad Request (400)" not in text


def test_a_malformed_request_gets_the_page() -> None:
    response = Client().get("/", headers={"host": "bad host name"})
    assert response.status_code == 400
    assert "The request could not be read" in _page(response)


def test_a_csrf_failure_gets_the_page_with_a_way_back() -> None:
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x"})
    assert response.status_code == 403
    text = _page(response)
    assert "The form could not be checked" in text
    assert "reload the page" in text
    assert "CSRF verification failed" not in text  # not Django's page


def test_an_unknown_url_is_the_404_page() -> None:
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in _page(response)


@override_settings(ROOT_URLCONF=__name__)
def test_a_refused_permission_is_the_403_page() -> None:
    response = Client().get("/forbidden/")
    assert response.status_code == 403
    assert "You are not allowed to do this" in _page(response)


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_the_500_page(django_assert_num_queries: Any) -> None:
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500
    text = _page(response)
    assert "Something went wrong on our side" in text
    assert "boom" not in text


@pytest.mark.parametrize("name", ["400.html", "403.html", "403_csrf.html", "404.html",
                                  "500.html"])
def test_each_page_renders_without_any_context(name: str,
                                                django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        text = loader.get_template(name).render()
    assert "ER&nbsp;Modeler" in text and "<h1>" in text
