"""Bundle layout, determinism (files and zip), revision chain, DESIGN.md and README."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace

import pytest

from modeler.codegen.bundle import VersionInput, build_bundle, package_name, write_zip
from modeler.codegen.pynames import identifier
from modeler.codegen.versions import revision_id
from tests.codegen.designs import DESIGNS

FINDINGS = [
    {"rule": "TS-02", "level": "JUSTIFY", "target": "stock.transfer",
     "message": "append-only table without updated_at trigger", "waived": True},
    {"rule": "IX-04", "level": "ADVISE", "target": "stock.ix_x | y",
     "message": "wide index", "waived": False},
]
WAIVERS = [{"rule": "TS-02", "target": "stock.transfer", "author": "ana",
            "justification": "rows are never updated; audit only", "created": "2026-01-03"}]


def _bundle(slug: str = "shop", **kw: object) -> dict[str, bytes]:
    return build_bundle(DESIGNS[slug](), slug=slug, diagram_svg="<svg></svg>", **kw)  # type: ignore[arg-type]


def test_layout() -> None:
    files = _bundle()
    revs = [p for p in files if p.startswith("migrations/versions/")]
    assert set(files) - set(revs) == {
        "shop/__init__.py", "shop/models.py", "shop/db.py", "shop/py.typed", "alembic.ini",
        "migrations/env.py", "migrations/script.py.mako", "schema.sql", "DESIGN.md",
        "README.md", "pyproject.toml", "tests/test_migrations.py", "diagram.svg"}
    assert revs == ["migrations/versions/0001_initial_shop_schema.py",
                    "migrations/versions/0002_rename_full_name_drop_me.py"]
    assert list(files) == sorted(files)
    assert "diagram.svg" not in build_bundle(DESIGNS["shop"](), slug="shop")


def test_deterministic_files_and_zip() -> None:
    a, b = _bundle(findings=FINDINGS, waivers=WAIVERS), _bundle(findings=FINDINGS,
                                                                waivers=WAIVERS)
    assert a == b
    za, zb = write_zip(a, root="shop"), write_zip(b, root="shop")
    assert za == zb
    with zipfile.ZipFile(io.BytesIO(za)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [f"shop/{p}" for p in sorted(a)]
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert (info.external_attr >> 16) & 0o777 == 0o644
            assert zf.read(info) == a[info.filename.removeprefix("shop/")]


def test_revisions_are_chained_with_stable_ids() -> None:
    versions = DESIGNS["legacy"]()
    files = build_bundle(versions, slug="legacy")
    ids = [revision_id(v) for v in versions]
    assert ids == ["0001_baseline_imported_from_t", "0002_add_nickname"]
    assert all(len(i) <= 32 for i in ids)
    down = None
    for rev in ids:
        text = files[f"migrations/versions/{rev}.py"].decode()
        assert f'revision: str = "{rev}"' in text
        assert f"down_revision: str | Sequence[str] | None = {down!r}".replace("'", '"') in text
        down = rev
    shuffled = build_bundle(list(reversed(versions)), slug="legacy")
    assert shuffled == files


def test_notes_reach_the_revision_docstring() -> None:
    text = _bundle()["migrations/versions/0002_rename_full_name_drop_me.py"].decode()
    assert "MG-05 waived: customer.metadata was never populated" in text


def test_readme_stamps_imported_baselines() -> None:
    legacy = build_bundle(DESIGNS["legacy"](), slug="legacy")["README.md"].decode()
    assert "alembic stamp 0001_baseline_imported_from_t" in legacy
    assert "alembic stamp" not in _bundle()["README.md"].decode()


def test_pyproject_dependencies() -> None:
    text = _bundle()["pyproject.toml"].decode()
    for dep in ("sqlalchemy", "alembic", "psycopg[binary]", "pytest"):
        assert f'"{dep}' in text


def test_design_doc_sections_and_content() -> None:
    doc = _bundle("stock", findings=FINDINGS, waivers=WAIVERS)["DESIGN.md"].decode()
    headings = re.findall(r"^## (.+)$", doc, re.M)
    assert headings == ["1. Schema overview", "2. Tables", "3. Relationships", "4. Indexes",
                        "5. Migrations", "6. Usage examples", "7. Performance considerations",
                        "8. Rule report and waivers"]
    assert "from stock.models import Bin" in doc  # keyset pagination on a real model
    assert "selectinload(Bin." in doc
    assert "covers FK fk_transfer_from_warehouse_from_bin_bin" in doc
    assert "| TS-02 | stock.transfer | rows are never updated; audit only | ana |" in doc
    assert "stock.ix_x \\| y" in doc  # table cells are escaped
    assert "Rename stock.sku to item_sku" in doc
    legacy = build_bundle(DESIGNS["legacy"](), slug="legacy")["DESIGN.md"].decode()
    assert "## 9. Objects not represented in the model" in legacy
    assert "| view | public.user_names |" in legacy


def test_package_name() -> None:
    assert package_name("my-shop") == "my_shop"
    assert package_name("2024 Inventory") == "p_2024_inventory"
    assert package_name("class") == "class_models"
    assert package_name("sqlalchemy") == "sqlalchemy_models"
    assert identifier("for") == "for_"
    assert identifier("a b-c") == "a_b_c"


def test_no_versions_is_an_error() -> None:
    with pytest.raises(ValueError):
        build_bundle([], slug="x")


def test_message_changes_only_touch_docs() -> None:
    """Revision ids depend on number and message, never on time or ordering of input."""
    v = DESIGNS["org-chart"]()[0]
    assert revision_id(replace(v, created="2030-01-01", author="other")) == revision_id(v)
    assert revision_id(VersionInput(7, "", "", "", v.schema)) == "0007"


def test_a_hostile_project_name_keeps_pyproject_valid() -> None:
    """The project's name reaches pyproject.toml's description: quotes, backslashes, newlines
    and control characters stay inside the TOML string."""
    import tomllib

    from modeler.codegen.bundle import render_pyproject

    title = 'Shop "A"\\ \n\x01 ☃ """'
    data = tomllib.loads(render_pyproject("shop", "shop", 3, title))
    assert data["project"]["description"] == f"Database models and migrations for {title}"
