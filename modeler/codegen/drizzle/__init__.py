"""The Drizzle ORM export: a TypeScript project (drizzle-orm pg-core schema, relations,
Neon-aware clients) whose drizzle-kit migrations rebuild the same database as the Alembic
revisions. See :func:`modeler.codegen.drizzle.bundle.build_drizzle_files`."""

from __future__ import annotations

from typing import Literal

# The Drizzle line the export targets. "0.45": drizzle-orm 0.45 / drizzle-kit 0.31 (npm's
# `latest`): relations(), drizzle/meta/_journal.json with NNNN_<name>.sql. "1.0" (the RC line:
# defineRelations(), drizzle/<timestamp>_<name>/migration.sql without a journal) is not
# written yet; the places that differ read this switch.
DrizzleLine = Literal["0.45", "1.0"]
DRIZZLE_LINE: DrizzleLine = "0.45"
