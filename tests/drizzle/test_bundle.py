"""The Drizzle bundle as files (no Node needed): targets, determinism, pins, layout, the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from modeler.codegen.bundle import DRIZZLE_ROOT, build_bundle
from modeler.codegen.drizzle.migrations import BREAKPOINT
from modeler.codegen.drizzle.templates import DEPENDENCIES, DEV_DEPENDENCIES
from modeler.web import exporting, services
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.codegen.designs import DESIGNS, shop_versions
from tests.drizzle.toolchain import FIXTURE


def test_sqlalchemy_output_is_unchanged_by_the_drizzle_targets() -> None:
    versions = shop_versions()
    plain = build_bundle(versions, slug="shop", diagram_svg="<svg/>")
    assert build_bundle(versions, slug="shop", diagram_svg="<svg/>",
                        target="sqlalchemy") == plain
    both = build_bundle(versions, slug="shop", diagram_svg="<svg/>", target="both")
    assert {k: v for k, v in both.items() if not k.startswith(DRIZZLE_ROOT)
            and k != "DESIGN.md"} == {k: v for k, v in plain.items() if k != "DESIGN.md"}
    # DESIGN.md: the SQLAlchemy text with the Drizzle examples at the end of section 6
    head, _, tail = plain["DESIGN.md"].decode().partition("## 7. ")
    design = both["DESIGN.md"].decode()
    assert design.startswith(head + "### Drizzle ORM (TypeScript)") and design.endswith(
        "## 7. " + tail)
    drizzle = build_bundle(versions, slug="shop", diagram_svg="<svg/>", target="drizzle")
    assert {DRIZZLE_ROOT + k: v for k, v in drizzle.items()
            if k not in ("diagram.svg", "DESIGN.md")} == {
        k: v for k, v in both.items() if k.startswith(DRIZZLE_ROOT)}
    # a Drizzle-only DESIGN.md: the same design (sections 1-4, 7 on), but its migrations are
    # drizzle-kit's and its examples TypeScript only (no Alembic, no Python package)
    alone, combined = drizzle["DESIGN.md"].decode(), both["DESIGN.md"].decode()
    for text in (alone, combined):
        assert text.index("## 1. ") < text.index("## 5. ") < text.index("## 7. ")
    assert alone.split("## 1. ", 1)[1].split("## 5. ")[0] == \
        combined.split("## 1. ", 1)[1].split("## 5. ")[0]
    assert alone.split("## 7. ", 1)[1] == combined.split("## 7. ", 1)[1]
    assert alone.split("## 6. ", 1)[1].split("## 7. ")[0].split("### Drizzle ORM", 1)[1] == \
        combined.split("## 6. ", 1)[1].split("## 7. ")[0].split("### Drizzle ORM", 1)[1].replace(
            DRIZZLE_ROOT, "")
    assert "alembic" not in alone.split("## 5. ", 1)[1].split("## 6. ")[0].lower()
    with pytest.raises(ValueError, match="unknown export target"):
        build_bundle(versions, slug="shop", target="prisma")  # type: ignore[arg-type]


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_layout_and_determinism(slug: str) -> None:
    versions = DESIGNS[slug]()
    files = build_bundle(versions, slug=slug, target="drizzle")
    assert files == build_bundle(versions, slug=slug, target="drizzle")
    for path in ("package.json", "tsconfig.json", "drizzle.config.ts", ".env.example",
                 "README.md", "src/db/schema.ts", "src/db/relations.ts", "src/db/index.ts",
                 "src/examples.ts", "scripts/rollback.mjs", "drizzle/meta/_journal.json"):
        assert path in files, path
    journal = json.loads(files["drizzle/meta/_journal.json"])
    assert [e["idx"] for e in journal["entries"]] == list(range(len(versions)))
    whens = [e["when"] for e in journal["entries"]]
    assert whens == sorted(set(whens)), "the migrator needs strictly increasing times"
    previous = "00000000-0000-0000-0000-000000000000"
    for entry in journal["entries"]:
        tag, idx = entry["tag"], entry["idx"]
        assert f"drizzle/{tag}.sql" in files and f"drizzle/{tag}.down.sql" in files
        snap = json.loads(files[f"drizzle/meta/{idx:04d}_snapshot.json"])
        assert snap["prevId"] == previous and snap["version"] == "7"
        previous = snap["id"]
    schema_ts = files["src/db/schema.ts"].decode()
    assert ".concurrently()" not in schema_ts and "gte(" not in schema_ts
    config = files["drizzle.config.ts"].decode()
    assert "DATABASE_URL_UNPOOLED" in config and "schemaFilter" in config


def test_pins_are_the_tested_toolchain() -> None:
    fixture = json.loads((FIXTURE / "package.json").read_text())
    assert fixture["dependencies"] == DEPENDENCIES
    assert fixture["devDependencies"] == DEV_DEPENDENCIES
    package = json.loads(build_bundle(shop_versions(), slug="shop",
                                      target="drizzle")["package.json"])
    assert package["dependencies"] == DEPENDENCIES
    assert all(v[0].isdigit() for v in {**DEPENDENCIES, **DEV_DEPENDENCIES}.values())
    for script in ("typecheck", "db:generate", "db:migrate", "db:check", "db:rollback",
                   "test"):
        assert script in package["scripts"]


def test_breakpoint_marker_in_sql_is_never_split() -> None:
    """drizzle's migrator splits every file on the marker: a statement holding it is
    written so that the marker only ever separates statements (the round trip:
    tests/drizzle/test_breakpoint_marker.py)."""
    from dataclasses import replace

    versions = shop_versions()
    first = versions[0]
    table = first.schema.tables[0]
    hostile = replace(table, comment=f"a comment with {BREAKPOINT} inside")
    schema = replace(first.schema, tables=(hostile, *first.schema.tables[1:]))
    files = build_bundle([replace(first, schema=schema)], slug="shop", target="drizzle")
    journal = json.loads(files["drizzle/meta/_journal.json"])
    assert journal["entries"][0]["breakpoints"] is True
    tag = journal["entries"][0]["tag"]
    for name in (f"drizzle/{tag}.sql", f"drizzle/{tag}.down.sql"):
        text = files[name].decode()
        assert [line for line in text.splitlines() if BREAKPOINT in line] == [
            BREAKPOINT] * text.count(BREAKPOINT)
    assert "a comment with " in files[f"drizzle/{tag}.sql"].decode()


@pytest.mark.django_db
def test_export_command_and_setting(user: Any, tmp_path: Path) -> None:
    from tests.web.test_rules_web import good_schema

    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(project))
    version_save(project=project, actor=user, message="First cut of the shop design")
    out = tmp_path / "d.zip"
    call_command("export_bundle", "shop", "--target", "drizzle", "--out", str(out),
                 stdout=StringIO())
    names = zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist()
    assert "src/db/schema.ts" in names and "shop/models.py" not in names
    name, body = exporting.bundle(project, 1, target="both")
    assert name == "shop-v1-sqlalchemy-drizzle.zip"
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert "shop/models.py" in names and f"{DRIZZLE_ROOT}src/db/schema.ts" in names
    with override_settings(MODELER_EXPORT_TARGET="drizzle"):
        name, _ = exporting.bundle(project, 1)
        assert name == "shop-v1-drizzle.zip"
        assert exporting.bundle(project, 1, target="sqlalchemy")[0] == "shop-v1.zip"
    assert exporting.bundle(project, 1)[0] == "shop-v1.zip"


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_design_doc_shows_the_compiled_examples(slug: str) -> None:
    """Every TypeScript block of DESIGN.md's Drizzle section is in src/examples.ts (which
    the tests compile and run), and SQLAlchemy-only DESIGN.md has no Drizzle section."""
    versions = DESIGNS[slug]()
    files = build_bundle(versions, slug=slug, target="drizzle")
    design, examples = files["DESIGN.md"].decode(), files["src/examples.ts"].decode()
    blocks = design.split("### Drizzle ORM (TypeScript)")[1].split("```ts\n")[1:]
    for block in blocks:
        assert block.split("\n```")[0] in examples
    if "export async function" in examples:
        assert len(blocks) == 6
        for what in ("innerJoin(", "findMany({ with:", "gt(", "db.transaction(", ".batch(",
                     "No transactions support in neon-http driver"):
            assert what in design, what
    plain = build_bundle(versions, slug=slug)["DESIGN.md"].decode()
    assert "Drizzle" not in plain and "```ts" not in plain
