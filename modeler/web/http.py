"""Typed requests for the views (django-htmx's documented pattern: a ``HttpRequest``
subclass that declares what the middleware attaches; annotations only, nothing runs).

``HtmxHttpRequest`` is any request through ``HtmxMiddleware`` (``request.htmx``);
``AuthedRequest`` is one behind ``@login_required``, whose ``user`` is the project's user
model (``django.contrib.auth``'s ``User``: settings name no other ``AUTH_USER_MODEL``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthedRequest(HtmxHttpRequest):
    user: User
