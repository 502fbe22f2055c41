"""Building blocks of DESIGN.md: Markdown helpers and the per-object explanations
(why an FK has its actions, why an index exists)."""

from __future__ import annotations

from collections.abc import Sequence

from modeler.codegen.specs import expression_sql
from modeler.codegen.sqlwriter import expr
from modeler.schema.model import Index, Relationship, Schema, Table


def cell(value: object) -> str:
    """Text safe inside a Markdown table cell."""
    text = "" if value is None else str(value)
    if text and text.isprintable() and "|" not in text and "  " not in text \
            and text[0] != " " and text[-1] != " ":
        return text  # what the line below gives it (no whitespace but single inner spaces)
    return " ".join(text.replace("|", "\\|").split()) or " "


def code(value: str) -> str:
    """Inline code that survives backticks in the value."""
    return f"`` {value} ``" if "`" in value else f"`{value}`"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return ""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def action_reason(schema: Schema, rel: Relationship) -> str:
    """Why the FK behaves as it does, in one sentence."""
    child, parent = schema.table(rel.child_table), schema.table(rel.parent_table)
    reasons = {
        "CASCADE": f"{child.name} rows depend on their {parent.name}: deleting the parent "
                   "deletes them",
        "SET NULL": f"the link is optional: {child.name} rows outlive their {parent.name}",
        "SET DEFAULT": "orphans fall back to the column default",
        "RESTRICT": f"a {parent.name} cannot be deleted while {child.name} rows refer to it",
        "NO ACTION": f"a {parent.name} cannot be deleted while {child.name} rows refer to it "
                     "(checked at the end of the statement)",
        "UNSPECIFIED": "no action was chosen (database default NO ACTION)",
    }
    text = reasons[rel.on_delete]
    if rel.comment:
        text += f". {rel.comment}"
    return text


def index_definition(schema: Schema, table: Table, index: Index) -> str:
    parts = []
    for p in index.parts:
        s = schema.column(p.column).name if p.column else expression_sql(p.expression or "")
        if p.opclass:
            s += f" {p.opclass}"
        if p.descending:
            s += " DESC"
        parts.append(s)
    text = f"{'UNIQUE ' if index.unique else ''}{index.method} ({', '.join(parts)})"
    if index.include:
        text += " INCLUDE (" + ", ".join(schema.column(c).name for c in index.include) + ")"
    if index.where:
        text += f" WHERE {expr(index.where)}"
    return text


def index_reasons(schema: Schema, table: Table, index: Index) -> list[str]:
    """Why the index exists: FK coverage, uniqueness, query patterns, search, comment."""
    reasons: list[str] = []
    cols = [p.column for p in index.parts]
    if index.unique:
        reasons.append("enforces uniqueness")
    if index.method == "btree" and not index.where:
        reasons += fk_reasons(schema, table, cols)
    for qp in table.query_patterns:
        wanted = [*qp.equality, *([qp.range] if qp.range else []),
                  *(o.column for o in qp.order_by)]
        if wanted and cols[: len(wanted)] == wanted:
            reasons.append(f"serves query pattern {qp.name}" + (" (hot)" if qp.hot else ""))
    text = " ".join(p.expression or "" for p in index.parts)
    opclasses = " ".join(p.opclass or "" for p in index.parts)
    if "to_tsvector" in text:
        reasons.append("full-text search")
    if "trgm" in opclasses:
        reasons.append("substring search (trigram)")
    if index.method == "gin" and not reasons:
        reasons.append("containment / search queries (GIN)")
    for p in index.parts:
        if p.column and schema.column(p.column).frequently_queried:
            reasons.append(f"{schema.column(p.column).name} is frequently queried")
            break
    if index.where:
        reasons.append("partial: only rows matching the WHERE clause")
    if index.comment:
        reasons.append(index.comment)
    return reasons or ["declared in the design"]


def fk_reasons(schema: Schema, table: Table, cols: Sequence[str | None]) -> list[str]:
    """"covers FK x" for each FK of ``table`` whose columns lead ``cols`` (in any order)."""
    out = []
    for r in schema.relationships_of(table.uid):
        n = len(r.child_columns)
        if len(cols) >= n and None not in cols[:n] and set(cols[:n]) == set(r.child_columns):
            out.append(f"covers FK {r.name} (joins, ON DELETE checks on the parent)")
    return out


def fk_covered(schema: Schema, rel: Relationship) -> bool:
    """Some plain B-tree index, PK or UNIQUE leads with exactly the FK columns."""
    table = schema.table(rel.child_table)
    n, want = len(rel.child_columns), set(rel.child_columns)
    leads: list[list[str | None]] = [[c.uid for c in table.primary_key]]
    leads += [list(u.columns) for u in table.uniques]
    leads += [list(i.column_uids) for i in table.indexes
              if i.method == "btree" and not i.where]
    return any(len(cols) >= n and set(cols[:n]) == want for cols in leads)
