"""The comment of the index behind a primary key, UNIQUE or EXCLUDE constraint (``COMMENT ON
INDEX cvterm_c1``, not ``COMMENT ON CONSTRAINT``) comes back from a live database. The live
import read index comments only with the indexes it reads, and those behind a constraint are
made by the constraint, so their comments were lost (found by bench/stranger_schemas.py:
Chado's complete.sql comments four of its UNIQUE constraints' indexes; the SQL import kept
them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers.roundtrips import assert_round_trips
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

SCRIPT = """
CREATE SCHEMA bio;
CREATE TABLE bio.cvterm (cvterm_id bigserial, name varchar(1024) NOT NULL, cv_id int NOT NULL,
    is_obsolete int NOT NULL DEFAULT 0,
    CONSTRAINT cvterm_pkey PRIMARY KEY (cvterm_id),
    CONSTRAINT cvterm_c1 UNIQUE (name, cv_id, is_obsolete));
COMMENT ON INDEX bio.cvterm_c1 IS 'A name can mean different things in
different contexts; it''s unique within an ontology.';
COMMENT ON INDEX bio.cvterm_pkey IS 'the key''s index';
COMMENT ON CONSTRAINT cvterm_c1 ON bio.cvterm IS 'the constraint itself';
CREATE TABLE booking (id int PRIMARY KEY, area circle,
    CONSTRAINT booking_no_overlap EXCLUDE USING gist (area WITH &&));
COMMENT ON INDEX booking_no_overlap IS 'no two areas overlap';
"""


def test_comments_on_constraint_indexes_come_back_live(pg_server: PgServer,
                                                      tmp_path: Path) -> None:
    assert_round_trips(pg_server, SCRIPT, tmp_path, "cidx", live=True)


def test_and_from_the_script(pg_server: PgServer, tmp_path: Path) -> None:
    assert_round_trips(pg_server, SCRIPT, tmp_path, "cidx")
