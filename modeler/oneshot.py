"""Whether this process draws one diagram and exits: manage.py's ``render_diagram``,
``export_bundle`` and ``import_schema`` say so before Django starts, and
:func:`modeler.diagram.svg.sanitize_graphviz_svg` then keeps no memo of the groups it
sanitised (nothing would read them again). A module of its own, importing nothing, so that
manage.py sets it without loading the diagram package (issue #17: commands start light)."""

from __future__ import annotations

_ON = [False]


def declare(on: bool = True) -> None:
    """Say that this process draws once and exits (or, ``on=False``, that it does not)."""
    _ON[0] = on


def active() -> bool:
    """Whether :func:`declare` said so."""
    return _ON[0]
