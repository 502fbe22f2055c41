"""A version that enables (or forces) row level security on a table the version before had
already: the revision replayed the kept ALTER TABLE on the way up, and on the way down left
it on (the undoing of a kept ALTER TABLE was nothing, as for a statement whose object's own
drop takes it along: but the table stays). REPLICA IDENTITY: tests/fidelity/
test_replica_identity.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.helpers import script_versions, states, versions_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

BASE = "CREATE TABLE item (id int PRIMARY KEY);\n"
RLS = "ALTER TABLE item ENABLE ROW LEVEL SECURITY;\nALTER TABLE item FORCE ROW LEVEL SECURITY;\n"


@pytest.mark.postgres
def test_row_level_security_goes_back_on_the_way_down(pg_server: PgServer,
                                                      tmp_path: Path) -> None:
    bundle, first = versions_bundle(script_versions(BASE, BASE + RLS),
                                    tmp_path / "bundle", "rls")
    state = ("SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
             "WHERE oid = 'public.item'::regclass")
    with rt.database(pg_server) as url:
        assert states(bundle, url, state, "upgrade head", f"downgrade {first}") == [
            [(True, True)], [(False, False)]]
        states(bundle, url, None, "downgrade base")


TRIGGERED = """CREATE TABLE item (id int PRIMARY KEY);
CREATE TABLE log (id int);
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER tr BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION noop();
CREATE RULE "Keep" AS ON DELETE TO log DO INSTEAD NOTHING;
"""
STATES = ("ALTER TABLE item DISABLE TRIGGER tr;\n"
          "ALTER TABLE ONLY public.log ENABLE REPLICA RULE \"Keep\";\n")


@pytest.mark.postgres
def test_a_trigger_or_rule_state_goes_back_on_the_way_down(pg_server: PgServer,
                                                           tmp_path: Path) -> None:
    """``ALTER TABLE ... DISABLE TRIGGER`` / ``ENABLE REPLICA RULE`` (kept since 15848f8) of
    a version: the trigger and the rule fire again as made after the way down."""
    bundle, first = versions_bundle(script_versions(TRIGGERED, TRIGGERED + STATES),
                                    tmp_path / "bundle", "st")
    state = ("SELECT (SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'tr'), "
             "(SELECT ev_enabled::text FROM pg_rewrite WHERE rulename = 'Keep')")
    with rt.database(pg_server) as url:
        assert states(bundle, url, state, "upgrade head", f"downgrade {first}") == [
            [("D", "R")], [("O", "O")]]
        states(bundle, url, None, "downgrade base")
