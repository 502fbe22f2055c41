"""Which drawing the browser shows: the ``X-Diagram-Token`` request header, for this request.

The editor's script sends the token of its drawing with the requests that answer with a
diagram (the diagram's refresh, every edit). :func:`modeler.web.diagrams.svg_for` and
``svg_later`` read it through :func:`current` when their caller passes none, and answer
with a patch of what changed since that drawing instead of the whole drawing.

Wired through Django's ``request_started`` signal (WSGI gives the ``environ``, ASGI the
``scope``), so no view and no setting needs to know: connected when this module is
imported (by :mod:`modeler.web.diagrams`, which the URL conf imports).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started

HEADER = "X-Diagram-Token"
_ENVIRON_KEY = "HTTP_X_DIAGRAM_TOKEN"
_SCOPE_KEY = b"x-diagram-token"
_TOKEN: ContextVar[str | None] = ContextVar("diagram_token", default=None)
_IN_REQUEST: ContextVar[bool] = ContextVar("diagram_in_request", default=False)


def in_request() -> bool:
    """Whether the code runs for a web request (which waits on Graphviz at most
    ``DIAGRAM_REQUEST_BUDGET``; commands and background jobs use ``GRAPHVIZ_TIMEOUT``)."""
    return _IN_REQUEST.get()


def current() -> str | None:
    """The token the current request came with (unchecked; see ``diagrams.clean_token``)."""
    return _TOKEN.get() if _IN_REQUEST.get() else None


def _started(sender: Any, environ: dict[str, Any] | None = None,
             scope: dict[str, Any] | None = None, **_: Any) -> None:
    token: str | None = None
    if environ is not None:
        token = environ.get(_ENVIRON_KEY) or None
    elif scope is not None:
        for key, value in scope.get("headers") or ():
            if key.lower() == _SCOPE_KEY:
                token = value.decode("latin-1") or None
    _TOKEN.set(token[:64] if token else None)
    _IN_REQUEST.set(True)


def _finished(sender: Any, **_: Any) -> None:
    _TOKEN.set(None)
    _IN_REQUEST.set(False)


request_started.connect(_started, dispatch_uid="modeler.diagram_token.started")
request_finished.connect(_finished, dispatch_uid="modeler.diagram_token.finished")
