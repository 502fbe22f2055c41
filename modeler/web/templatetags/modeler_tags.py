"""Small template helpers for the editor."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def words(value: str) -> list[str]:
    """``"a b c"|words`` → ``["a", "b", "c"]``."""
    return str(value).split()


@register.filter
def level_class(level: object) -> str:
    return str(getattr(level, "value", level)).lower()
