"""Small template helpers for the editor."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def words(value: str) -> list[str]:
    """``"a b c"|words`` → ``["a", "b", "c"]``."""
    return str(value).split()


@register.filter
def key_words(value: object) -> str:
    """A data key as words for people: ``data_statements`` → ``data statements``."""
    return str(value).replace("_", " ").strip()


@register.filter
def level_class(level: object) -> str:
    return str(getattr(level, "value", level)).lower()


@register.simple_tag(takes_context=True)
def eurl(context: template.Context, name: str, *extra: object) -> str:
    """URL of an editor-scoped view for the design being shown: ``/p/<slug>/…`` for the
    main design, ``/p/<slug>/d/<id>/…`` for a proposal's design."""
    from django.urls import reverse

    return reverse(name, args=[*design_args(context), *extra])


def design_args(context: template.Context) -> list[object]:
    project = context["project"]
    design = context.get("design")
    args: list[object] = [project.slug]
    if design is not None and getattr(design, "kind", "main") != "main":
        args.append(design.pk)
    return args
