"""Collation references: how a column or an index key names its collation.

A reference is the collation's name as SQL spells it after ``COLLATE``: ``"C"``,
``"en-US-x-icu"``, ``musicbrainz.musicbrainz``, ``"My ns"."odd ""name"" here"``. The canonical form
(what importers store and :func:`format_ref` writes) quotes each part unless it is a plain
lower-case identifier that is not a keyword, and qualifies every collation the design defines
(so a custom collation can never be shadowed by one of ``pg_catalog``). Unqualified names are
the server's own collations (``pg_catalog``): ``"C"``, ``"POSIX"``, ``"default"``,
``"und-x-icu"``, libc locales such as ``"en_US.utf8"``.

Parsing is lenient on one point: an unquoted part is taken as written (no folding to lower
case), so a hand-typed ``C`` means the collation ``C``, as the user meant.
"""

from __future__ import annotations

import re
from functools import cache

_PLAIN = re.compile(r"^[a-z_][a-z0-9_$]*$")
# Collations every PostgreSQL has, whatever its locales (pg_collation of a fresh cluster).
BUILTIN = frozenset({"default", "C", "POSIX", "ucs_basic", "pg_c_utf8", "unicode",
                     "und-x-icu"})
_ICU = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*-x-icu$")
_LIBC = re.compile(r"^(?:C|POSIX|[a-z]{2,3}_[A-Z]{2})(?:\.[A-Za-z0-9-]+)?(?:@[a-z]+)?$")
_CATALOG = "pg_catalog"


@cache
def _keywords() -> frozenset[str]:
    # pglast on first use: the app registry imports this module (web.models -> schema.model),
    # and a command that quotes no collation should not pay for the parser's import
    from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

    return frozenset(RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS | COL_NAME_KEYWORDS)


def quote(name: str) -> str:
    """One identifier, quoted when PostgreSQL needs it (upper case, odd characters,
    keywords)."""
    if _PLAIN.match(name) and name not in _keywords():
        return name
    return '"' + name.replace('"', '""') + '"'


def format_ref(namespace: str | None, name: str) -> str:
    """The reference to collation ``name`` of ``namespace`` (``None``: unqualified)."""
    return quote(name) if namespace is None else f"{quote(namespace)}.{quote(name)}"


def parse_ref(ref: str) -> tuple[str | None, str]:
    """``(namespace or None, name)`` of a reference; ValueError when it is not one."""
    parts: list[str] = []
    i, text = 0, ref.strip()
    while True:
        if i < len(text) and text[i] == '"':
            j, buf = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise ValueError(f"unterminated quoted name in collation {ref!r}")
                buf.append(text[j:k])
                if text[k + 1:k + 2] == '"':
                    buf.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            parts.append("".join(buf))
        else:
            m = re.match(r"[^\s.\"]+", text[i:])
            if m is None:
                raise ValueError(f"not a collation name: {ref!r}")
            parts.append(m.group(0))
            i += m.end()
        if i == len(text):
            break
        if text[i] != "." or len(parts) == 2:
            raise ValueError(f"not a collation name: {ref!r}")
        i += 1
    if not all(parts):
        raise ValueError(f"empty name in collation {ref!r}")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def canonical(ref: str) -> str:
    """The canonical spelling of ``ref`` (``pg_catalog.`` dropped); ValueError if invalid."""
    ns, name = parse_ref(ref)
    return format_ref(None if ns == _CATALOG else ns, name)


def is_builtin(namespace: str | None, name: str) -> bool:
    """Does ``name`` look like one of the server's own collations (``pg_catalog``)?

    ICU (``*-x-icu``) and libc (``en_US.utf8``) names are taken on trust: which locales a
    server has depends on its operating system."""
    if namespace not in (None, _CATALOG):
        return False
    return name in BUILTIN or bool(_ICU.match(name)) or bool(_LIBC.match(name))
