"""A domain over a domain (found on icingadb-like scripts by bench/stranger_schemas.py): the
design keeps its domains sorted by name, and the bundle created ``nested`` before the
``ubig`` it is based on (PostgreSQL: type "ubig" does not exist). schema.sql and the
migration create each domain after its base and drop it before."""

from __future__ import annotations

from modeler.codegen.ddl import schema_sql
from modeler.codegen.extras import post_drop, pre_create
from modeler.importers import import_sql
from modeler.schema.graph import domains_in_base_order

SCRIPT = """CREATE DOMAIN zbase AS bigint;
CREATE DOMAIN middle AS zbase;
CREATE DOMAIN alpha AS middle;
CREATE DOMAIN other AS text;
CREATE TABLE t (a alpha, b other);
"""


def _order(statements: list[str], word: str) -> list[str]:
    return [s.split()[2] for s in statements if s.startswith(word)]


def test_domains_are_created_after_their_base_and_dropped_before() -> None:
    schema = import_sql([("s.sql", SCRIPT)]).schema
    assert [d.name for d in schema.domains] == ["alpha", "middle", "other", "zbase"]
    assert [d.name for d in domains_in_base_order(schema.domains)] == [
        "zbase", "middle", "alpha", "other"]
    assert _order(pre_create(schema), "CREATE DOMAIN") == ["zbase", "middle", "alpha", "other"]
    drops = [s.split()[4] for s in post_drop(schema) if s.startswith("DROP DOMAIN")]
    assert drops == ["other", "alpha", "middle", "zbase"]
    text = schema_sql(schema)
    assert text.index("CREATE DOMAIN zbase") < text.index("CREATE DOMAIN middle") < \
        text.index("CREATE DOMAIN alpha")
