"""Views the URLconf names without importing them: a view module is imported on the first
request it serves (or by :func:`load_all`, which the served process calls at start-up).

``manage.py check`` loads the URLconf to check it; importing every view there would import
SQLAlchemy, Alembic, pglast and the rehearsal machinery (over a second) for nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_ALL: list[LazyView] = []

# Attributes Django asks of a callback without needing the view itself (URLPattern's
# lookup_str): answered as absent, so building the resolver imports no view.
_NOT_FORWARDED = frozenset({"view_class", "view_initkwargs"})
_OWN = frozenset({"_module", "_name", "_view"})


class LazyView:
    """A stand-in for ``module.name``: calls it, and answers attribute look-ups
    (``csrf_exempt``, ``_non_atomic_requests``, ...) from it, importing it on first use."""

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name
        self._view: Any = None
        self.__module__ = module
        self.__qualname__ = name
        self.__name__ = name
        _ALL.append(self)

    def load(self) -> Any:
        view = self._view
        if view is None:
            view = self._view = getattr(importlib.import_module(self._module), self._name)
        return view

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") or attr in _NOT_FORWARDED or attr in _OWN:
            raise AttributeError(attr)
        return getattr(self.load(), attr)

    def __repr__(self) -> str:
        return f"<LazyView {self._module}.{self._name}>"


class LazyModule:
    """``views.editor`` in a URLconf: each attribute is a :class:`LazyView` of it."""

    def __init__(self, module: str) -> None:
        self._module = module
        self._views: dict[str, LazyView] = {}

    def __getattr__(self, name: str) -> LazyView:
        if name.startswith("_"):
            raise AttributeError(name)
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = LazyView(self._module, name)
        return view


def modules(package: str, *names: str) -> tuple[LazyModule, ...]:
    """``modules("modeler.web.views", "editor", "rules")``: lazy stand-ins for those modules."""
    return tuple(LazyModule(f"{package}.{name}") for name in names)


def load_all() -> None:
    """Import every view named so far (a server does it once at start-up, so its first
    requests do not pay for the imports; a missing view fails here, loudly)."""
    for view in list(_ALL):
        view.load()
