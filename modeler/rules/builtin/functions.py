"""CN-08: the functions a design's expressions call, and the clauses it uses, exist in its
target PostgreSQL.

The catalog of PostgreSQL's own functions and of the functions each contrib or packaged
extension adds is data (``data/pg_functions.json``, written by
``scripts/pg_function_catalog.py`` from a real server), with the version that added the
newer ones. A function is provided when PostgreSQL has it at the design's target version,
when an extension of the design adds it, or when the design's kept SQL creates it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    Target,
    check_target,
    column_target,
    index_target,
    register,
    unique_target,
)
from modeler.schema import edit, sqlexpr
from modeler.schema.model import Schema

_DATA = Path(__file__).parents[1] / "data" / "pg_functions.json"

# Other databases' spellings people bring along, with PostgreSQL's own.
OTHER_DATABASES = {
    "getdate": "now()", "sysdate": "now()", "sysdatetime": "now()", "getutcdate": "now()",
    "current_timestamp": "CURRENT_TIMESTAMP", "newid": "gen_random_uuid()",
    "uuid": "gen_random_uuid()", "len": "length()", "isnull": "coalesce()",
    "nvl": "coalesce()", "ifnull": "coalesce()", "datetime": "now()",
    "curdate": "CURRENT_DATE", "unix_timestamp": "extract(epoch FROM now())",
    "rand": "random()", "charindex": "strpos()", "instr": "strpos()",
}


@dataclass(frozen=True)
class FunctionCatalog:
    builtin: frozenset[str]
    version_added: dict[str, int]
    extension_of: dict[str, tuple[str, ...]]  # function name -> extensions that add it


@lru_cache(maxsize=1)
def catalog() -> FunctionCatalog:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    owners: dict[str, list[str]] = {}
    for ext, names in data["extensions"].items():
        for name in names:
            owners.setdefault(name, []).append(ext)
    return FunctionCatalog(frozenset(data["builtin"]), dict(data["version_added"]),
                           {k: tuple(sorted(v)) for k, v in owners.items()})


def _expressions(schema: Schema) -> Iterator[tuple[Target, str, str]]:
    """(target, where, text) of every expression of the design."""
    for t in schema.tables:
        for c in t.columns:
            for where, text in (("default", c.default), ("generated", c.generated)):
                if text is not None:
                    yield column_target(t, c), where.capitalize(), text
        for k in t.checks:
            yield check_target(t, k), "Check", k.expression
        for ix in t.indexes:
            texts = [p.expression for p in ix.parts if p.expression] + (
                [ix.where] if ix.where else [])
            for text in texts:
                yield index_target(t, ix), "Index", text
    for d in schema.domains:
        target = Target("domain", d.qualified_name, d.uid)
        if d.default is not None:
            yield target, "Default", d.default
        for dk in d.checks:
            yield target, f"Check {dk.name}", dk.expression


def _syntax(schema: Schema) -> Iterator[tuple[Target, str, int]]:
    """(target, feature, the PostgreSQL version that brought it) of every use in the design
    of a clause older servers refuse."""
    for t in schema.tables:
        for c in t.columns:
            if c.compression is not None:
                yield column_target(t, c), f"COMPRESSION {c.compression}", 14
        for u in t.uniques:
            if u.nulls_not_distinct:
                yield unique_target(t, u), "UNIQUE NULLS NOT DISTINCT", 15
        for ix in t.indexes:
            if ix.nulls_not_distinct:
                yield index_target(t, ix), "NULLS NOT DISTINCT", 15


def _kept_functions(schema: Schema) -> set[str]:
    """Names of the functions (and aggregates, procedures) the design's kept SQL creates."""
    return {r.name.lower() for r in schema.raw_objects
            if r.kind in ("function", "procedure", "aggregate", "other")}


@register
class FunctionsExist(Rule):
    """Every function an expression calls, and every clause, exists in the target PostgreSQL.

    A default, CHECK or index expression that calls a function the database does not have
    is saved fine and fails at ``alembic upgrade``: another database's function
    (``getdate()``), one that came in a later PostgreSQL than the target, or one an extension
    adds while the design does not create that extension. The fix adds the extension. So
    does a clause a later PostgreSQL brought: a column's ``COMPRESSION`` (14), ``NULLS NOT
    DISTINCT`` on a unique constraint or index (15).

    Bad:
        id uuid DEFAULT uuid_generate_v4()  -- and no extension "uuid-ossp"
        created_at timestamptz DEFAULT getdate()
        UNIQUE NULLS NOT DISTINCT (email)  -- the project targets PostgreSQL 14

    Good:
        id uuid DEFAULT gen_random_uuid()
        created_at timestamptz DEFAULT now()
    """

    id = "CN-08"
    name = "Feature exists in the target version"
    level = Level.BLOCK
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        cat = catalog()
        have = {e.name for e in schema.extensions}
        kept = _kept_functions(schema)
        version = schema.settings.pg_version
        for target, where, text in _expressions(schema):
            try:
                called = sqlexpr.functions(text)
            except sqlexpr.ExpressionError:
                continue  # refused by validation already
            for ns, name in called:
                finding = self._missing(cat, ns, name.lower(), have, kept, version, where)
                if finding is not None:
                    message, hint, fixable = finding
                    yield self.finding(target, message, hint, fixable=fixable)
        for target, feature, since in _syntax(schema):
            if since > version:
                yield self.finding(
                    target, f"{feature} needs PostgreSQL {since} (target {version})",
                    f"Raise the project's PostgreSQL version to {since}, or remove "
                    f"{feature}", fixable=False)

    @staticmethod
    def _missing(cat: FunctionCatalog, ns: str | None, name: str, have: set[str],
                 kept: set[str], version: int, where: str
                 ) -> tuple[str, str, bool] | None:
        if name in kept or (ns is not None and ns not in ("pg_catalog", "public")):
            return None  # a function of the design's own SQL, or of a namespace it names
        if name in cat.builtin or name in cat.version_added:
            since = cat.version_added.get(name)
            if since is None or since <= version:
                return None
            return (f"{where}: {name}() needs PostgreSQL {since} (target {version})",
                    f"Raise the project's PostgreSQL version to {since}, or avoid {name}()",
                    False)
        owners = [e for e in cat.extension_of.get(name, ()) if e not in have]
        if cat.extension_of.get(name) and not owners:
            return None
        if owners:
            return (f"{where}: {name}() comes from extension {owners[0]}, not created",
                    f"Add extension {owners[0]}", True)
        other = OTHER_DATABASES.get(name)
        hint = f"PostgreSQL spells it {other}" if other else (
            "Use a PostgreSQL function, or add the extension or kept SQL that creates it")
        return f"{where}: function {name}() does not exist in PostgreSQL {version}", hint, False

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        if not finding.fixable or not finding.hint.startswith("Add extension "):
            return None
        return partial(edit.add_extension, name=finding.hint.removeprefix("Add extension "))

