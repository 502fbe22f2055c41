"""Small template helpers for the editor."""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf

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
    return editor_url(name, *design_args(context), *extra)


def design_args(context: template.Context) -> list[object]:
    project = context["project"]
    design = context.get("design")
    args: list[object] = [project.slug]
    if design is not None and getattr(design, "kind", "main") != "main":
        args.append(design.pk)
    return args


# A design element's uid (modeler/urls.py's ``uid`` converter) stands in for each uid
# argument: one reverse() per view and design serves every element (a table panel made
# ~80 reverse() calls, one per link and form, ~4 ms).
_UID = re.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _is_uid(value: object) -> bool:
    return isinstance(value, str) and len(value) == 36 and _UID.fullmatch(value) is not None


_STAND_INS = tuple(f"00000000-0000-4000-8000-{i:012d}" for i in range(8))


def _stand_in(i: int) -> str:
    return _STAND_INS[i] if i < len(_STAND_INS) else f"00000000-0000-4000-8000-{i:012d}"


@lru_cache(maxsize=4096)
def _pattern(urlconf: object, prefix: str, name: str,
             args: tuple[object, ...]) -> tuple[str, ...] | None:
    """The URL of ``name`` cut around its stand-in uids (None: a stand-in is not found
    exactly once, so it cannot be told apart: reverse each time)."""
    from django.urls import reverse

    url = reverse(name, args=list(args))
    parts: list[str] = []
    for i, arg in enumerate(args):
        if isinstance(arg, str) and arg == _stand_in(i):
            if url.count(arg) != 1:
                return None
            before, _, url = url.partition(arg)
            parts.append(before)
    return (*parts, url)


def editor_url(name: str, *args: object) -> str:
    """``reverse(name, args=args)``, its work cached per view and argument shape (uid
    arguments replaced by stand-ins, see :func:`_pattern`)."""
    from django.urls import reverse

    uids: list[str] = []
    shape: list[object] = []
    for i, a in enumerate(args):
        if _is_uid(a):
            uids.append(str(a))
            shape.append(_stand_in(i))
        else:
            shape.append(a)
    key = tuple(shape)
    try:
        parts = _pattern(get_urlconf(), get_script_prefix(), name, key)
    except TypeError:  # an argument that cannot be a cache key: no cache
        parts = None
    if parts is None or len(parts) != len(uids) + 1:
        return reverse(name, args=list(args))
    out = [parts[0]]
    for uid, rest in zip(uids, parts[1:], strict=True):
        out += (uid, rest)
    return "".join(out)
