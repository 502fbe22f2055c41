"""The differential round trip of one DDL script, with PostgreSQL as the oracle.

PostgreSQL loads the script into database A. The product imports it twice, from the SQL
text and from database A (live), and for each: exports the bundle, upgrades an empty
database, compares its catalog with A's, runs ``alembic check``, downgrades to an empty
database, upgrades again and compares again. Every step must hold; the first that does not
is the failure, with what to reproduce it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from modeler.codegen.version_table import version_table_name
from modeler.importers import ImportResult, import_live, import_sql
from modeler.schema import validate
from tests.catalog import Catalog, compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer


class Refused(Exception):
    """PostgreSQL refused the generated script: not a test case."""


def _gist(text: str) -> str:
    """The lines of a failure's output that say what failed (not the traceback frames)."""
    keep = [line.strip() for line in text.splitlines()
            if any(k in line for k in ("Error", "DETAIL", "HINT", "[SQL", "FAILED", "ERROR",
                                       "Detected", "add_", "remove_", "modify_"))]
    return "\n".join(keep[-6:]) or text[-800:]


@dataclass
class Outcome:
    failures: list[str] = field(default_factory=list)

    def fail(self, source: str, step: str, detail: str) -> None:
        self.failures.append(f"{source}: {step}: {detail}")


def load(url: str, script: str) -> None:
    try:
        with psycopg.connect(url) as conn:
            conn.execute(script.encode())
    except psycopg.Error as exc:
        raise Refused(str(exc)) from None


def _loop(server: PgServer, name: str, result: ImportResult, expected: Catalog,
          workdir: Path, out: Outcome) -> None:
    problems = validate.problems(result.schema)
    if problems:
        out.fail(name, "the imported design is invalid", "; ".join(problems[:3]))
        return
    bundle = rt.export_bundle(result.schema, workdir / name, "diff")
    with rt.database(server) as url:
        try:
            rt.alembic_upgrade(bundle, url)
        except rt.UpgradeError as exc:
            out.fail(name, "upgrade", _gist(str(exc)))
            return
        version_table = version_table_name([result.schema])
        report = compare(expected, rt.without_version_table(read_catalog(url), version_table))
        if not report.ok:
            out.fail(name, "catalog after upgrade", report.text(8))
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(), version_table)
        if not loop.check_clean:
            out.fail(name, "alembic check", _gist(loop.output))
        if not loop.down_ok or loop.leftovers:
            out.fail(name, "downgrade to empty",
                     _gist(loop.output) if not loop.down_ok else f"left {loop.leftovers}")
        elif not loop.again_identical:
            detail = loop.again.text(8) if loop.again is not None else _gist(loop.output)
            out.fail(name, "catalog after down and up again", detail)


def round_trip(server: PgServer, script: str) -> Outcome:
    """Every failure of the round trips of ``script`` (empty: all steps held)."""
    out = Outcome()
    with rt.database(server) as url_a, tempfile.TemporaryDirectory() as tmp:
        load(url_a, script)
        expected = read_catalog(url_a)
        try:
            from_sql = import_sql([("generated.sql", script)])
        except Exception as exc:
            out.fail("sql", "import", f"{type(exc).__name__}: {exc}")
        else:
            _loop(server, "sql", from_sql, expected, Path(tmp), out)
        try:
            from_db = import_live(url_a)
        except Exception as exc:
            out.fail("live", "import", f"{type(exc).__name__}: {exc}")
        else:
            _loop(server, "live", from_db, expected, Path(tmp), out)
    return out
