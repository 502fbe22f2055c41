"""A serial made an identity (TY-04's fix) and back: the values handed out go on.

The serial's sequence may be ahead of the table's rows (rows deleted, values taken by
``nextval()`` elsewhere): the identity made from it goes on where it was, not only after
the rows, or it hands out those values again. On the way down the serial's sequence, made
again by the revision, goes on where the identity was (read before ``DROP IDENTITY`` takes
the identity's sequence along); the owner's past-rows step (:func:`sequence_past_rows_sql`)
then only moves it forward.
"""

from __future__ import annotations

import re

from modeler.codegen.sqlwriter import qname, sql_str, table_name
from modeler.schema.identity import effective
from modeler.schema.model import Column, Schema, Sequence, Table

_NEXTVAL = re.compile(r"^\s*nextval\s*\(\s*'((?:[^']|'')+)'", re.IGNORECASE)


def called_sequence(column: Column, schema: Schema) -> Sequence | None:
    """The sequence of ``schema`` whose ``nextval()`` is ``column``'s default, or None."""
    m = _NEXTVAL.match(column.default or "")
    if m is None:
        return None
    text = m.group(1).replace("''", "'")
    for seq in schema.sequences:
        spellings = {qname(seq.namespace, seq.name), f"{seq.namespace}.{seq.name}",
                     qname("x", seq.name).removeprefix("x."), seq.name}
        if text in spellings:
            return seq
    return None


def identity_from_sequence_sql(table: Table, column: Column, seq: Sequence) -> list[str]:
    """After ``ADD GENERATED ... AS IDENTITY`` on ``column``, whose default called ``seq``:
    the identity takes ``seq``'s position (where its options allow it), then goes on after
    the column's rows if they reach the value it hands out next (never back)."""
    o = effective(column.identity_options, column.type)
    assert o.increment is not None and o.start is not None
    up = o.increment > 0
    identity = (f"pg_get_serial_sequence({sql_str(table_name(table))}, "
                f"{sql_str(column.name)})")
    col = column.name.replace('"', '""')
    edge = f'max("{col}")' if up else f'min("{col}")'
    # names quoted (qname, sql_str, the column's quotes doubled), numbers ints
    carry = (f"SELECT setval({identity}, s.last_value, s.is_called) "  # noqa: S608
             f"FROM {qname(seq.namespace, seq.name)} AS s "
             f"WHERE s.last_value BETWEEN {int(o.min_value or 0)} AND {int(o.max_value or 0)}")
    past = (f"SELECT setval(q.seq, r.edge) FROM (SELECT {identity} AS seq) AS q, "  # noqa: S608
            f"(SELECT {edge} AS edge FROM {table_name(table)}) AS r "
            f"WHERE r.edge {'>=' if up else '<='} coalesce(pg_sequence_last_value("
            f"q.seq::regclass) + ({int(o.increment)}), {int(o.start)})")
    return [carry, past]


def sequence_from_identity_sql(table: Table, column: Column, seq: Sequence) -> str:
    """Before ``DROP IDENTITY`` of ``column``, whose default will call ``seq`` (made again
    by the revision): ``seq`` takes the identity's position, where its bounds allow it."""
    identity = (f"pg_get_serial_sequence({sql_str(table_name(table))}, "
                f"{sql_str(column.name)})")
    # names quoted (qname, sql_str)
    return (f"SELECT setval({sql_str(qname(seq.namespace, seq.name))}, q.v) "  # noqa: S608
            f"FROM (SELECT pg_sequence_last_value({identity}::regclass) AS v) AS q, "
            f"pg_sequences AS p WHERE p.schemaname = {sql_str(seq.namespace or 'public')} "
            f"AND p.sequencename = {sql_str(seq.name)} "
            "AND q.v BETWEEN p.min_value AND p.max_value")
