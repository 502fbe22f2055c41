"""The one sanitizer: every Python identifier the generators write passes through here.

Database names may be anything PostgreSQL accepts (imported baselines keep their spelling);
generated Python must still be valid, PEP 8-ish and collision-free. Each function is pure and
deterministic so that the same design always yields the same names.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
import unicodedata
from collections.abc import Collection, Iterable
from functools import lru_cache

# Names a declarative class must not use for its own attributes.
DECLARATIVE_RESERVED = frozenset({
    "metadata", "registry", "type_annotation_map", "query", "query_cls",
})
_NON_IDENT = re.compile(r"[^0-9A-Za-z_]+")


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def identifier(name: str, *, reserved: Collection[str] = ()) -> str:
    """A valid Python identifier for ``name``: ASCII, no keyword, not in ``reserved``.

    Invalid characters become ``_``; a leading digit gets a ``_`` prefix; keywords and reserved
    names get a ``_`` suffix (``class`` → ``class_``, ``metadata`` → ``metadata_``).
    """
    s = _NON_IDENT.sub("_", _ascii(name)).strip("_") or "x"
    if s[0].isdigit():
        s = f"_{s}"
    while keyword.iskeyword(s) or s in reserved or s.startswith("_sa_"):
        s = f"{s}_"
    return s


@lru_cache(maxsize=65_536)  # the plan asks for the same table's name once per FK
def snake(name: str) -> str:
    """``OrderLine`` / ``Order Details`` → ``order_line`` / ``order_details``."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", _ascii(name))
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return re.sub(r"_+", "_", _NON_IDENT.sub("_", s)).strip("_").lower() or "x"


def pascal(name: str) -> str:
    """``order_line`` → ``OrderLine``; ``2fa codes`` → ``N2faCodes``."""
    words = [w for w in snake(name).split("_") if w]
    s = "".join(w[:1].upper() + w[1:] for w in words) or "X"
    return f"N{s}" if s[0].isdigit() else s


def constant(name: str) -> str:
    """An enum member name for a label: ``in-progress`` → ``IN_PROGRESS``."""
    s = snake(name).upper()
    return f"V_{s}" if s[0].isdigit() else s


def plural(word: str) -> str:
    """Naive English plural, good enough for attribute names (``category`` → ``categories``).
    A word that reads as a plural already stays as it is (``users``, ``book_authors``: tables
    named in the plural), not ``userses``; ``-is`` becomes ``-es`` (``analysis``)."""
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("is") and len(word) > 3:
        return word[:-2] + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def package_name(slug: str) -> str:
    """The project slug as an importable package name (``my-shop`` → ``my_shop``)."""
    s = snake(slug)
    if s[0].isdigit():
        s = f"p_{s}"
    while keyword.iskeyword(s) or s in _STDLIB_CLASH:
        s = f"{s}_models"
    return s


# Package names that would shadow something the bundle imports, or be shadowed by it: the
# standard library's modules (a design called "concurrent" or "email": ``alembic upgrade``
# found the standard package, imported already, instead of the bundle's) and its own.
_STDLIB_CLASH = frozenset({
    "sqlalchemy", "alembic", "psycopg", "pytest", "migrations", "tests", "enum", "typing",
    "datetime", "decimal", "uuid", "os", "sys", "test", "types", "json", "string",
}) | frozenset(sys.stdlib_module_names)


class Allocator:
    """Hands out unique names within one scope, in call order (deterministic)."""

    def __init__(self, taken: Iterable[str] = (), base: Collection[str] = frozenset()) -> None:
        self.taken: set[str] = set(taken)
        self.base = base  # shared reserved names, not copied

    def is_taken(self, name: str) -> bool:
        return name in self.taken or name in self.base

    def take(self, wanted: str) -> str:
        """``wanted`` if free, else ``wanted_2``, ``wanted_3``, ..."""
        name, n = wanted, 2
        while self.is_taken(name):
            name, n = f"{wanted}_{n}", n + 1
        self.taken.add(name)
        return name


PY_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))


def import_names(lines: Iterable[str]) -> set[str]:
    """Module-level names bound by import lines (``import sqlalchemy as sa`` → ``sa``)."""
    names: set[str] = set()
    for line in lines:
        line = line.strip()
        if line.startswith("from "):
            _, _, items = line.partition(" import ")
            for item in items.strip("()").split(","):
                parts = item.split(" as ")
                names.add(parts[-1].strip())
        elif line.startswith("import "):
            for item in line[len("import "):].split(","):
                parts = item.split(" as ")
                names.add(parts[-1].strip() if len(parts) > 1 else parts[0].strip().split(".")[0])
    names.discard("")
    return names
