"""The Drizzle bundle: every file of the TypeScript project, as ``path -> text``.

    files = build_drizzle_files(revisions, slug="shop", title="Shop")

Layout::

    package.json  tsconfig.json  drizzle.config.ts  .env.example  README.md
    src/db/schema.ts  src/db/relations.ts  src/db/index.ts  src/examples.ts
    scripts/rollback.mjs  tests/db.test.ts  tests/support.ts
    drizzle/meta/_journal.json  drizzle/meta/NNNN_snapshot.json
    drizzle/NNNN_<name>.sql  drizzle/NNNN_<name>.down.sql

Deterministic: the same versions give the same text (snapshot ids are derived from the slug
and the version number, journal times from the versions' dates).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from modeler.codegen.drizzle import DRIZZLE_LINE
from modeler.codegen.drizzle import templates as tpl
from modeler.codegen.drizzle.docs import render_examples, render_readme
from modeler.codegen.drizzle.migrations import build_migrations, journal, migration_text
from modeler.codegen.drizzle.names import Names, build_names
from modeler.codegen.drizzle.relations_ts import render_relations_ts
from modeler.codegen.drizzle.schema_ts import render_schema_ts
from modeler.codegen.drizzle.tpl_tests import render_db_test_ts, render_support_ts
from modeler.codegen.extras import namespaces
from modeler.codegen.markdown import inert
from modeler.codegen.plan import ModelPlan, build_plan
from modeler.codegen.versions import Revision


def _json(data: object, depth: int = 2, indent: str = "") -> str:
    """JSON indented for its first ``depth`` levels, compact below (json's indenting encoder
    is pure Python: a thousand-table snapshot took a second to write)."""
    if depth == 0 or not isinstance(data, dict) or not data:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    inner = indent + "  "
    items = ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: "
                       f"{_json(v, depth - 1, inner)}" for k, v in data.items())
    text = "{\n" + items + "\n" + indent + "}"
    return text + "\n" if not indent else text


def build_drizzle_files(revisions: Sequence[Revision], *, slug: str, title: str,
                        plan: ModelPlan | None = None,
                        names: Names | None = None) -> dict[str, str]:
    """All files of the Drizzle project for ``revisions`` (the last one is the current
    design); ``plan`` and ``names``: the current design's naming plan and TypeScript names,
    when the caller has them."""
    if DRIZZLE_LINE != "0.45":  # pragma: no cover - the 1.0 layout is not written yet
        raise NotImplementedError(f"Drizzle line {DRIZZLE_LINE}")
    schema = revisions[-1].version.schema
    plan = plan or build_plan(schema)
    names = names or build_names(schema, plan)
    migrations = build_migrations(revisions, slug=slug, plan=plan)
    files: dict[str, str] = {
        "package.json": tpl.render_package_json(slug, revisions[-1].version.number, title),
        "tsconfig.json": _json(tpl.TSCONFIG),
        "drizzle.config.ts": tpl.render_config(namespaces(schema),
                                               [e.name for e in schema.extensions]),
        ".env.example": tpl.ENV_EXAMPLE,
        "src/db/schema.ts": render_schema_ts(schema, names, plan.creation_order, title),
        "src/db/relations.ts": render_relations_ts(schema, names, plan.creation_order),
        "src/db/index.ts": tpl.INDEX_TS,
        "src/examples.ts": render_examples(schema, names),
        "scripts/rollback.mjs": tpl.ROLLBACK_MJS,
        "tests/db.test.ts": render_db_test_ts(),
        "tests/support.ts": render_support_ts(),
        "drizzle/meta/_journal.json": _json(journal(migrations)),
    }
    for m in migrations:
        files[f"drizzle/meta/{m.idx:04d}_snapshot.json"] = _json(m.snapshot)
        files[f"drizzle/{m.tag}.sql"] = migration_text(m, m.up, m.header)
        files[f"drizzle/{m.tag}.down.sql"] = migration_text(
            m, m.down, [f"-- Way back from {m.tag} (npm run db:rollback)", *m.header[1:]])
    files["README.md"] = inert(render_readme(  # the title is the user's
        title, migrations, files[f"drizzle/{migrations[0].tag}.sql"],
        revisions[0].version.baseline))
    return {path: files[path] for path in sorted(files)}
