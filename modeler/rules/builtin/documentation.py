"""Documentation (DC): table comments, column comments in complex tables, version messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from modeler.rules.analysis import AUDIT_COLUMNS, Analysis, analyze, is_money_named
from modeler.rules.builtin.migrations import destructive_changes
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    Target,
    column_target,
    on_tables,
    register,
    table_target,
    tables_in,
)
from modeler.schema.model import Schema, Table

MIN_COMMENT = 10
COMPLEX_COLUMNS = 10


def _words(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


@register
class TableComment(Rule):
    """Every table has a comment that says what one row is.

    The name says what the table is called, not what a row means, when rows are created and
    what they are for. The comment is exported to the database (``COMMENT ON TABLE``), the
    models and DESIGN.md. At least 10 characters, and not just the name again.

    Bad:
        COMMENT ON TABLE order_line IS 'order line';

    Good:
        COMMENT ON TABLE order_line IS 'One product in an order, with the price paid';
    """

    id = "DC-01"
    name = "Table comment"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            text = t.comment.strip()
            if not text:
                yield self.finding(table_target(t), "Table has no comment",
                                   "Say what one row is and when it is created")
            elif len(text) < MIN_COMMENT:
                yield self.finding(table_target(t), "Table comment is under 10 characters",
                                   "Say what one row is and when it is created")
            elif _words(text) in (_words(t.name), _words(t.name) + " table"):
                yield self.finding(table_target(t), "Table comment repeats the table name",
                                   "Say what one row is and when it is created")


def complexity(a: Analysis, t: Table) -> str | None:
    """Why a table is complex (so its columns need comments), or None."""
    business = [c for c in t.columns if c.name not in AUDIT_COLUMNS]
    if len(business) >= COMPLEX_COLUMNS:
        return f"{len(business)} columns"
    if t.checks:
        return "has CHECK constraints"
    if t.uid in a.cycle_tables:
        return "part of an FK cycle"
    for c in t.columns:
        ctype = a.base_type(c.type)
        if ctype.kind == "enum":
            return "has an enum column"
        if c.denormalized is not None:
            return "has a denormalized column"
        if ctype.kind == "builtin":
            if ctype.name in ("json", "jsonb"):
                return "has a JSON column"
            if ctype.name == "money" or (ctype.name in ("numeric", "real", "double precision")
                                         and is_money_named(c.name)):
                return "has a money column"
    return None


@register
class ColumnComments(Rule):
    """Columns of complex tables have comments.

    A table is complex when it has 10 or more columns (audit columns not counted), or any
    JSON, enum, money or denormalized column, a CHECK constraint, or is part of an FK cycle.
    There the meaning of each column is not obvious; the comment travels to the database,
    the models and DESIGN.md. Audit, key and FK columns are exempt.

    Bad:
        invoice.adjustment numeric(12,2)  -- no comment; credit or debit?

    Good:
        invoice.adjustment numeric(12,2)  -- 'Manual correction, positive = credit'
    """

    id = "DC-02"
    name = "Column comments in complex tables"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._check(schema, schema.tables)

    def recheck(self, old: Schema, new: Schema, changed: frozenset[str], config: Config,
                ) -> tuple[Callable[[Finding], bool], Iterable[Finding]]:
        # a table's findings: the table, the FK columns and cycles (relationships), domains
        return on_tables(changed, self._check(new, tables_in(new, changed)))

    def _check(self, schema: Schema, tables: Iterable[Table]) -> Iterator[Finding]:
        a = analyze(schema)
        for t in tables:
            why = None
            for c in t.columns:
                if c.comment.strip() or c.name in AUDIT_COLUMNS or c.in_pk or c.name == "id" \
                        or c.uid in a.fk_columns:
                    continue
                why = why or complexity(a, t) or "-"
                if why == "-":
                    break
                yield self.finding(column_target(t, c), "Column in a complex table lacks a comment",
                                   f"Comment it: the table {why}")


@register
class VersionMessage(Rule):
    """Every saved version says what changed and why.

    The message becomes the Alembic revision message and the review summary. Versions with
    destructive or data-changing steps also carry rollout and rollback notes: what to back
    up, what to check before, how to undo.

    Bad:
        message: "wip"

    Good:
        message: "Split customer address into customer_address (1:n)"
        notes: "Backfill runs in the migration; rollback restores the old columns"
    """

    id = "DC-03"
    name = "Version message"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        if config.version_message is None:
            return
        if len(config.version_message.strip()) < MIN_COMMENT:
            yield self.finding(Target("version", "version.message"),
                               "Version message is under 10 characters",
                               "Say what changed and why")
        risky = config.data_changing or (
            config.previous is not None and destructive_changes(config.previous, schema))
        if risky and len(config.version_notes.strip()) < MIN_COMMENT:
            yield self.finding(Target("version", "version.notes"),
                               "Destructive version lacks rollout/rollback notes",
                               "Add notes: backup, pre-checks, how to roll back")
