"""The generative differential through the Drizzle bundle (tests/drizzle/differential.py).

Hypothesis writes random valid DDL (tests/fidelity/ddlgen.py); PostgreSQL loads it; each
import (SQL text, live database) exports a Drizzle bundle whose ``drizzle-kit migrate`` must
build PostgreSQL's catalog, with ``generate`` finding no change, ``check`` passing, rollback
to empty and migrate again; and three-version designs (a script, then two mutations of it)
whose migrations apply in order to PostgreSQL's catalog after the last mutation and roll back
to each version's (bench/differential.py --versions checks the Alembic revisions too). Every
bundle is type-checked (``tsc --noEmit``, strict) in one program at the end, beside a broken
bundle that must fail it. Few examples, derandomized (CI is deterministic);
``bench/differential.py --drizzle`` and ``--versions`` run many more.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.codegen.designs import DESIGNS
from tests.drizzle import differential as dd
from tests.drizzle import helpers as h
from tests.fidelity.ddlgen import evolutions, scripts
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

_SETTINGS = settings(max_examples=2, deadline=None, derandomize=True, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck), database=None)


def test_random_ddl_and_versions_through_drizzle(pg_server: PgServer, node_modules: Path,
                                                tmp_path: Path) -> None:
    bundles = dd.Bundles(tmp_path)
    failures: list[str] = []

    @_SETTINGS
    @given(data=st.data())
    def one_version(data: st.DataObject) -> None:
        script = data.draw(scripts(extended=True), label="script")
        try:
            outcome = dd.round_trip(pg_server, script, node_modules, bundles,
                                    f"one{len(bundles.dirs)}")
        except dd.Refused:
            return  # PostgreSQL refused the generated script: not a case
        failures.extend(f"{f}\n--- script:\n{script}" for f in outcome.failures)

    @settings(_SETTINGS, max_examples=1)
    @given(data=st.data())
    def two_versions(data: st.DataObject) -> None:
        script, changes = data.draw(evolutions(extended=True, changes=2), label="versions")
        try:
            outcome = dd.versions_round_trip(pg_server, script, changes, node_modules,
                                             bundles, f"two{len(bundles.dirs)}", alembic=False)
        except dd.Refused:
            return
        text = "\n--- then:\n".join([script, *changes])
        failures.extend(f"{f}\n--- script:\n{text}" for f in outcome.failures)

    one_version()
    two_versions()
    assert failures == [], "\n\n".join(failures)
    assert any(name.startswith("one") for name in bundles.dirs), "no script PostgreSQL took"
    assert any(name.startswith("two") for name in bundles.dirs), "no versions PostgreSQL took"
    # one tsc run for every bundle, and a broken one that must fail it
    broken = bundles.new("broken")
    h.write_drizzle(DESIGNS["shop"](), broken, "shop", node_modules)
    schema = broken / "src" / "db" / "schema.ts"
    text = schema.read_text()
    assert "foreignColumns: [customer.id]" in text
    schema.write_text(text.replace("foreignColumns: [customer.id]",
                                   "foreignColumns: [customer.idx]"))
    errors = dd.typecheck(bundles)
    assert any("TS2339" in e and "idx" in e for e in errors.pop("broken", [])), errors
    assert errors == {}, "\n".join(line for lines in errors.values() for line in lines[:10])
