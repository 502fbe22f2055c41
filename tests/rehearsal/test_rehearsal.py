"""Rehearsals on real PostgreSQL: the export test designs and corpus schemas pass; broken
designs fail the check that names their problem."""

from __future__ import annotations

import json

import psycopg
import pytest

from modeler.codegen.versions import VersionInput
from modeler.rehearsal import (
    Options,
    Report,
    rehearse,
    report_dict,
    report_markdown,
    report_text,
    rule_facts,
)
from modeler.schema.builder import SchemaBuilder
from tests.codegen.designs import DESIGNS
from tests.pgtemp import PgServer
from tests.rehearsal.broken import BROKEN, healthy


def _scratch_databases(server: PgServer) -> list[str]:
    with psycopg.connect(server.url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'rehearsal\\_%'")]


def _run(server: PgServer, versions: list[VersionInput], **kw: object) -> Report:
    report = rehearse(versions, Options(server_url=server.url, **kw))  # type: ignore[arg-type]
    assert _scratch_databases(server) == [], "the scratch database must be dropped"
    return report


def _failing(report: Report) -> set[str]:
    return {c.key for c in report.checks if c.status == "fail"}


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_export_designs_pass(pg_server: PgServer, name: str) -> None:
    report = _run(pg_server, DESIGNS[name](), slug=name, scale=0.2)
    assert report.ok, report_text(report)
    keys = {c.key for c in report.checks}
    assert "migration" in keys and "query-plans" in keys
    data = report.data or report.topup
    assert data is not None and data.rows > 0
    if report.previous is not None:
        assert report.round_trip is not None and report.round_trip.ok


@pytest.mark.parametrize("name", ["chinook", "pagila", "netbox"])
def test_corpus_schemas_pass(pg_server: PgServer, name: str) -> None:
    from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec

    spec = SQL_SCHEMAS[name]
    if spec.missing():
        pytest.skip(f"corpus files missing: {spec.missing()}")
    schema = import_spec(spec).schema
    versions = [VersionInput(1, "Imported", "t", "2026-01-01", schema, baseline=True),
                VersionInput(2, "Unchanged", "t", "2026-01-02", schema)]
    report = _run(pg_server, versions, slug=name, scale=0.1)
    assert report.ok, report_text(report)
    assert report.data is not None
    assert all(t.loaded for t in report.data.tables), report_text(report)
    assert report.round_trip is not None and report.round_trip.ok


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_designs_fail_the_right_check(pg_server: PgServer, name: str) -> None:
    build, check = BROKEN[name]
    kw: dict[str, object] = {"slug": name}
    if name == "rewrite":  # a large table: 5 million rows expected, 50,000 rehearsed
        kw.update(scale=0.01, expected_rows={"entry": 5_000_000})
    report = _run(pg_server, build(), **kw)
    assert not report.ok
    assert _failing(report) == {check}, report_text(report)
    text = report_text(report)
    if name == "not-null-without-backfill":
        # the migration adds it nullable, then validates NOT NULL: the rows have no value
        assert "entry_position_not_null" in text and "violated" in text
    if name == "check-violated":
        assert "ck_entry_small" in text
    if name == "rewrite":
        assert "rewrites entry under ACCESS EXCLUSIVE" in text
    if name == "missing-index":
        assert report.plans is not None
        (pattern,) = report.plans.patterns
        assert pattern.suggestion == 'CREATE INDEX ON "public"."entry" ("account_id", "booked_at")'
        assert pattern.with_suggestion is not None and pattern.with_suggestion.index
        assert any(f.rule == "RH-05" for f in rule_facts(report))


def test_healthy_design_on_a_local_cluster_with_reports() -> None:
    """No server configured: a throw-away local cluster; skew where frequently_queried."""
    report = rehearse(healthy(), Options(slug="ledger", scale=2.0, seed=7))
    assert report.ok, report_text(report)
    assert "local cluster" in report.server
    assert report.plans is not None and report.plans.patterns[0].served
    doc = json.loads(json.dumps(report_dict(report), default=str))
    assert doc["ok"] is True and doc["revisions"][0]["ok"] is True
    assert {c["key"] for c in doc["checks"]} >= {"previous-upgrade", "sample-data",
                                                "migration", "locks", "round-trip",
                                                "query-plans", "fk-scans"}
    md = report_markdown(report)
    assert md.startswith("# Rehearsal: Ledger, version 2") and "| round-trip |" in md
    assert report_text(report).rstrip().endswith("PASSED")
    assert rule_facts(report) == []


def test_skewed_column_and_unsatisfiable_check(pg_server: PgServer) -> None:
    """A frequently queried FK column is skewed; a CHECK the generator cannot satisfy is
    reported with the rows PostgreSQL refused, not skipped."""
    b = SchemaBuilder(name="Codes")
    a = b.table("account")
    a.column("id", "bigint", identity="always", pk=True)
    a.column("code", "text")
    a.check("ck_account_code_format", "code ~ '^[A-Z]{3}-[0-9]{4}$'")
    e = b.table("entry")
    e.column("id", "bigint", identity="always", pk=True)
    e.column("account_id", "bigint", frequently_queried=True)
    e.index("account_id")
    b.relationship("entry", ["account_id"], "account", on_delete="CASCADE",
                   on_update="NO ACTION")
    ok_schema = b.build()
    versions = [VersionInput(1, "Codes", "t", "2026-01-01", ok_schema)]
    report = _run(pg_server, versions, slug="codes")
    data = report.data or report.topup
    assert data is not None
    account = next(t for t in data.tables if t.table == "account")
    assert account.check_failures == {"ck_account_code_format": 1000}
    sample = next(c for c in report.checks if c.key == "sample-data")
    assert sample.status == "warn" and "ck_account_code_format" in "\n".join(sample.details)




def test_frequently_queried_columns_are_skewed(pg_url: str) -> None:
    from modeler.rehearsal.datagen import Hints, load_sample_data

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE account (id bigint PRIMARY KEY, code text UNIQUE NOT NULL)")
        conn.execute("CREATE TABLE entry (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                     "account_id bigint NOT NULL REFERENCES account, flat_id bigint NOT NULL "
                     "REFERENCES account, kind text NOT NULL)")
    hints = Hints(expected_rows={"public.account": 100, "public.entry": 5000},
                  skewed={"public.entry": frozenset({"account_id"})})
    load = load_sample_data(pg_url, hints)
    assert [t.loaded for t in load.tables] == [100, 5000]
    with psycopg.connect(pg_url) as conn:
        def top_share(column: str) -> float:
            row = conn.execute(f"SELECT max(n)::float / sum(n) FROM (SELECT count(*) AS n "
                               f"FROM entry GROUP BY {column}) c").fetchone()
            assert row is not None
            return float(row[0])
        assert top_share("account_id") > 0.1  # Zipf-like: the top account is common
        assert top_share("flat_id") < 0.03  # uniform: about 1 in 100
        (nextval,) = conn.execute("SELECT nextval(pg_get_serial_sequence('entry', 'id'))"
                                  ).fetchone() or (0,)
        assert nextval > 5000  # identity continues after the generated keys
