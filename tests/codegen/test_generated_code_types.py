"""``mypy --strict`` on the generated ``models.py``, ``db.py`` and DESIGN.md's usage examples
of every test design, plus ``migrations/env.py`` and ``tests/test_migrations.py`` (one mypy
process for all, with a persistent cache: the first run analyses SQLAlchemy, later runs reuse
it), and ``configure_mappers()`` with SQLAlchemy warnings turned into errors."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from modeler.codegen.bundle import build_bundle, package_name
from tests.codegen import helpers as h
from tests.codegen.designs import DESIGNS


def test_mypy_strict_on_generated_code(tmp_path: Path) -> None:
    files: list[str] = []
    for slug, versions in DESIGNS.items():
        bundle = h.write_bundle(build_bundle(versions(), slug=slug), tmp_path / slug)
        pkg = package_name(slug)
        files += [str(bundle / pkg / "models.py"), str(bundle / pkg / "db.py")]
        doc = (bundle / "DESIGN.md").read_text()
        for n, block in enumerate(re.findall(r"```python\n(.*?)```", doc, re.S)):
            example = bundle / pkg / f"doc_example_{n}.py"  # DESIGN.md's usage examples
            example.write_text(block)
            files.append(str(example))
    h.mypy_strict(tmp_path, *files)
    for slug in ("shop", "type-zoo"):  # env.py (plain and with the domain-default fix), tests
        h.mypy_strict(tmp_path / slug, "migrations/env.py", "tests/test_migrations.py")


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_models_import_and_configure(slug: str, tmp_path: Path) -> None:
    bundle = h.write_bundle(build_bundle(DESIGNS[slug](), slug=slug), tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", sa.exc.SAWarning)
        with h.imported(bundle, f"{package_name(slug)}.models") as models:
            orm.configure_mappers()
            mapped = {m.class_.__tablename__ for m in models.Base.registry.mappers}
            schema = DESIGNS[slug]()[-1].schema
            assert mapped == {t.name for t in schema.tables}
