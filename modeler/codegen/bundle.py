"""The export bundle: everything a team needs to run the design, as ``path -> bytes``.

    files = build_bundle(versions, slug="shop", findings=..., waivers=..., diagram_svg=svg)
    data = write_zip(files)

Layout (``<pkg>`` = :func:`package_name` of the slug)::

    <pkg>/__init__.py  <pkg>/models.py  <pkg>/db.py  <pkg>/py.typed
    alembic.ini  migrations/env.py  migrations/script.py.mako  migrations/versions/<rev>.py
    schema.sql  DESIGN.md  README.md  pyproject.toml  tests/test_migrations.py  [diagram.svg]
    [REHEARSAL.md]  (the stored rehearsal report, when the version has one)

``target="drizzle"`` gives the Drizzle ORM project instead (see
:mod:`modeler.codegen.drizzle.bundle`, plus ``diagram.svg``); ``target="both"`` gives the
files above, unchanged, plus the Drizzle project under ``typescript/``.

Deterministic: the same input gives the same bytes, and :func:`write_zip` fixes timestamps,
order and permissions, so the zip is byte-identical too.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

# Issue #17: only what the plan and schema.sql need is imported with this module (an export
# forks its schema.sql child before the renderers, the differ among them, are imported:
# the child does not need them, and the parent imports them while the child works)
from modeler.codegen.markdown import inert
from modeler.codegen.plan import ModelPlan, build_plan
from modeler.codegen.pynames import package_name
from modeler.codegen.versions import Revision, VersionInput, chain, revision_id
from modeler.schema.model import Schema

__all__ = ["TARGETS", "VersionInput", "build_bundle", "bundle_files", "package_name",
           "revision_id", "write_zip"]

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
Target = Literal["sqlalchemy", "drizzle", "both"]
TARGETS: tuple[Target, ...] = ("sqlalchemy", "drizzle", "both")
DRIZZLE_ROOT = "typescript/"  # where target "both" puts the Drizzle project


@dataclass(frozen=True, slots=True)
class Deflated:
    """A file's bytes as the zip holds them: deflated at level 6 (raw, as zipfile writes
    them), with their CRC-32 and size."""

    crc: int
    size: int
    data: bytes

    @classmethod
    def of(cls, body: bytes) -> Deflated:
        """``body`` deflated (zlib works outside the GIL: a thread may do it while Python
        renders the next file)."""
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        return cls(zlib.crc32(body), len(body), packer.compress(body) + packer.flush())


# a file's bytes (or already deflated), or a function giving them (called when the file is
# written)
Body: TypeAlias = "bytes | Deflated | Callable[[], bytes | Deflated]"


def render_revisions(revisions: Sequence[Revision]) -> dict[str, str]:
    """``migrations/versions/<rev>.py`` for each version (via the migration renderer)."""
    from modeler.codegen.migration import render_revision

    return {
        f"migrations/versions/{rev.revision}.py": render_revision(
            old=rev.previous, new=rev.version.schema, revision=rev.revision,
            down_revision=rev.down_revision, message=rev.version.message,
            created=rev.version.created, notes=rev.version.notes)
        for rev in revisions
    }


def schema_sql_text(schema: Schema, *, plan: ModelPlan, title: str) -> str:
    """``schema.sql`` (:func:`modeler.codegen.ddl.schema_sql`): the only file written with
    SQLAlchemy, imported here, so that an export that has its ``schema.sql`` made elsewhere
    (another process) and the Drizzle export do not import it."""
    from modeler.codegen.ddl import schema_sql

    return schema_sql(schema, plan=plan, title=title)


def bundle_schema_sql(versions: Sequence[VersionInput], *, slug: str,
                      title: str | None = None) -> str:
    """``schema.sql`` of :func:`build_bundle` with the same arguments (for its
    ``schema_sql``: made in another process while the rest is built)."""
    schema = chain(versions)[-1].version.schema
    return design_schema_sql(schema, build_plan(schema), slug=slug, title=title)


def design_models_py(schema: Schema, plan: ModelPlan, *, slug: str,
                     title: str | None = None) -> str:
    """``<pkg>/models.py`` of :func:`build_bundle` whose last version's schema is ``schema``
    (``plan``: its :func:`build_plan`), with the same ``slug`` and ``title``."""
    from modeler.codegen.models import render_models

    return render_models(schema, plan=plan, title=title or schema.name or slug)


def design_schema_sql(schema: Schema, plan: ModelPlan, *, slug: str,
                      title: str | None = None) -> str:
    """``schema.sql`` of :func:`build_bundle` whose last version's schema is ``schema``
    (``plan``: its :func:`build_plan`), with the same ``slug`` and ``title``."""
    name = title or schema.name or slug
    return schema_sql_text(schema, plan=plan, title=f"{name}: schema")


def build_bundle(versions: Sequence[VersionInput], *, slug: str,
                 waivers: Sequence[Mapping[str, Any]] = (),
                 findings: Sequence[Mapping[str, Any]] = (),
                 diagram_svg: str | Callable[[], str] | None = None,
                 title: str | None = None,
                 target: Target = "sqlalchemy",
                 rehearsal_md: str | None = None,
                 schema_sql: Callable[[], str] | None = None,
                 plan: ModelPlan | None = None,
                 models_py: Callable[[], str] | None = None) -> dict[str, bytes]:
    """All files of the export for ``versions`` (the last one is the current design).

    ``findings``: dicts with rule/level/target/message/waived; ``waivers``: dicts with
    rule/target/justification/author/created. Both go into DESIGN.md as given.
    ``target``: ``sqlalchemy`` (models + Alembic), ``drizzle`` (the TypeScript project) or
    ``both``. ``rehearsal_md``: the stored rehearsal report of the last version, written
    as ``REHEARSAL.md`` as given (no file when None). ``diagram_svg``: ``diagram.svg``'s
    text, or a function giving it, called once everything else is built (so a drawing
    made on another thread, such as Graphviz's, overlaps the rest of the export).
    ``schema_sql``: a function giving ``schema.sql``'s text (:func:`bundle_schema_sql`, made
    in another process), called once the rest is built; None: written here. ``plan``: the
    :func:`build_plan` of the last version's schema, when the caller has it already.
    ``models_py``: like ``schema_sql``, for ``<pkg>/models.py`` (:func:`design_models_py`).
    """
    return {path: _inflated(body)
            for path, body in bundle_files(
                versions, slug=slug, waivers=waivers, findings=findings,
                diagram_svg=diagram_svg, title=title, target=target,
                rehearsal_md=rehearsal_md, schema_sql=schema_sql, plan=plan,
                models_py=models_py).items()}


def bundle_files(versions: Sequence[VersionInput], *, slug: str,
                 waivers: Sequence[Mapping[str, Any]] = (),
                 findings: Sequence[Mapping[str, Any]] = (),
                 diagram_svg: str | Callable[[], str] | None = None,
                 title: str | None = None,
                 target: Target = "sqlalchemy",
                 rehearsal_md: str | None = None,
                 schema_sql: Callable[[], str] | None = None,
                 plan: ModelPlan | None = None,
                 deflate: Callable[[bytes], Body] | None = None,
                 models_py: Callable[[], str] | None = None) -> dict[str, Body]:
    """:func:`build_bundle`'s files, in path order, with ``schema.sql`` and ``diagram.svg``
    as functions giving their bytes when they are given as functions (:func:`write_zip`
    calls them when it reaches them: the files before them are compressed meanwhile).
    ``deflate``: given each file's bytes as soon as the file is made (the drawing first,
    when it is text), its result stands for them (a function giving their
    :class:`Deflated` made on another thread, say, while the next files are rendered)."""
    made = deflate or (lambda body: body)
    from modeler.codegen import tpl_alembic
    from modeler.codegen.designdoc import render_design_doc
    from modeler.codegen.extras import namespaces
    from modeler.codegen.models import needs_target_tokens, render_models
    from modeler.codegen.pysource import docstring
    from modeler.codegen.tpl_db import render_db
    from modeler.codegen.tpl_tests import render_tests
    from modeler.codegen.version_table import version_table_name
    from modeler.diff.compare import namespaces as design_namespaces
    from modeler.schema.runtime_objects import runtime_table_namespaces

    if not versions:
        raise ValueError("nothing to export: no saved version")
    if target not in TARGETS:
        raise ValueError(f"unknown export target {target!r} (one of {', '.join(TARGETS)})")
    revisions = chain(versions)
    schema = revisions[-1].version.schema
    pkg = package_name(slug)
    name = title or schema.name or slug
    plan = plan or build_plan(schema)
    version_table = version_table_name(rev.version.schema for rev in revisions)
    if target != "sqlalchemy":
        # the Drizzle modules are imported when the export holds the Drizzle project
        from modeler.codegen.drizzle.bundle import build_drizzle_files
        from modeler.codegen.drizzle.docs import design_doc_section
        from modeler.codegen.drizzle.names import build_names

        names = build_names(schema, plan)
        drizzle_usage = design_doc_section(schema, plan, DRIZZLE_ROOT if target == "both"
                                           else "", names)
    else:
        names, drizzle_usage = None, ""
    early: dict[str, Body] = {}  # files handed to ``deflate`` as soon as they are made
    if deflate is not None and isinstance(diagram_svg, str):
        early["diagram.svg"] = made(diagram_svg.encode("utf-8"))
    design_doc = render_design_doc(title=name, package=pkg, plan=plan, revisions=revisions,
                                   findings=findings, waivers=waivers,
                                   drizzle_usage=drizzle_usage,
                                   drizzle_only=target == "drizzle")
    if target == "drizzle":
        drizzle = build_drizzle_files(revisions, slug=slug, title=name, plan=plan, names=names)
        drizzle["DESIGN.md"] = design_doc
        if rehearsal_md is not None:
            drizzle["REHEARSAL.md"] = rehearsal_md
        out: dict[str, Body] = {path: made(body.encode("utf-8"))
                                for path, body in drizzle.items()}
        if diagram_svg is not None:
            out["diagram.svg"] = (early["diagram.svg"] if "diagram.svg" in early
                                  else _encoded(diagram_svg))
        return {path: out[path] for path in sorted(out)}
    if deflate is not None:
        early["DESIGN.md"] = made(design_doc.encode("utf-8"))
    text: dict[str, str] = {
        f"{pkg}/__init__.py": docstring(f"Database models and access for {name}.", 0),
        f"{pkg}/py.typed": "",
        f"{pkg}/models.py": "" if models_py is not None else render_models(schema, plan=plan,
                                                                           title=name),
        f"{pkg}/db.py": render_db(provider=schema.settings.provider, package=pkg),
        "alembic.ini": tpl_alembic.ALEMBIC_INI,
        "migrations/env.py": tpl_alembic.render_env(
            package=pkg, schemas=namespaces(schema),
            kept_indexes=tpl_alembic.kept_index_names(schema), version_table=version_table,
            kept_tables=tpl_alembic.kept_table_names(schema),
            runtime_namespaces=runtime_table_namespaces([schema]),
            runtime_index_namespaces=tpl_alembic.runtime_index_namespaces(schema),
            path_schemas=sorted(design_namespaces(schema)),
            not_null_domains=any(d.not_null for d in schema.domains)
            or any(o.kind == "domain" for o in schema.raw_objects)),  # kept: maybe NOT NULL
        "migrations/script.py.mako": tpl_alembic.SCRIPT_MAKO,
        "schema.sql": "",  # last but the drawing: it may come from another process
        "DESIGN.md": design_doc,
        "README.md": inert(render_readme(name, pkg, revisions)),  # the title is the user's
        "pyproject.toml": render_pyproject(slug, pkg, revisions[-1].version.number, name,
                                           sqlalchemy_2_1=any(needs_target_tokens(
                                               rev.version.schema) for rev in revisions)),
        "tests/test_migrations.py": render_tests(package=pkg, version_table=version_table),
    }
    if deflate is not None:
        early.update((path, made(body.encode("utf-8"))) for path, body in text.items()
                     if path not in early and path != "schema.sql"
                     and not (models_py is not None and path == f"{pkg}/models.py"))
    text.update(render_revisions(revisions))
    if rehearsal_md is not None:
        text["REHEARSAL.md"] = rehearsal_md
    if schema_sql is None:
        text["schema.sql"] = schema_sql_text(schema, plan=plan, title=f"{name}: schema")
    if target == "both":
        text.update({DRIZZLE_ROOT + path: body for path, body in build_drizzle_files(
            revisions, slug=slug, title=name, plan=plan, names=names).items()})
    files: dict[str, Body] = {path: early[path] if path in early
                              else made(body.encode("utf-8")) for path, body in text.items()}
    if schema_sql is not None:  # made elsewhere: asked for when it is written
        files["schema.sql"] = _encoded(schema_sql)
    if models_py is not None:  # as schema.sql
        files[f"{pkg}/models.py"] = _encoded(models_py)
    if diagram_svg is not None:
        files["diagram.svg"] = (early["diagram.svg"] if "diagram.svg" in early
                                else _encoded(diagram_svg))
    return {path: files[path] for path in sorted(files)}


def _encoded(text: str | Callable[[], str]) -> Body:
    if callable(text):
        return lambda: text().encode("utf-8")
    return text.encode("utf-8")


def write_zip(files: Mapping[str, Body], *, root: str = "") -> bytes:
    """A deterministic zip: sorted entries, 1980-01-01 timestamps, mode 0644, deflated at
    zlib's default level 6 (level 9 took twice the CPU, about 0.1 s more on musicbrainz's
    6 MB, for a zip 1.5 % smaller).

    ``root`` (e.g. the slug) prefixes every path, so the archive unpacks into one folder.
    A file given as a function (:func:`bundle_files`) is asked for its bytes when it is
    written, after the files before it; a file given :class:`Deflated` is not compressed
    again. The bytes are those :mod:`zipfile` writes (:func:`write_zipfile`, which writes
    the archives this one does not: past zip's 32-bit sizes).
    """
    prefix = f"{root.strip('/')}/" if root else ""
    members: list[tuple[bytes, int, Deflated]] = []
    for path in sorted(files):
        body = files[path]
        got = body() if callable(body) else body
        packed = got if isinstance(got, Deflated) else Deflated.of(got)
        path_name = prefix + path
        try:
            members.append((path_name.encode("ascii"), 0, packed))
        except UnicodeEncodeError:
            members.append((path_name.encode("utf-8"), _UTF8_NAME, packed))
    if any(b"\x00" in n or p.size * 1.05 > _ZIP32_LIMIT for n, _, p in members) \
            or len(members) > 0xFFFF \
            or sum(len(p.data) + 2 * len(n) + 76 for n, _, p in members) > _ZIP32_LIMIT:
        # zip64 records, or a name zipfile cuts at its NUL: zipfile writes it
        return write_zipfile({path: _inflated(files[path]) for path in files}, root=root)
    out = io.BytesIO()
    central: list[bytes] = []
    for name, flags, packed in members:
        head = (_VERSION, 0, flags, zipfile.ZIP_DEFLATED, 0, _DOS_DATE, packed.crc,
                len(packed.data), packed.size, len(name))
        central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, 3, *head, 0, 0, 0, 0,
                                     _MODE_0644, out.tell()) + name)
        out.write(_LOCAL.pack(b"PK\x03\x04", *head, 0) + name + packed.data)
    start = out.tell()
    out.write(b"".join(central))
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), out.tell() - start,
                        start, 0))
    return out.getvalue()


# zipfile's record layouts and the fields write_zip gives every entry
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # zipfile.DEFAULT_VERSION: deflate
_DOS_DATE = (ZIP_DATE[0] - 1980) << 9 | ZIP_DATE[1] << 5 | ZIP_DATE[2]  # 00:00:00 is 0
_MODE_0644 = (0o100644 & 0xFFFF) << 16
_UTF8_NAME = 0x800
_ZIP32_LIMIT = (1 << 31) - 1  # zipfile.ZIP64_LIMIT


def _inflated(body: Body) -> bytes:
    got = body() if callable(body) else body
    return zlib.decompress(got.data, -15) if isinstance(got, Deflated) else got


def write_zipfile(files: Mapping[str, bytes], *, root: str = "") -> bytes:
    """:func:`write_zip`'s archive written by :mod:`zipfile` (the same bytes)."""
    buf = io.BytesIO()
    prefix = f"{root.strip('/')}/" if root else ""
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(prefix + path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr carries the permissions
            info.external_attr = _MODE_0644
            zf.writestr(info, files[path], compresslevel=6)
    return buf.getvalue()


def render_pyproject(slug: str, pkg: str, version: int, title: str, *,
                     sqlalchemy_2_1: bool = False) -> str:
    """The bundle's pyproject.toml. ``sqlalchemy_2_1``: the models or migrations write a
    foreign key's target in SQLAlchemy 2.1's token form (a name holding a dot)."""
    dist = "".join(ch if ch.isalnum() else "-" for ch in slug.lower()).strip("-") or pkg
    # a TOML basic string: JSON's escapes (\\n, \\", \\uXXXX) are TOML's too
    desc = json.dumps(f"Database models and migrations for {title}", ensure_ascii=False)
    return f"""[project]
name = "{dist}"
version = "0.{version}.0"
description = {desc}
requires-python = ">=3.11"
dependencies = [
    "sqlalchemy>={'2.1' if sqlalchemy_2_1 else '2.0.30'},<2.2",
    "alembic>=1.13",
    "psycopg[binary]>=3.1.18",
]

[project.optional-dependencies]
test = ["pytest>=8", "mypy>=1.10"]

[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[tool.setuptools]
packages = ["{pkg}"]

[tool.setuptools.package-data]
{pkg} = ["py.typed"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["."]

[tool.mypy]
strict = true
files = ["{pkg}"]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
ignore = ["RUF012"]  # __table_args__ / __mapper_args__ are SQLAlchemy's class-level dicts
"""


def render_readme(title: str, pkg: str, revisions: Sequence[Revision]) -> str:
    first = revisions[0]
    baseline = ""
    if first.version.baseline:
        baseline = f"""
## Existing database (imported baseline)

The first revision, `{first.revision}`, describes a database that already exists. Do not run
it there; mark it as applied, then upgrade:

```sh
alembic stamp {first.revision}
alembic upgrade head
```
"""
    neon = NEON_README if revisions[-1].version.schema.settings.provider == "neon" else ""
    return f"""# {title}: database package

SQLAlchemy 2.x models (`{pkg}/models.py`), engine/session factories with pooling
(`{pkg}/db.py`) and Alembic migrations (`migrations/`), exported by the ER modeler.
`DESIGN.md` explains the design; `schema.sql` is the full DDL for review.

## Setup

```sh
python -m venv .venv && . .venv/bin/activate
pip install -e '.[test]'
```

Environment:

- `DATABASE_URL`: the application's URL (`postgresql://…` or `postgres://…`). On Neon use
  the pooled (`-pooler`) host.
- `DIRECT_DATABASE_URL`: the direct (unpooled) URL for migrations; defaults to
  `DATABASE_URL`.
- Pool tuning: `DB_POOL_SIZE`, `DB_MAX_OVERFLOW`, `DB_POOL_TIMEOUT`, `DB_POOL_RECYCLE`,
  `DB_CONNECT_TIMEOUT`, `DB_STATEMENT_TIMEOUT_MS`, `DB_TRANSACTION_POOLING` (see `db.py`).

## Migrate

```sh
alembic upgrade head      # apply every revision
alembic check             # the database matches the models
alembic downgrade -1      # roll back the last revision
```
{baseline}
## Use

```python
from {pkg}.db import session_scope
```

## Test

`pytest` runs the migration round trip against `DATABASE_URL`, which must point at an
empty scratch database (the test downgrades to base).
{neon}"""


NEON_README = """
## Neon

Two URLs. The application uses the **pooled** one (`-pooler` host; `DATABASE_URL`): Neon's
pooler is PgBouncer in transaction mode, so `db.py` turns psycopg's prepared statements off
(`prepare_threshold=None`), sets the statement timeout with `SET LOCAL` per transaction and
refuses what needs a session of its own (session `SET`, SQL `PREPARE`, `LISTEN`, session
advisory locks). Migrations and `pg_dump` use the **direct** one (`DIRECT_DATABASE_URL`, or
`DATABASE_URL_UNPOOLED` as Neon's Vercel integration names it; `db.migration_url()`):

```sh
pg_dump --schema-only "$DIRECT_DATABASE_URL" > live-schema.sql
```

Review each change on a branch of its own, then apply it to `main`:

1. a branch per proposal: `neon branches create --name proposal-42 --parent main`
   (`--schema-only` keeps production rows out of it);
2. migrate it: `DIRECT_DATABASE_URL=<the branch's direct URL> alembic upgrade head`, then run
   `pytest` and the application against the branch's pooled URL;
3. compare: `neon branches schema-diff main proposal-42` shows what the migration changed
   in the database, next to the design's change list in `DESIGN.md`;
4. then main: the same `alembic upgrade head` from CI on main's direct URL, and
   `neon branches delete proposal-42` (or `reset --parent` to start the proposal again).
"""
