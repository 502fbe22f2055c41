"""``tsc --noEmit`` (strict) on exported Drizzle bundles, and hostile names end to end.

Every bundle is compiled in one TypeScript program (one ``tsc`` run: the drizzle-orm types
are loaded once), its usage examples and its own tests included: the export designs, corpus
designs up to musicbrainz's 375 tables, and a design whose names, comments and
expressions hold quotes, backticks, ``${``, backslashes, ``*/``, unicode and newlines. A
deliberately broken reference must fail the same compiler. The hostile design also goes
through ``drizzle-kit migrate`` and must build the Alembic bundle's catalog.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema
from tests.codegen.designs import DESIGNS
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.fidelity.roundtrip import (
    EXTENSION_PACKAGES,
    SQL_SCHEMAS,
    import_spec,
    missing_extensions,
)
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

# adventureworks: many namespaces, domains, views in namespaces without tables; crates-io:
# kept functions its index expressions call, extensions (ltree, pg_trgm, pgcrypto)
CORPUS = ("pagila", "netbox", "adventureworks", "crates-io")
# musicbrainz (375 tables) compiles since relations.ts spells out drizzle's relational types
# (TS2589 with ExtractTablesWithRelations); the whole corpus does (about 160 s, not a test)
TSC_CORPUS = (*CORPUS, "musicbrainz")
HOSTILE = "it's `${x}` \\ */ \"q\" ünï €\nnew line\r\u2028end"


def hostile_schema() -> Schema:
    # (the SQLAlchemy bundle's pyproject.toml cannot take a newline in the design's name yet)
    b = SchemaBuilder(name=f"Hostile {HOSTILE.splitlines()[0]}")
    b.enum("mood`${", ["it's", "`${x}`", "back\\slash", "*/", "ünï"], comment=HOSTILE)
    p = b.table("we\"ird`${p}", comment=HOSTILE)
    p.column("id", "bigint", identity="always", pk=True)
    p.column("na'me*/", "text", comment=HOSTILE, default="'it''s `${x}` \\ */'::text")
    p.column("ünï", "varchar", length=20, nullable=True, null_meaning="none")
    p.column("m", enum="mood`${", nullable=True, null_meaning="none")
    p.check("ck `${`*/", "\"na'me*/\" <> 'x`${y}`\\n */'")
    p.index("na'me*/", name="ix `${ünï}`", where="(\"ünï\" IS NOT NULL)")
    c = b.table("child */ `", comment=HOSTILE)
    c.column("id", "bigint", identity="always", pk=True)
    c.column("parent `id`", "bigint")
    c.index("parent `id`")
    b.relationship("child */ `", ["parent `id`"], "we\"ird`${p}", on_delete="CASCADE",
                   on_update="NO ACTION", comment=HOSTILE)
    return b.build()


def hostile_versions() -> list[VersionInput]:
    return [VersionInput(1, f"Hostile {HOSTILE}", "tester", "2026-01-01", hostile_schema())]


def _corpus(name: str) -> list[VersionInput]:
    schema = import_spec(SQL_SCHEMAS[name]).schema
    return [VersionInput(1, "Imported baseline", "corpus", "2026-01-01", schema,
                         baseline=True)]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory, node_modules: Path
             ) -> tuple[Path, list[str]]:
    """All bundles in one program; (root, the error lines tsc printed)."""
    root = tmp_path_factory.mktemp("tsc")
    (root / "node_modules").symlink_to(node_modules)
    bundles = {slug: make() for slug, make in DESIGNS.items()}
    bundles["hostile"] = hostile_versions()
    for name in TSC_CORPUS:
        bundles[name] = _corpus(name)
    for slug, versions in bundles.items():
        h.write_drizzle(versions, root / slug, slug)
    config = json.loads((root / "shop" / "tsconfig.json").read_text())
    config["include"] = [f"{slug}/{part}" for slug in bundles
                         for part in ("src", "tests", "drizzle.config.ts")]
    (root / "tsconfig.json").write_text(json.dumps(config))
    return root, h.ts_errors(h.tsc(root).stdout)


@pytest.mark.parametrize("slug", [*sorted(DESIGNS), "hostile", *TSC_CORPUS])
def test_bundle_compiles_strict(slug: str, compiled: tuple[Path, list[str]]) -> None:
    _, errors = compiled
    mine = [e for e in errors if e.startswith(f"{slug}/")]
    assert mine == [], "\n".join(mine[:30])


def test_a_broken_reference_fails(compiled: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = compiled
    broken = tmp_path / "broken"
    h.write_drizzle(DESIGNS["shop"](), broken, "shop")
    (broken / "node_modules").symlink_to(root / "node_modules")
    schema = broken / "src" / "db" / "schema.ts"
    text = schema.read_text()
    assert "foreignColumns: [customer.id]" in text
    schema.write_text(text.replace("foreignColumns: [customer.id]",
                                   "foreignColumns: [customer.idx]"))
    proc = h.tsc(broken)
    assert proc.returncode != 0
    assert any("TS2339" in e and "idx" in e for e in h.ts_errors(proc.stdout)), proc.stdout


def test_hostile_names_round_trip(pg_server: PgServer, tmp_path: Path,
                                  node_modules: Path) -> None:
    round_trip(pg_server, hostile_versions(), tmp_path, "hostile", node_modules)


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_migrates_like_alembic(name: str, pg_server: PgServer, tmp_path: Path,
                                      node_modules: Path) -> None:
    missing = missing_extensions(pg_server, SQL_SCHEMAS[name])
    if missing:
        pytest.skip(f"{name} needs the extensions {missing} ({EXTENSION_PACKAGES})")
    round_trip(pg_server, _corpus(name), tmp_path, name, node_modules)
