"""Partitions are linted for what is theirs alone; what they copy from their parent is
reported once, on the parent (modeler/rules/partitions.py)."""

from __future__ import annotations

from collections import Counter

from modeler.importers import import_sql
from modeler.rules import lint

SQL = """
CREATE TABLE account (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE payment (
    id bigint NOT NULL, account_id bigint NOT NULL REFERENCES account (id),
    paid_on date NOT NULL, amount numeric(10,2) NOT NULL,
    PRIMARY KEY (id, paid_on)
) PARTITION BY RANGE (paid_on);
CREATE TABLE payment_2025 PARTITION OF payment FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE payment_2026 (id bigint NOT NULL, account_id bigint NOT NULL,
    paid_on date NOT NULL, amount numeric(10,2) NOT NULL);
ALTER TABLE ONLY payment ATTACH PARTITION payment_2026
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX payment_2026_amount ON payment_2026 (amount);
CREATE INDEX payment_2026_amount_again ON payment_2026 (amount);
"""


def test_copies_are_reported_on_the_parent_only() -> None:
    s = import_sql([("p.sql", SQL)]).schema
    names = {t.uid: t.name for t in s.tables}
    by_table = Counter(names[f.target.table_uid or ""] for f in lint(s)
                       if f.target.table_uid in names)
    parent = {f.rule for f in lint(s) if names.get(f.target.table_uid or "") == "payment"}
    # the parent has what every partition would repeat: no created_at, no comment, an FK
    # without ON DELETE, a composite key...
    assert {"TS-01", "TS-02", "DC-01", "KR-04"} <= parent
    assert by_table["payment_2025"] == 0  # nothing of its own
    own = {(f.rule, f.target.path) for f in lint(s)
           if names.get(f.target.table_uid or "") == "payment_2026"}
    # its own indexes are still checked (a duplicate), its copies are not
    assert ("IX-03", "payment_2026.payment_2026_amount_again") in own
    assert not any(rule in ("TS-01", "TS-02", "DC-01", "DC-02", "KR-04", "KR-02")
                   for rule, _ in own)


def test_a_plain_table_with_the_same_columns_is_linted_fully() -> None:
    plain = SQL.replace("ALTER TABLE ONLY payment ATTACH PARTITION payment_2026\n"
                        "    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');\n", "")
    s = import_sql([("p.sql", plain)]).schema
    rules = {f.rule for f in lint(s) if f.target.path.startswith("payment_2026")}
    assert {"TS-01", "TS-02", "DC-01"} <= rules
