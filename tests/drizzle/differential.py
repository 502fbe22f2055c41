"""The Drizzle step of the generative differential (tests/fidelity/differential.py).

PostgreSQL loads a random script (tests/fidelity/ddlgen.py) into database A; the product
imports it from the SQL text and from A (live); each import's Drizzle bundle must then
``drizzle-kit migrate`` an empty database to A's catalog, find no change with
``drizzle-kit generate``, pass ``drizzle-kit check``, roll back to an empty database
(``scripts/rollback.mjs``) and migrate to the same catalog again. ``tsc --noEmit`` (strict)
is left to :func:`typecheck`, which compiles many bundles in one TypeScript program (tsc is
the slow part: the drizzle-orm types load once).

Versions: :func:`versions_round_trip` runs a design's versions (a script and a mutation of
it, :func:`tests.fidelity.ddlgen.evolutions`): the migrations apply in order and end at
the catalog PostgreSQL has after the script and the mutation, and roll back step by step to
each version's catalog.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modeler.codegen.bundle import VersionInput
from modeler.importers import ImportResult, import_live, import_sql
from modeler.schema import validate
from modeler.schema.model import Schema
from tests.catalog import Catalog, compare, read_catalog
from tests.drizzle import helpers as h
from tests.fidelity import roundtrip as rt
from tests.fidelity.differential import Outcome, Refused, _gist, load
from tests.pgtemp import PgServer

__all__ = ["Bundles", "Refused", "round_trip", "typecheck", "versions_round_trip"]


@dataclass
class Bundles:
    """The bundles written so far, to type-check together: ``name -> directory``."""

    root: Path
    dirs: dict[str, Path] = field(default_factory=dict)

    def new(self, name: str) -> Path:
        self.dirs[name] = self.root / name
        return self.dirs[name]


def _version(number: int, schema: Schema, baseline: bool) -> VersionInput:
    return VersionInput(number=number, message=f"v{number}", author="differential",
                        created=f"2026-01-0{number}", schema=schema, baseline=baseline)


def drizzle_loop(server: PgServer, name: str, versions: Sequence[VersionInput],
                 expected: Sequence[Catalog], bundle: Path, node_modules: Path,
                 out: Outcome) -> None:
    """migrate, compare with ``expected[-1]``, generate, check, roll back version by version
    (comparing with each ``expected``), migrate again; failures go to ``out``."""
    h.write_drizzle(versions, bundle, "diff", node_modules)
    url = server.create_database("z")
    try:
        try:
            h.kit(bundle, url, "migrate")
        except AssertionError as exc:
            out.fail(name, "drizzle-kit migrate", _gist(str(exc)))
            return
        report = compare(expected[-1], h.drizzle_catalog(url))
        if not report.ok:
            out.fail(name, "catalog after drizzle-kit migrate", report.text(8))
        generated = h.kit(bundle, url, "generate", check=False)
        if "No schema changes" not in generated.stdout:
            out.fail(name, "drizzle-kit generate",
                     (generated.stdout + generated.stderr)[-1500:])
        checked = h.kit(bundle, url, "check", check=False)
        if "Everything's fine" not in checked.stdout:
            out.fail(name, "drizzle-kit check", (checked.stdout + checked.stderr)[-1500:])
        for n in range(len(versions) - 1, -1, -1):
            try:
                h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
            except AssertionError as exc:
                out.fail(name, f"rollback to version {n}", _gist(str(exc)))
                return
            if n:
                report = compare(expected[n - 1], h.drizzle_catalog(url))
                if not report.ok:
                    out.fail(name, f"catalog after rollback to version {n}", report.text(8))
        left = [x for x in rt.leftovers(url) if "drizzle" not in x]
        if h.applied(url) != 0 or left:
            out.fail(name, "rollback to empty", f"applied {h.applied(url)}, left {left}")
            return
        try:
            h.kit(bundle, url, "migrate")
        except AssertionError as exc:
            out.fail(name, "drizzle-kit migrate again", _gist(str(exc)))
            return
        report = compare(expected[-1], h.drizzle_catalog(url))
        if not report.ok:
            out.fail(name, "catalog after rollback and migrate again", report.text(8))
    finally:
        server.drop_database(url)


def _imports(script: str, url: str, out: Outcome, tag: str = ""
             ) -> dict[str, ImportResult]:
    found: dict[str, ImportResult] = {}
    for source in ("sql", "live"):
        try:
            result = (import_sql([("generated.sql", script)]) if source == "sql"
                      else import_live(url))
        except Exception as exc:
            out.fail(source + tag, "import", f"{type(exc).__name__}: {exc}")
            continue
        problems = validate.problems(result.schema)
        if problems:
            out.fail(source + tag, "the imported design is invalid", "; ".join(problems[:3]))
            continue
        found[source] = result
    return found


def round_trip(server: PgServer, script: str, node_modules: Path, bundles: Bundles,
               key: str) -> Outcome:
    """Every failure of the Drizzle round trips of ``script`` (its bundles are added to
    ``bundles`` as ``<key>-sql`` and ``<key>-live`` for :func:`typecheck`)."""
    out = Outcome()
    with rt.database(server) as url_a:
        load(url_a, script)
        expected = read_catalog(url_a)
        for source, result in _imports(script, url_a, out).items():
            versions = [_version(1, result.schema, baseline=True)]
            drizzle_loop(server, source, versions, [expected], bundles.new(f"{key}-{source}"),
                         node_modules, out)
    return out


def versions_round_trip(server: PgServer, script: str, mutations: Sequence[str],
                        node_modules: Path, bundles: Bundles, key: str, *,
                        alembic: bool = True) -> Outcome:
    """The design whose first version is ``script`` and each next one ``script`` and the
    ``mutations`` up to it (each imported from SQL and from the database): the Drizzle
    migrations must build PostgreSQL's catalog after the last mutation, and roll back to its
    catalog before each; ``alembic``: the Alembic bundle's revisions must build each
    version's catalog too."""
    out = Outcome()
    with rt.database(server) as url_a:
        load(url_a, script)
        catalogs = [read_catalog(url_a)]
        imports = [_imports(script, url_a, out, " v1")]
        text = script
        for n, mutation in enumerate(mutations, start=2):
            load(url_a, mutation)
            catalogs.append(read_catalog(url_a))
            text += "\n" + mutation
            imports.append(_imports(text, url_a, out, f" v{n}"))
        for source in ("sql", "live"):
            if not all(source in found for found in imports):
                continue
            versions = [_version(n, found[source].schema, baseline=n == 1)
                        for n, found in enumerate(imports, start=1)]
            root = bundles.root / "alembic" / key / source
            try:
                theirs = h.alembic_catalogs(server, versions, root, "diff") if alembic else []
            except AssertionError as exc:
                out.fail(source, "alembic upgrade of the versions", _gist(str(exc)))
            else:
                for n, (pg, ours) in enumerate(zip(catalogs[:len(theirs)], theirs,
                                                   strict=True), start=1):
                    report = compare(pg, ours)
                    if not report.ok:
                        out.fail(source, f"alembic catalog at version {n}", report.text(8))
            drizzle_loop(server, source, versions, catalogs, bundles.new(f"{key}-{source}"),
                         node_modules, out)
    return out


def typecheck(bundles: Bundles) -> dict[str, list[str]]:
    """``tsc --noEmit`` (the bundles' own strict tsconfig) over every bundle in one program:
    the error lines of each bundle that has any."""
    if not bundles.dirs:
        return {}
    root = bundles.root
    first = next(iter(bundles.dirs.values()))
    config = json.loads((first / "tsconfig.json").read_text())
    config["include"] = [f"{d.relative_to(root)}/{part}" for d in bundles.dirs.values()
                         for part in ("src", "tests", "drizzle.config.ts")]
    (root / "tsconfig.json").write_text(json.dumps(config))
    if not (root / "node_modules").exists():
        (root / "node_modules").symlink_to((first / "node_modules").resolve())
    proc = h.tsc(root)
    errors = h.ts_errors(proc.stdout)
    if proc.returncode != 0 and not errors:
        raise AssertionError(f"tsc failed without error lines:\n{proc.stdout[-3000:]}"
                             f"\n{proc.stderr[-3000:]}")
    found: dict[str, list[str]] = {}
    for name, d in bundles.dirs.items():
        mine = [e for e in errors if e.startswith(f"{d.relative_to(root)}/")]
        if mine:
            found[name] = mine
    return found


def temporary_bundles() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="drizzle-differential-")
