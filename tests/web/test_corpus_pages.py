"""Every schema of the shared corpus, imported into a project, shows every page without a
5xx (issue #12): the editor, the findings, versions, rules, members, a proposal's review
page, the diagram downloads, and the panels of a sample of tables and relationships.

The corpus is read in place from ``../shared/corpus`` (the tests skip, saying so, when it is
not on the machine). Imports go through the importers and
:func:`modeler.web.importing.import_project` directly (not the upload pages, which have
tests of their own), so the time goes to the pages.

Time: most of it goes to the first layout of each design. PNG is drawn for designs of at
most :data:`PNG_TABLES` tables (PNG redoes the layout at raster size). ``dbml-bench-18k``
(704 tables, 13,000 columns) gets the editor, its panels, the findings and the SVG and DOT
downloads like every other design, but not the pages that lay the whole design out afresh
on every request (version comparison and the proposal's review page, about 40 s each
there) nor PNG: see :data:`LIGHT`.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.importers import ImportResult, SchemaImportError, import_dbml, import_sql
from modeler.review import services as review_services
from modeler.schema import model as m
from modeler.web.importing import import_project
from tests.fidelity.roundtrip import (
    CORPUS,
    DBML_ALONE,
    DBML_PAIRS,
    SQL_SCHEMAS,
    CorpusSchema,
    import_spec,
)

pytestmark = pytest.mark.django_db

PNG_TABLES = 80  # PNG download only for designs up to this many tables
SAMPLE = 4  # table and relationship panels opened per design
SLOW_PAGE_SECONDS = 120.0  # one page slower than this fails: something went quadratic


@dataclass(frozen=True)
class Source:
    """One schema of the corpus: how to import it."""

    name: str
    folder: str
    load: Callable[[], ImportResult]
    refused: str = ""  # the importer refuses it, for this reason (checked, then no pages)


def _sql(spec: CorpusSchema) -> Source:
    folder = spec.files[0].split("/", 1)[0]
    return Source(spec.name, folder, lambda: import_spec(spec))


def _dbml(name: str, relative: str, text: Callable[[], str] | None = None) -> Source:
    def load() -> ImportResult:
        body = text() if text is not None else (CORPUS / relative).read_text(encoding="utf-8")
        return import_dbml([(relative, body)])
    return Source(name, relative.split("/", 1)[0], load)


# SQL schemas the fidelity tests do not load (each folder's SOURCE.md gives the recipe)
EXTRA_SQL = (
    CorpusSchema("apache-ranger", ("apache-ranger/ranger_core_db_postgres.sql",)),
    CorpusSchema("crates-io", ("crates-io/diesel-migrations.sql",)),
    CorpusSchema("dolphinscheduler", ("dolphinscheduler/dolphinscheduler_postgresql.sql",)),
    CorpusSchema("graphile-starter", ("graphile-starter/schema.sql",)),
    CorpusSchema("harbor", ("harbor/harbor-migrations-postgresql.sql",),
                 prelude="CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, "
                         "dirty boolean NOT NULL);\n"),
    CorpusSchema("hexpm", ("hexpm/structure.sql",)),
    CorpusSchema("koji", ("koji/schema.sql",)),
    CorpusSchema("manifold", ("manifold/structure.sql",)),
    CorpusSchema("mimic-iii", tuple(f"mimic-iii/postgres_{n}.sql" for n in (
        "create_tables_pg10", "add_indexes", "add_comments", "add_constraints")),
        prelude="CREATE SCHEMA mimiciii;\nSET search_path TO mimiciii;\n"),
    CorpusSchema("supabase-auth", ("supabase-auth/auth-migrations.sql",),
                 prelude="CREATE SCHEMA auth;\n"),
    CorpusSchema("trigger-dev", ("trigger-dev/prisma-migrations.sql",)),
    CorpusSchema("pagila-pg18", ("pagila/pagila-schema-pg18.sql",)),
)
REFUSED = {
    # PostgreSQL 18's VIRTUAL generated columns: the SQL parser (pglast) predates them
    "pagila-pg18": "VIRTUAL",
}
HOLISTICS = "holistics-dbml-tests"
# Designs whose pages that lay everything out afresh (version comparison, the proposal's
# review page) take about 40 s each: they get the rest (the editor above all).
LIGHT = {"dbml-bench-18k"}


def sources() -> dict[str, Source]:
    out = [_sql(spec) for spec in (*SQL_SCHEMAS.values(), *EXTRA_SQL)]
    out += [_dbml(p.name, p.dbml, p.text) for p in DBML_PAIRS.values()]
    out += [_dbml(name, relative) for name, relative in DBML_ALONE.items()]
    out = [Source(s.name, s.folder, s.load, REFUSED.get(s.name, "")) for s in out]
    return {s.name: s for s in out}


SOURCES = sources()


def holistics_files() -> list[tuple[str, str]]:
    """(file, format) of the DBML reference's inputs that are valid DBML or SQL that
    PostgreSQL loads (its INDEX.tsv says which); the rest are meant to be refused."""
    index = CORPUS / HOLISTICS / "INDEX.tsv"
    if not index.exists():
        return []
    with index.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(r["file"], r["format"]) for r in rows
            if (r["format"] == "dbml" and r["reference_verdict"] == "valid")
            or (r["format"] == "sql" and r["postgresql_accepts"].startswith("yes"))]


def test_every_corpus_folder_has_a_recipe() -> None:
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus is not on this machine ({CORPUS})")
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    covered = {s.folder for s in SOURCES.values()} | {HOLISTICS}
    assert folders - covered == set(), "add the new corpus folder to test_corpus_pages.py"


# ------------------------------------------------------------------------------ pages

@dataclass
class Visit:
    """GETs of one project's pages, with timings (the slowest are printed on failure)."""

    client: Client
    slug: str
    seen: list[tuple[float, str]] = field(default_factory=list)

    def get(self, url: str, *, hx: bool = False) -> Any:
        started = time.monotonic()
        response = self.client.get(url, **({"HTTP_HX_REQUEST": "true"} if hx else {}))
        spent = time.monotonic() - started
        self.seen.append((spent, url))
        assert response.status_code < 500, (url, response.status_code)
        assert response.status_code == 200, (url, response.status_code,
                                             response.content[:300])
        assert spent < SLOW_PAGE_SECONDS, (url, spent)
        return response


def sample(items: tuple[Any, ...], n: int = SAMPLE) -> list[Any]:
    """``n`` items spread over ``items`` (first, last and between), deterministic."""
    if len(items) <= n:
        return list(items)
    if n == 1:
        return [items[0]]
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def widest(schema: m.Schema) -> list[m.Table]:
    """The table with the most columns and the one with the most relationships."""
    by_cols = max(schema.tables, key=lambda t: (len(t.columns), t.uid))
    by_rels = max(schema.tables, key=lambda t: (len(schema.relationships_of(t.uid))
                                                + len(schema.references_to(t.uid)), t.uid))
    return [by_cols, by_rels]


def visit_all(client: Client, slug: str, schema: m.Schema, *, owner: Any,
              heavy: bool = True) -> Visit:
    """GET every page of the project; ``heavy=False`` leaves out the pages that lay the
    whole design out afresh (version comparison, the proposal's review page and design) and
    the PNG download."""
    v = Visit(client, slug)
    a = [slug]
    v.get(reverse("project_list"))
    v.get(reverse("project_detail", args=a))
    editor = v.get(reverse("editor", args=a))
    assert b"Diagram failed" not in editor.content
    v.get(reverse("editor", args=a), hx=True)
    v.get(reverse("diagram", args=a), hx=True)
    v.get(reverse("findings", args=a))
    v.get(reverse("waivers", args=a))
    v.get(reverse("activity", args=a))
    v.get(reverse("version_history", args=a))
    v.get(reverse("rule_index"))
    v.get(reverse("rule_settings", args=a))
    v.get(reverse("review:members", args=a))
    v.get(reverse("review:proposal_list", args=a))
    v.get(reverse("review:inbox"))
    png = heavy and len(schema.tables) <= PNG_TABLES
    for fmt in ("svg", "dot", *(("png",) if png else ())):
        v.get(reverse("diagram_download", args=[*a, fmt]))
    # panels as the editor asks for them (htmx); the first also as a whole page
    tables = list({t.uid: t for t in (*sample(schema.tables), *widest(schema))}.values())
    v.get(reverse("editor", args=a) + f"?table={tables[0].uid}")
    for t in tables:
        v.get(reverse("table_panel", args=[*a, t.uid]), hx=True)
        if t.columns:
            v.get(reverse("editor", args=a) + f"?table={t.uid}&column={t.columns[-1].uid}",
                  hx=True)
    for i, r in enumerate(sample(schema.relationships)):
        v.get(reverse("relationship_edit", args=[*a, r.uid]), hx=i > 0)
    if heavy:
        v.get(reverse("version_compare", args=a) + "?a=1&b=1")
        # a proposal started from the imported version, and its review page
        proposal = review_services.proposal_create(
            project=_project(slug), actor=owner, title="Look at the imported design")
        p = [slug, proposal.number]
        v.get(reverse("review:proposal_detail", args=p))
        v.get(reverse("review:proposal_migration", args=p))
        v.get(reverse("findings", args=[slug, proposal.design_id]))
    return v


def _project(slug: str) -> Any:
    from modeler.web.models import Project

    return Project.objects.get(slug=slug)


def imported(source: Source, owner: Any) -> tuple[str, m.Schema] | None:
    """Import ``source`` as project ``corpus``; None when the importer refuses it (as
    :data:`REFUSED` says it must)."""
    try:
        result = source.load()
    except FileNotFoundError as exc:
        pytest.skip(f"corpus file missing ({exc.filename}); the shared corpus is not on this "
                    f"machine ({CORPUS})")
    except SchemaImportError as exc:
        assert source.refused and source.refused in str(exc), str(exc)
        return None
    assert not source.refused, f"{source.name} imports now: drop it from REFUSED"
    version = import_project(result=result, slug="corpus", name=source.name, owner=owner,
                             source=f"corpus {source.name}")
    assert version.number == 1
    return "corpus", result.schema


@pytest.fixture
def owner(django_user_model: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Checking every snapshot-cache hit against a fresh read of thousands of rows is for
    # the write-path tests; here it would double the time of every page of a big design.
    settings.SNAPSHOT_CACHE_VERIFY = False
    return django_user_model.objects.create_user(username="owner", password="pw-owner-123!")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_page_of_an_imported_corpus_schema(name: str, owner: Any) -> None:
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus is not on this machine ({CORPUS})")
    source = SOURCES[name]
    started = time.monotonic()
    found = imported(source, owner)
    print(f"import: {time.monotonic() - started:.2f}s")
    if found is None:
        return
    slug, schema = found
    client = Client()
    client.force_login(owner)
    visit = visit_all(client, slug, schema, owner=owner, heavy=name not in LIGHT)
    assert len(visit.seen) > 20
    print("slowest pages:", *(f"{s:.2f}s {u}" for s, u in sorted(visit.seen)[-12:]), sep="\n")


def test_every_page_of_the_dbml_reference_inputs(owner: Any) -> None:
    """The DBML reference implementation's test inputs (small; the ones it calls valid, and
    the SQL ones PostgreSQL loads): each imported, then its main pages."""
    files = holistics_files()
    if not files:
        pytest.skip(f"{HOLISTICS} is not in the shared corpus on this machine ({CORPUS})")
    client = Client()
    client.force_login(owner)
    shown = 0
    for i, (file, fmt) in enumerate(files):
        text = (CORPUS / HOLISTICS / file).read_text(encoding="utf-8")
        try:
            result = (import_dbml if fmt == "dbml" else import_sql)([(file, text)])
        except SchemaImportError:
            continue  # refused with a message: the import pages' tests cover that
        if not result.schema.tables:
            continue
        slug = f"h{i}"
        import_project(result=result, slug=slug, name=file[:200], owner=owner,
                       source=f"corpus {file}"[:300])
        v = Visit(client, slug)
        v.get(reverse("editor", args=[slug]))
        v.get(reverse("findings", args=[slug]))
        v.get(reverse("diagram_download", args=[slug, "svg"]))
        for t in sample(result.schema.tables, 2):
            v.get(reverse("table_panel", args=[slug, t.uid]), hx=True)
        for r in sample(result.schema.relationships, 1):
            v.get(reverse("relationship_edit", args=[slug, r.uid]), hx=True)
        shown += 1
    assert shown >= len(files) // 2, (shown, len(files))
