"""Regenerate modeler/rules/data/pg_functions.json (the functions PostgreSQL provides, and which
extension provides the others: rule CN-08 reads it), modeler/schema/data/pg_operators.json
(the operand type categories of every built-in operator, the category of every catalog type,
the operators extensions add: the design's validation reads it) and
modeler/schema/data/pg_casts.json (the assignment and implicit casts between the catalog's
built-in types: what a column's default may be of, see modeler.schema.validate_pg).

    .venv/bin/python scripts/pg_function_catalog.py [--casts-only]

Starts a throw-away cluster from the installed server binaries (tests/pgtemp.py), lists the
functions of ``pg_catalog``, then creates each available extension in a database of its own
and lists the functions it adds. Functions of later PostgreSQL versions than the installed
one are declared in VERSION_ADDED below (with the version that added them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from modeler.schema.types import CATALOG  # noqa: E402
from tests.pgtemp import temp_postgres  # noqa: E402

_NOT_IN_CORE = frozenset({"citext"})  # an extension's type (its category is S)

OUT = ROOT / "modeler" / "rules" / "data" / "pg_functions.json"
OPS = ROOT / "modeler" / "schema" / "data" / "pg_operators.json"
CASTS = ROOT / "modeler" / "schema" / "data" / "pg_casts.json"
# assignment ('a') and implicit ('i') casts between two types of pg_catalog
CAST_SQL = ("SELECT format_type(castsource, NULL), format_type(casttarget, NULL) FROM pg_cast "
            "JOIN pg_type s ON s.oid = castsource JOIN pg_type t ON t.oid = casttarget "
            "WHERE castcontext IN ('a', 'i') AND castsource <> casttarget "
            "AND s.typnamespace = 'pg_catalog'::regnamespace "
            "AND t.typnamespace = 'pg_catalog'::regnamespace")
# pseudo-types narrowed to the category they accept (anyarray: arrays...); 'P' is any type
_PSEUDO = ("CASE WHEN {t}.oid IS NULL THEN '_' WHEN {t}.typcategory <> 'P' "
           "THEN {t}.typcategory::text "
           "WHEN {t}.typname IN ('anyarray', 'anycompatiblearray') THEN 'A' "
           "WHEN {t}.typname = 'anyenum' THEN 'E' "
           "WHEN {t}.typname IN ('anyrange', 'anycompatiblerange', 'anymultirange', "
           "'anycompatiblemultirange') THEN 'R' WHEN {t}.typname = 'record' THEN 'C' "
           "ELSE 'P' END")
_OPERATORS = (f"SELECT o.oprname, {_PSEUDO.format(t='l')}, {_PSEUDO.format(t='r')} "  # noqa: S608
              "FROM pg_operator o LEFT JOIN pg_type l ON l.oid = o.oprleft "
              "LEFT JOIN pg_type r ON r.oid = o.oprright "
              "WHERE o.oprnamespace = 'pg_catalog'::regnamespace")
_EXT_OPS = ("SELECT DISTINCT o.oprname FROM pg_depend d JOIN pg_operator o ON o.oid = d.objid "
            "JOIN pg_extension e ON e.oid = d.refobjid WHERE d.deptype = 'e' "
            "AND d.classid = 'pg_operator'::regclass AND e.extname = %s")
_FUNCS = "SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace"
_EXT_FUNCS = ("SELECT DISTINCT p.proname FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid "
              "JOIN pg_extension e ON e.oid = d.refobjid WHERE d.deptype = 'e' "
              "AND d.classid = 'pg_proc'::regclass AND e.extname = %s")

# Functions added after PostgreSQL 13 (the oldest target), by the version that added them.
VERSION_ADDED: dict[str, int] = {
    "trim_array": 14, "date_bin": 14, "bit_count": 14, "ltrimbytea": 14, "string_to_table": 14,
    "unistr": 14, "range_agg": 14, "range_intersect_agg": 14, "multirange": 14,
    "regexp_count": 15, "regexp_instr": 15, "regexp_like": 15, "regexp_substr": 15,
    "any_value": 16, "random_normal": 16, "array_sample": 16, "array_shuffle": 16,
    "date_add": 16, "date_subtract": 16, "erf": 16, "erfc": 16, "pg_input_is_valid": 16,
    "pg_input_error_info": 16, "to_bin": 17, "to_oct": 17, "uuid_extract_timestamp": 17,
    "uuid_extract_version": 17, "pg_basetype": 17, "uuidv4": 18, "uuidv7": 18,
    "casefold": 18, "array_reverse": 18, "array_sort": 18, "crc32": 18, "crc32c": 18,
    "gamma": 18, "lgamma": 18,
}


def assignment_casts(conn: psycopg.Connection[tuple[str, str]]) -> list[list[str]]:
    """The (source, target) catalog keys of the server's assignment and implicit casts
    between the catalog's built-in types (types outside the catalog left out)."""
    key = {info.pg_name: k for k, info in CATALOG.items() if k not in _NOT_IN_CORE}
    return sorted([key[s], key[t]] for s, t in conn.execute(CAST_SQL)
                  if s in key and t in key and key[s] != key[t])


def write_casts(conn: psycopg.Connection[tuple[str, str]], version: int) -> None:
    CASTS.write_text(json.dumps({"source_version": version,
                                 "assignment_casts": assignment_casts(conn)}) + "\n")
    print(f"{CASTS.relative_to(ROOT)}: PostgreSQL {version}")


def main() -> None:
    with temp_postgres() as server, psycopg.connect(server.url, autocommit=True) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
        write_casts(conn, version)
        if "--casts-only" in sys.argv[1:]:
            return
        builtin = sorted(r[0] for r in conn.execute(_FUNCS))
        operators: dict[str, set[str]] = {}
        for name, left, right in conn.execute(_OPERATORS):
            operators.setdefault(name, set()).add(left + right)
        categories = {key: conn.execute("SELECT typcategory FROM pg_type WHERE oid = %s::regtype",
                                        (info.pg_name,)).fetchone()[0]
                      for key, info in CATALOG.items() if key not in _NOT_IN_CORE}
        ext_operators: dict[str, list[str]] = {}
        names = sorted(r[0] for r in conn.execute(
            "SELECT name FROM pg_available_extensions WHERE name <> 'plpgsql'"))
        by_extension: dict[str, list[str]] = {}
        for i, ext in enumerate(names):
            db = f"ext{i}"
            conn.execute(f'CREATE DATABASE "{db}"')
            try:
                with psycopg.connect(server.url.rsplit("/", 1)[0] + "/" + db,
                                     autocommit=True) as c2:
                    try:
                        c2.execute(f'CREATE EXTENSION "{ext}" CASCADE')
                    except psycopg.Error as exc:
                        print(f"skipped {ext}: {str(exc).strip()}", file=sys.stderr)
                        continue
                    found = sorted(r[0] for r in c2.execute(_EXT_FUNCS, (ext,)))
                    if found:
                        by_extension[ext] = found
                    ops = sorted(r[0] for r in c2.execute(_EXT_OPS, (ext,)))
                    if ops:
                        ext_operators[ext] = ops
            finally:
                conn.execute(f'DROP DATABASE "{db}"')
    data = {"source_version": version, "builtin": builtin,
            "version_added": dict(sorted(VERSION_ADDED.items())), "extensions": by_extension}
    OUT.write_text(json.dumps(data, indent=0, sort_keys=False) + "\n")
    OPS.parent.mkdir(exist_ok=True)
    OPS.write_text(json.dumps({
        "source_version": version,
        "operators": {k: sorted(v) for k, v in sorted(operators.items())},
        "type_categories": dict(sorted(categories.items())),
        "extension_operators": ext_operators}, indent=0) + "\n")
    print(f"{OUT.relative_to(ROOT)}: PostgreSQL {version}, {len(builtin)} built-in names, "
          f"{len(by_extension)} extensions, "
          f"{sum(len(v) for v in by_extension.values())} extension function names")


if __name__ == "__main__":
    main()
