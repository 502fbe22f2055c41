"""Importers: PostgreSQL DDL, DBML and live databases → :class:`ImportResult`.

    from modeler.importers import import_sql
    result = import_sql([("schema.sql", text)])
    result.schema, result.warnings, result.counts

All three are pure functions of their input (the live one reads the database in a READ ONLY
transaction): they return a snapshot with deterministic uids (the same input gives the same
uids), warnings with file and line for what the model does not represent, and counts; or
they raise :class:`SchemaImportError` and import nothing. Each takes an optional ``progress``
callback (:mod:`modeler.importers.progress`) for long imports.
"""

from __future__ import annotations

from modeler.importers.dbml import import_dbml
from modeler.importers.live import import_live
from modeler.importers.progress import Progress
from modeler.importers.result import ImportResult, ImportWarning, SchemaImportError
from modeler.importers.sql import import_sql

__all__ = ["ImportResult", "ImportWarning", "Progress", "SchemaImportError", "import_dbml",
           "import_live", "import_sql"]
