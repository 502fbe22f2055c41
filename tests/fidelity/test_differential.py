"""Generative differential test (issue #13): Hypothesis writes random valid DDL (quoted and
unicode names, composite and deferrable FKs, enums, domains, partitions, expression, partial
and DESC indexes, regex CHECKs, overloaded functions used by CHECKs, an operator over a
function), PostgreSQL loads it, the product imports it from the SQL and from the live
database, and each import's bundle must upgrade to the same catalog, pass ``alembic check``,
go down to an empty database and come back identical. A bounded number of examples runs
here (derandomized, so CI is stable); ``bench/differential.py`` runs many more."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fidelity.ddlgen import scripts
from tests.fidelity.differential import Refused, round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_random_ddl_round_trips_exactly(pg_server: PgServer, data: st.DataObject) -> None:
    script = data.draw(scripts(), label="script")
    try:
        outcome = round_trip(pg_server, script)
    except Refused:
        return  # PostgreSQL refused the generated script: not a case
    assert outcome.failures == [], "\n\n".join(outcome.failures)
