"""Identifier rules and the naming convention shared by rules, editor defaults and codegen."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_IDENTIFIER_BYTES = 63
SNAKE_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# The convention, in SQLAlchemy MetaData(naming_convention=...) tokens; the exporter sets the
# same dict so that generated names and exported names agree (rule NM-04).
NAMING_CONVENTION: dict[str, str] = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
}


def is_snake_case(name: str) -> bool:
    return bool(SNAKE_RE.match(name))


# Latin letters that Unicode does not decompose into an ASCII letter and a mark
_LATIN_FOLD = str.maketrans({"ß": "ss", "ẞ": "Ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
                             "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
                             "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i"})


def ascii_fold(name: str) -> str:
    """Latin letters without their accents: ``Café`` → ``Cafe``, ``Größe`` → ``Grosse``
    (other scripts are left as they are)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LATIN_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def to_snake_case(name: str) -> str:
    """``OrderLine`` → ``order_line``; ``Customer ID`` → ``customer_id``; ``Café`` →
    ``cafe`` (accents dropped, not the letters)."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_fold(name.strip()))
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"[^0-9A-Za-z]+", "_", s).strip("_").lower()
    s = re.sub(r"_+", "_", s)
    if not s:
        return "unnamed"
    return s if s[0].isalpha() else f"n_{s}"


def truncate(name: str) -> str:
    """Fit a generated name in 63 bytes the way SQLAlchemy does: cut and add a short hash."""
    if len(name.encode()) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.md5(name.encode()).hexdigest()[-4:]
    cut = name.encode()[: MAX_IDENTIFIER_BYTES - 5].decode(errors="ignore")
    return f"{cut}_{digest}"


def pk_name(table: str) -> str:
    return truncate(f"pk_{table}")


def fk_name(table: str, columns: list[str] | tuple[str, ...], referred: str) -> str:
    return truncate(f"fk_{table}_{'_'.join(columns)}_{referred}")


def uq_name(table: str, columns: list[str] | tuple[str, ...]) -> str:
    return truncate(f"uq_{table}_{'_'.join(columns)}")


def ck_name(table: str, name: str) -> str:
    return truncate(f"ck_{table}_{name}")


def ix_name(table: str, columns: list[str] | tuple[str, ...]) -> str:
    return truncate(f"ix_{table}_{'_'.join(columns)}")
