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

from importlib import import_module
from typing import TYPE_CHECKING, Any

from modeler.importers.progress import Progress
from modeler.importers.result import ImportResult, ImportWarning, SchemaImportError

if TYPE_CHECKING:
    from modeler.importers.dbml import import_dbml
    from modeler.importers.live import import_live
    from modeler.importers.sql import import_sql

# each importer is loaded on first use (issue 17): ``import_schema --url`` needs neither the
# DBML nor the file-reading side of the SQL importer, and a package import loaded them all
_LAZY = {"import_dbml": "modeler.importers.dbml", "import_live": "modeler.importers.live",
         "import_sql": "modeler.importers.sql"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = ["ImportResult", "ImportWarning", "Progress", "SchemaImportError", "import_dbml",
           "import_live", "import_sql"]
