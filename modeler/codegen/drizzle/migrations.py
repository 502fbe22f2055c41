"""drizzle-kit 0.31 migrations, one per saved version: ``drizzle/NNNN_<tag>.sql`` (statements
separated by ``--> statement-breakpoint``), ``drizzle/NNNN_<tag>.down.sql`` (the way back, which
drizzle-kit does not have), ``drizzle/meta/_journal.json`` and ``drizzle/meta/NNNN_snapshot.json``.

The SQL is the DDL the Alembic revisions run: the differ's ops rendered by
:func:`modeler.codegen.migration.render_ops` and turned into SQL by SQLAlchemy's compiler
through Alembic's operations in offline mode (``op.execute`` statements are taken as they
are). Two differences, both because ``drizzle-kit migrate`` runs every pending migration in
one transaction: indexes, keys and checks on existing tables use the plain forms (no
``CREATE INDEX CONCURRENTLY``, which cannot run in a transaction, and no ``NOT VALID`` then
``VALIDATE``), and a first revision (from an empty database) is written directly by
:mod:`modeler.codegen.drizzle.ddl`, which is much faster on large designs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.ddl import ExecutableDDLElement

from modeler.codegen.drizzle import ddl
from modeler.codegen.drizzle.snapshot import ORIGIN_ID, snapshot, snapshot_id
from modeler.codegen.migration import render_ops, search_path
from modeler.codegen.migration_code import Call, Stmt
from modeler.codegen.plan import ModelPlan, build_plan
from modeler.codegen.versions import Revision, revision_id
from modeler.diff import diff, reverse_all
from modeler.schema.model import normalized

BREAKPOINT = "--> statement-breakpoint"
JOURNAL_VERSION = "7"


@dataclass(frozen=True)
class Migration:
    idx: int
    tag: str  # NNNN_vN_<slug>: the file names and the journal's tag
    when: int  # the journal's ``when`` (ms): strictly increasing, the migrator compares it
    up: list[str]
    down: list[str]
    header: list[str]
    snapshot: dict[str, Any]

    @property
    def breakpoints(self) -> bool:
        """Statements separated by the marker (the journal's flag; scripts/rollback.mjs reads
        it): always, since :func:`build_migrations` writes a statement that holds the marker
        through :func:`unsplittable` (drizzle's migrator splits on the marker whatever the
        journal says, and a file run whole would be one query string, where the COMMIT
        around ``ADD VALUE`` does not separate the value from its first use)."""
        return not any(BREAKPOINT in s for s in (*self.up, *self.down))


class _Offline:
    """Alembic operations that record the SQL they would run (offline mode), one string per
    statement; unlike Alembic's own offline output, tabs are kept and ``%`` is not doubled."""

    def __init__(self) -> None:
        # Alembic only here: a SQLAlchemy-only export never needs it (and its import is long)
        from alembic.operations import Operations
        from alembic.runtime.migration import MigrationContext

        self.out: list[str] = []
        ctx = MigrationContext.configure(
            dialect_name="postgresql", opts={"as_sql": True, "transactional_ddl": False},
            dialect_opts={"paramstyle": "named"})
        impl: Any = ctx.impl

        def _exec(construct: Any, execution_options: Any = None, multiparams: Any = None,
                  params: Mapping[str, Any] | None = None) -> None:
            if isinstance(construct, str):
                construct = sa.text(construct)
            kw: dict[str, Any] = ({} if isinstance(construct, ExecutableDDLElement)
                                  else {"compile_kwargs": {"literal_binds": True}})
            self.out.append(str(construct.compile(dialect=impl.dialect, **kw)).strip())

        impl._exec = _exec
        self.namespace: dict[str, Any] = {"op": Operations(ctx), "sa": sa,
                                          "postgresql": postgresql}

    def run(self, stmts: Sequence[Stmt], imports: set[str]) -> list[str]:
        for line in sorted(imports):
            exec(line, self.namespace)  # noqa: S102 - import lines of our own renderer
        self.out = []
        autocommit = False
        for stmt in stmts:
            if stmt.kind != "comment" and (stmt.kind == "autocommit") != autocommit:
                # as Alembic's autocommit_block (ALTER TYPE ... ADD VALUE, which cannot share
                # a transaction with the value's first use): drizzle's migrator runs every
                # pending migration in one transaction on one connection, so commit it and
                # begin the rest after
                autocommit = not autocommit
                self.out.append("COMMIT" if autocommit else "BEGIN")
            sql = ddl.stmt_sql(stmt)
            if sql is not None:
                self.out.append(sql)
            elif stmt.kind != "comment":
                code = stmt.code.one_line() if isinstance(stmt.code, Call) else stmt.code
                eval(code, self.namespace)  # noqa: S307 - code our own renderer wrote
        if autocommit:
            self.out.append("BEGIN")
        return list(self.out)


def revision_sql(rev: Revision, plan: ModelPlan | None = None) -> tuple[list[str], list[str]]:
    """(up, down) statements of one revision; ``plan``: the new schema's, when known."""
    old, new = normalized(rev.previous), normalized(rev.version.schema)
    if rev.down_revision is None:  # from an empty database
        plan = plan or build_plan(new)
        path = search_path(old, new)
        return ddl.create_all(new, plan, path), ddl.drop_all(new, plan, path)
    ops = diff(old, new)
    up, up_imports = render_ops(ops, old, safe=False, end=new)
    down, down_imports = render_ops(reverse_all(ops), new, safe=False, end=old)
    offline = _Offline()
    return offline.run(up, up_imports), offline.run(down, down_imports)


def _millis(created: str) -> int:
    try:
        when = datetime.fromisoformat(created)
    except ValueError:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def sql_comment(text: str) -> str:
    """Text for a ``--`` comment: no line break, no breakpoint marker."""
    return re.sub(r"[\r\n\u2028\u2029]+", " ", text).replace(BREAKPOINT, "--> statement break")


def migration_tag(idx: int, rev: Revision) -> str:
    """The migration's name in ``drizzle/`` (``0001_v2_<slug>``), ``idx`` its place."""
    rid = revision_id(rev.version)
    slug = rid.split("_", 1)[1] if "_" in rid else ""
    return f"{idx:04d}_v{rev.version.number}" + (f"_{slug}" if slug else "")


def build_migrations(revisions: Sequence[Revision], *, slug: str,
                     plan: ModelPlan | None = None) -> list[Migration]:
    """One migration per revision (``plan``: the last version's naming plan, if built)."""
    out: list[Migration] = []
    prev_id, when = ORIGIN_ID, 0
    for idx, rev in enumerate(revisions):
        last = idx == len(revisions) - 1
        up, down = revision_sql(rev, plan if last else None)
        up, down = [unsplittable(s) for s in up], [unsplittable(s) for s in down]
        when = max(when + 1, _millis(rev.version.created))
        sid = snapshot_id(slug, rev.version.number)
        v = rev.version
        header = [f"-- Version {v.number}: {sql_comment(v.message)}",
                  f"-- Author: {sql_comment(v.author)}, {sql_comment(v.created)}"]
        if rev.version.baseline:
            header.append("-- Imported baseline: on the database it was imported from, mark it "
                          "applied instead of running it (README.md).")
        out.append(Migration(idx, migration_tag(idx, rev), when, up, down, header,
                             snapshot(rev.version.schema, id=sid, prev_id=prev_id)))
        prev_id = sid
    return out


def unsplittable(sql: str) -> str:
    """``sql`` as a statement without the breakpoint marker in its text: drizzle's migrator
    (drizzle-kit migrate, migrate()) cuts every file at each marker, so a statement holding
    one (a comment, a default, a kept function's body) runs as ``EXECUTE`` of its exact text,
    the marker spelled in two pieces."""
    if BREAKPOINT not in sql:
        return sql
    pieces = sql.split(BREAKPOINT)
    marker = f" || '{BREAKPOINT[:2]}' || '{BREAKPOINT[2:]}' || "
    n = 0
    while True:  # dollar quotes that no piece (nor a piece next to a quote) can end early
        outer, inner = f"$brk{n or ''}$", f"$sql{n or ''}$"
        quoted = [f"{inner}{piece}{inner}" for piece in pieces]
        text = f"DO {outer} BEGIN EXECUTE {marker.join(quoted)}; END {outer}"
        if text.count(outer) == 2 and all(
                (piece + inner).find(inner) == len(piece) for piece in pieces):
            return text
        n += 1


def migration_text(m: Migration, statements: list[str], header: list[str]) -> str:
    """A migration file: the header comments, then the statements (each ending with ``;``),
    separated by the breakpoint marker when the migration uses it."""
    sep = f"\n{BREAKPOINT}\n" if m.breakpoints else "\n"
    head = "\n".join(header) + "\n"
    if not statements:
        return head + "-- no database changes\n"
    return head + sep.join(f"{s};" for s in statements) + "\n"


def journal(migrations: Sequence[Migration]) -> dict[str, Any]:
    return {"version": JOURNAL_VERSION, "dialect": "postgresql",
            "entries": [{"idx": m.idx, "version": JOURNAL_VERSION, "when": m.when,
                         "tag": m.tag, "breakpoints": m.breakpoints} for m in migrations]}
