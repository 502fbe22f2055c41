"""The DBML reference implementation's own test inputs (``../shared/corpus/holistics-dbml-tests``):
each reference-valid DBML input imports, each reference-invalid one is refused at a line or
imported with a warning naming its problem, each SQL input is refused as not DBML, none
raises anything else; and every imported design exports and upgrades on PostgreSQL, or a
warning says why it would not. The rules: :mod:`tests.importers.dbml_reference`."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_dbml
from tests.importers import dbml_reference as ref
from tests.pgtemp import PgServer

INPUTS = ref.inputs()
SKIP = pytest.mark.skipif(not INPUTS, reason=f"the holistics-dbml-tests corpus is not on this "
                          f"machine ({ref.CORPUS}): nothing to check")


def _ids(items: list[ref.Input]) -> list[str]:
    return [i.name for i in items]


@SKIP
def test_the_corpus_is_all_there() -> None:
    dbml = [i for i in INPUTS if i.format == "dbml"]
    assert (len(INPUTS), len(dbml)) == (106, 64)
    assert sum(i.valid for i in dbml) == 53  # 49 in INDEX.tsv, 4 dbml2sql inputs
    assert {i.short for i in dbml if not i.valid} == set(ref.PROBLEMS)


@SKIP
@pytest.mark.parametrize("item", INPUTS, ids=_ids(INPUTS))
def test_each_input_imports_or_is_refused_with_a_line(item: ref.Input) -> None:
    outcome = ref.run_import(item)
    assert outcome.status != "crashed", outcome.error
    if item.format == "sql":
        assert outcome.status == "refused", "SQL is not DBML"
        assert f"{item.name}:" in outcome.error and "DBML syntax error" in outcome.error
        return
    if item.valid:
        assert outcome.status in ("accepted", "warned"), outcome.error
        assert outcome.result is not None
        assert not [w for w in outcome.result.warnings if w.kind == "error"]
        assert all(w.line is not None for w in outcome.result.warnings), \
            [str(w) for w in outcome.result.warnings if w.line is None]
        return
    text = "\n".join(outcome.messages)
    for problem in item.problems:
        assert problem in text, (problem, outcome.messages)
    if outcome.status == "refused":
        assert f"{item.name}:" in outcome.error  # file:line
        line = outcome.error.split(":", 2)[1]
        assert line.isdigit(), outcome.error


@SKIP
def test_files_imported_together_resolve_each_others_references() -> None:
    """The CLI's dbml2sql inputs business/customer/inventory.dbml refer to each other's
    tables: imported as one design, every reference resolves."""
    parts = [i for i in INPUTS if "dbml2sql__filenames" in i.name]
    result = import_dbml([(i.short, i.text()) for i in parts])
    assert (result.counts["tables"], result.counts["relationships"]) == (16, 14)
    assert not [w for w in result.warnings if w.kind in ("unresolved", "error")]


@SKIP
@pytest.mark.postgres
def test_each_imported_design_upgrades_or_says_why_not(pg_server: PgServer,
                                                       tmp_path: Path) -> None:
    """One database per input, one interpreter for all the upgrades (about 20 s)."""
    outcomes = [ref.run_import(i) for i in INPUTS if i.format == "dbml"]
    ref.upgrade_all(pg_server, outcomes, tmp_path)
    failed = {o.input.short: o.upgrade for o in outcomes
              if o.result is not None and o.upgrade != "" and not ref.warned_why(o)}
    assert not failed, failed
    upgraded = sorted(o.input.short for o in outcomes if o.upgrade == "")
    not_upgraded = sorted(o.input.short for o in outcomes
                          if o.result is not None and o.upgrade != "")
    # the one that does not: types of schemas DBML cannot declare, kept as written
    assert not_upgraded == ["custom_type"], not_upgraded
    assert len(upgraded) == 62
