"""A table's default drawing from a sequence of another namespace (multi-schema designs
whose tables outside public share a counter in public, and the other way round)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

SEQUENCE_ELSEWHERE = """CREATE SCHEMA app;
CREATE SEQUENCE shared_seq;
CREATE SEQUENCE app.own_seq;
CREATE TABLE app.ticket (
  id integer DEFAULT nextval('shared_seq') PRIMARY KEY,
  other bigint DEFAULT nextval('public.shared_seq'::regclass),
  own integer DEFAULT nextval('app.own_seq')
);
CREATE TABLE public.note (id integer DEFAULT nextval('app.own_seq') PRIMARY KEY);
"""


def test_a_sequence_of_another_namespace_round_trips(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, SEQUENCE_ELSEWHERE)
