"""Counted nouns in messages: ``1 warning``, ``2 warnings`` (never ``1 warning(s)``)."""

from __future__ import annotations


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``singular`` when ``n`` is 1, else ``plural_form`` (default: ``singular + "s"``)."""
    return singular if n == 1 else (plural_form or singular + "s")


def counted(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` and its noun: ``counted(1, "warning")`` is ``1 warning``, ``counted(3, "index",
    "indexes")`` is ``3 indexes``, ``counted(2, "DO block")`` is ``2 DO blocks`` (an
    ``s`` on the end unless ``plural_form`` says otherwise)."""
    return f"{n} {plural(n, singular, plural_form)}"
