"""The names PostgreSQL gives to objects the DDL leaves unnamed.

Ported from ``makeObjectName`` / ``ChooseRelationName`` / ``ChooseConstraintName``
(src/backend/commands/indexcmds.c, catalog/pg_constraint.c) so that an imported design exports
to the same catalog: ``<table>_pkey``, ``<table>_<cols>_key``, ``<table>_<cols>_fkey``,
``<table>_<col>_check``, ``<table>_<cols>_idx``, ``<table>_<col>_seq``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

NAMEDATALEN = 64


def _clip(name: str, nbytes: int) -> str:
    """The longest prefix of ``name`` that fits in ``nbytes`` UTF-8 bytes (pg_mbcliplen)."""
    raw = name.encode()
    if len(raw) <= nbytes:
        return name
    return raw[:nbytes].decode(errors="ignore")


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """``name1_name2_label`` shortened to 63 bytes by trimming the longer of name1/name2."""
    n1 = len(name1.encode())
    n2 = len(name2.encode()) if name2 else 0
    overhead = (1 if name2 else 0) + (len(label) + 1 if label else 0)
    avail = NAMEDATALEN - 1 - overhead
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    result = _clip(name1, n1)
    if name2:
        result += "_" + _clip(name2, n2)
    if label:
        result += "_" + label
    return result


def choose_name(name1: str, name2: str | None, label: str, taken: Callable[[str], bool]) -> str:
    """First of ``name1_name2_label``, ``..._label1``, ``..._label2`` ... not ``taken``."""
    candidate = make_object_name(name1, name2, label)
    n = 0
    while taken(candidate):
        n += 1
        candidate = make_object_name(name1, name2, f"{label}{n}")
    return candidate


def name_addition(names: Iterable[str]) -> str:
    """Column names joined by ``_`` (ChooseIndexNameAddition / ...ForeignKey...)."""
    return "_".join(names)


def index_column_names(names: Iterable[str]) -> list[str]:
    """Deduplicate index column labels the way ChooseIndexColumnNames does (``expr``,
    ``expr1``...)."""
    result: list[str] = []
    for orig in names:
        candidate, i = orig, 0
        while candidate in result:
            i += 1
            suffix = str(i)
            candidate = _clip(orig, NAMEDATALEN - 1 - len(suffix)) + suffix
        result.append(candidate)
    return result


def identifier_ok(name: str) -> bool:
    """Whether ``name`` fits PostgreSQL's identifier length (63 bytes)."""
    return len(name.encode()) < NAMEDATALEN
