"""Documented differences a fidelity comparison leaves out, never silently.

An :class:`Exclusion` rewrites the two catalogs before :func:`tests.catalog.compare` so that
one precisely described difference stops counting, and says how many catalog rows it touched
(:func:`apply`). Each one names its reason; a test lists the exclusions of each schema next
to its assertion. Two kinds:

* limitations (``bug=False``): the model or the input format cannot carry the fact (a comment
  on a primary key; DBML has no name for a column-level ``[pk]``); the test fails when one
  touches nothing (the exclusion is stale and must go);
* workarounds for known bugs elsewhere (``bug=True``): the bug is reported with a reproducer;
  when it is fixed the exclusion touches nothing and the test warns that it can be removed.

Every rewrite is narrow: it changes a row only where the other side shows exactly the
expected difference, so anything else still fails the comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from tests.catalog import CATEGORIES, Catalog, Row

Rewrite = Callable[[Catalog, Catalog], tuple[Catalog, Catalog]]


@dataclass(frozen=True)
class Exclusion:
    name: str
    reason: str
    rewrite: Rewrite
    bug: bool = False


def changed_rows(before: Catalog, after: Catalog) -> int:
    return sum(len(before.category(c) - after.category(c)) for c in CATEGORIES)


def apply(expected: Catalog, actual: Catalog, exclusions: Iterable[Exclusion]
          ) -> tuple[Catalog, Catalog, dict[str, int]]:
    """Both catalogs after the exclusions, and the number of rows each one touched."""
    touched: dict[str, int] = {}
    for ex in exclusions:
        new_expected, new_actual = ex.rewrite(expected, actual)
        touched[ex.name] = changed_rows(expected, new_expected) + changed_rows(actual,
                                                                              new_actual)
        expected, actual = new_expected, new_actual
    return expected, actual, touched


def _with(catalog: Catalog, category: str, rows: Iterable[Row]) -> Catalog:
    return replace(catalog, **{category: frozenset(rows)})


def _by_key(rows: frozenset[Row], width: int) -> dict[Row, Row]:
    return {r[:width]: r for r in rows}


# --- columns (table, name, type, not null, default, identity, generated) ----------------------

def _column_fix(match: Callable[[Row, Row], bool], fix: Callable[[Row, Row], Row],
                side: str) -> Rewrite:
    """Rewrite a column row of ``side`` ("expected"/"actual") with ``fix(row, other)`` where
    the same column on the other side satisfies ``match(row, other)``."""
    def rewrite(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
        mine, theirs = (expected, actual) if side == "expected" else (actual, expected)
        other = _by_key(theirs.columns, 2)
        rows = [fix(r, other[r[:2]]) if r[:2] in other and match(r, other[r[:2]]) else r
                for r in mine.columns]
        new = _with(mine, "columns", rows)
        return (new, actual) if side == "expected" else (expected, new)

    return rewrite


def _nextval(default: object) -> bool:
    return isinstance(default, str) and default.startswith("nextval(")


def _pk_comments(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
    """Drop expected's comments on primary key constraints."""
    targets = set()
    for table, name, _ in expected.primary_keys:
        targets |= {f"{table}.{name}", f'{table}."{name}"'}
    return _with(expected, "comments", [r for r in expected.comments
                                        if not (r[0] == "constraint" and r[1] in targets)]), \
        actual


PK_COMMENT = Exclusion(
    "primary-key-comment",
    "the model has no comment on a primary key constraint (COMMENT ON CONSTRAINT <pkey>); "
    "the importer reports it as an approximation. Proposed: Table.pk_comment.", _pk_comments)


# --- DBML vs SQL -----------------------------------------------------------------------------

def _pk_names(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
    """Expected's PK (and its index) takes actual's default ``<table>_pkey`` name where the
    columns agree."""
    theirs = {r[0]: r for r in actual.primary_keys}
    renames: dict[tuple[str, str], str] = {}
    pks = []
    for r in expected.primary_keys:
        other = theirs.get(r[0])
        short = r[0].rpartition(".")[2].strip('"')
        if other is not None and other[2] == r[2] and other[1] == f"{short}_pkey" \
                and r[1] != other[1]:
            renames[(r[0], r[1])] = other[1]
            r = (r[0], other[1], r[2])
        pks.append(r)
    indexes = [(r[0], renames.get((r[0], r[1]), r[1]), *r[2:]) for r in expected.indexes]
    expected = _with(_with(expected, "primary_keys", pks), "indexes", indexes)
    return expected, actual


DBML_PK_NAME = Exclusion(
    "dbml-column-pk-unnamed",
    "a column-level DBML [pk] has no name: the primary key gets PostgreSQL's <table>_pkey "
    "(the file names only its composite keys, in Indexes blocks)", _pk_names)

DBML_NEXTVAL_LOST = Exclusion(
    "dbml-nextval-defaults-lost",
    "the DBML file has no default for columns the pg_dump gives DEFAULT nextval(...) with "
    "ALTER TABLE ... SET DEFAULT (lost when the DBML was generated)",
    _column_fix(lambda mine, other: _nextval(mine[4]) and other[4] is None
                and other[5] == "" and mine[:4] == other[:4],
                lambda mine, other: other, "expected"))

DBML_INCREMENT_IS_IDENTITY = Exclusion(
    "dbml-increment-is-identity",
    "DBML's [increment] cannot tell serial from identity; the importer reads it as GENERATED "
    "BY DEFAULT AS IDENTITY (rule TY-04) where the SQL has serial",
    _column_fix(lambda mine, other: _nextval(mine[4]) and mine[5] == "" and other[4] is None
                and other[5] == "d" and mine[:4] == other[:4],
                lambda mine, other: other, "expected"))


def _unnamed_checks(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
    """Expected's check takes actual's name where the table and definition agree and actual
    has the name PostgreSQL gives an unnamed column check (``<table>_<column>_check``)."""
    theirs: dict[tuple[str, str], list[str]] = {}
    for r in actual.checks:
        theirs.setdefault((r[0], r[2]), []).append(r[1])
    taken = {(r[0], r[1]) for r in expected.checks}
    rows = []
    for r in expected.checks:
        names = [n for n in theirs.get((r[0], r[2]), [])
                 if n.endswith("_check") and (r[0], n) not in taken]
        rows.append((r[0], names[0], r[2]) if len(names) == 1 and r[1] != names[0] else r)
    return _with(expected, "checks", rows), actual


DBML_CHECK_UNNAMED = Exclusion(
    "dbml-column-check-unnamed",
    "a column-level DBML check: setting has no name: the check gets PostgreSQL's "
    "<table>_<column>_check", _unnamed_checks)


def _unique_as_index(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
    """Drop expected's UNIQUE constraints that actual has as a unique index (same table,
    name and columns)."""
    names = {(r[0], r[1]) for r in actual.indexes if r[2] == "UNIQUE"}
    mine = {(r[0], r[1]) for r in actual.unique_constraints}
    rows = [r for r in expected.unique_constraints
            if not ((r[0], r[1]) in names and (r[0], r[1]) not in mine)]
    return _with(expected, "unique_constraints", rows), actual


DBML_UNIQUE_AS_INDEX = Exclusion(
    "dbml-unique-constraint-as-index",
    "DBML has no table-level UNIQUE constraint, only unique indexes: a composite UNIQUE "
    "(a, b) comes back as a unique index of the same name (the indexes category still "
    "compares it)", _unique_as_index)


def drop_rows(name: str, reason: str, category: str, expected_keys: Iterable[Row] = (),
              actual_keys: Iterable[Row] = (), bug: bool = False) -> Exclusion:
    """Leave out the rows of ``category`` whose first fields are one of the keys."""
    ekeys, akeys = frozenset(expected_keys), frozenset(actual_keys)

    def keep(row: Row, keys: frozenset[Row]) -> bool:
        return not any(row[:len(k)] == k for k in keys)

    def rewrite(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
        return (_with(expected, category, [r for r in expected.category(category)
                                           if keep(r, ekeys)]),
                _with(actual, category, [r for r in actual.category(category)
                                         if keep(r, akeys)]))

    return Exclusion(name, reason, rewrite, bug)


def drop_category(name: str, reason: str, category: str) -> Exclusion:
    return Exclusion(name, reason, lambda e, a: (_with(e, category, ()), _with(a, category, ())))
