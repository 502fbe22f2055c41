"""SQL that DBML carries as text (backtick defaults, checks, index expressions), checked
before it enters the design: PostgreSQL's parser must read it, and what PostgreSQL would
refuse when the export runs is repaired (another database's function with a PostgreSQL
equivalent: ``getdate()`` → ``now()``, ``LEN(x)`` → ``length(x)``) or left out, with the
reason. What PostgreSQL refuses, checked here:

- a function that is neither PostgreSQL's (:mod:`~modeler.importers.dbml.pgfuncs`) nor a
  known extension's (that extension is added to the design); schema-qualified calls are
  the database's business and pass;
- a function called on a column whose type it does not take (``reverse(integer)``);
- a cast to a type that is neither PostgreSQL's, nor a known extension's (that extension is
  added), nor one the file declares or uses as a column type the database must provide
  (``known_type``): another spelling of a PostgreSQL type is repaired (``'0'::nvarchar(20)``
  → ``varchar(20)``, ``'0'::charactervarying``, written without its spaces), any other is
  refused; schema-qualified casts are the database's business and pass;
- in a default: a column reference or a subquery; in a check or an index: a column the
  table does not have, or a subquery; in an index: a function that is not immutable, and a
  function or cast that is immutable for some types only, applied to a column of another
  (``date(created_at)``, ``created_at::date`` of a ``timestamptz``: they read the session's
  TimeZone; ``status::text`` of an enum, ``day::text`` of a date: DateStyle and the enum's
  labels are the session's and the catalog's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast import parser as pg_parser

from modeler.importers import bounds
from modeler.importers.dbml.pgfuncs import DIALECT_FUNCTIONS, EXTENSION_FUNCTIONS, PG_FUNCTIONS
from modeler.importers.sql.deparse import expr_sql
from modeler.importers.typemap import EXTENSION_TYPES, PG_OTHER_TYPES, map_type
from modeler.schema.sqlprint import walk
from modeler.schema.types import canonical_key

# Whether a type name (unqualified, as PostgreSQL stores it) is one the file declares or
# uses as a column type the database must provide.
KnownType = Callable[[str], bool]

# type categories (pg_type.typcategory) of the builtin types a function argument is checked for
CATEGORIES = {
    "smallint": "N", "integer": "N", "bigint": "N", "numeric": "N", "real": "N",
    "double precision": "N", "money": "N", "text": "S", "character varying": "S",
    "character": "S", "varchar": "S", "char": "S", "name": "S", "citext": "S",
    "date": "D", "timestamp without time zone": "D", "timestamp with time zone": "D",
    "time without time zone": "D", "time with time zone": "D", "timestamp": "D",
    "timestamptz": "D", "time": "D", "timetz": "D", "interval": "T", "boolean": "B",
}
_CHECKED = frozenset("NSDBTE")
_WHAT = {"N": "a number", "S": "text", "D": "a date or time", "T": "an interval",
         "B": "a boolean", "E": "an enum"}
# written without parentheses, as other databases do: the whole default is that word
BARE_WORDS = {"sysdate": "now()", "systimestamp": "now()", "getdate": "now()",
              "utc_timestamp": "now()", "curdate": "current_date"}
_MARK = "dbml_keyword_"

# What an index may not apply to a column (PostgreSQL 15's pg_proc.provolatile, pg_cast):
# functions immutable for some argument types only -> the argument's position and the column
# types that make them stable; ``*``: stable whatever the argument.
_STABLE_FOR = {
    "date": (0, {"timestamptz"}), "time": (0, {"timestamptz"}),
    "timestamp": (0, {"timestamptz"}), "timetz": (0, {"timestamptz", "time"}),
    "timestamptz": (0, {"timestamp", "date"}), "date_part": (1, {"timestamptz"}),
    "extract": (1, {"timestamptz"}), "date_trunc": (1, {"timestamptz"}),
}
_STRINGS = frozenset({"text", "varchar", "char", "name", "citext"})
_DATES_IN = frozenset({"date", "time", "timetz", "timestamp", "timestamptz", "interval"})
# casts (source column type -> target type) through a stable function: timestamptz's own
# conversions, and the text output or input of dates, times, intervals, enums and money
# (DateStyle, IntervalStyle, the catalog's labels, lc_monetary)
_STABLE_CASTS = {
    "timestamptz": {"date", "time", "timetz", "timestamp", *_STRINGS},
    "timestamp": {"timestamptz", *_STRINGS}, "date": {"timestamptz", *_STRINGS},
    "time": {"timetz"}, "interval": _STRINGS, "enum": _STRINGS, "money": _STRINGS,
    **{t: _DATES_IN | {"enum", "money"} for t in _STRINGS},
}
_EMPTY_PARENS = re.compile(
    r"\b(current_timestamp|current_date|current_time|localtimestamp|localtime)\s*\(\s*\)",
    re.IGNORECASE)


@dataclass
class Checked:
    """The SQL to keep (None: left out, ``problem`` says why), the repairs made, and the
    extensions the expression needs."""

    sql: str | None
    problem: str | None = None
    repairs: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    node: Any = None


def parse_expr(text: str) -> Any | None:
    """The AST of an SQL expression, or None when PostgreSQL's parser rejects it."""
    try:
        stmt = bounds.parse_sql(f"SELECT {text}")
    except (pg_parser.ParseError, bounds.NestedTooDeeply):
        return None
    if len(stmt) != 1:
        return None
    select = stmt[0].stmt
    if not isinstance(select, ast.SelectStmt) or select.fromClause or select.whereClause \
            or select.groupClause or select.sortClause or select.limitCount:
        return None
    targets = select.targetList
    if not targets or len(targets) != 1 or getattr(targets[0], "name", None):
        return None
    return targets[0].val


def sql_expr(text: str) -> str:
    """An expression as PostgreSQL's deparser prints it, or as written if it does not parse."""
    node = parse_expr(text)
    return expr_sql(node) if node is not None else text.strip()


_walk = walk  # the expression layer's tree walk


def check_sql(text: str, role: str, columns: Mapping[str, str | None] | None = None,
              known_type: KnownType | None = None) -> Checked:
    """``text`` as a ``role`` (``default``, ``check`` or ``index``): see the module docstring.
    ``columns``: the table's columns and their type names (checks and indexes);
    ``known_type``: the file's own types (None: casts are not checked)."""
    stripped = text.strip()
    if role == "default" and stripped.lower() in BARE_WORDS:
        new = BARE_WORDS[stripped.lower()]
        return Checked(new, repairs=[f"{stripped} is not PostgreSQL's: {new} used"],
                       node=parse_expr(new))
    node = parse_expr(stripped)
    repairs: list[str] = []
    if node is None and _EMPTY_PARENS.search(stripped):
        fixed = _EMPTY_PARENS.sub(lambda m: m.group(1), stripped)
        node = parse_expr(fixed)
        if node is not None:
            repairs.append(f"{stripped} written as {fixed} (PostgreSQL takes no parentheses)")
    if node is None:
        return Checked(None, "is not an SQL expression PostgreSQL can read")
    out = Checked(None, repairs=repairs, node=node)
    for n in _walk(node):
        problem = _cast(n, known_type, out) if isinstance(n, ast.TypeCast) \
            and known_type is not None else None
        problem = problem or _problem(n, role, columns, out)
        if problem is not None:
            out.problem = problem
            return out
    out.sql = expr_sql(node)
    if out.repairs:  # print, then read again: the canonical text of the repaired expression
        out.sql = re.sub(rf'"?{_MARK}(\w+)"?\(', lambda m: f"{m.group(1)}(", out.sql)
        reread = parse_expr(out.sql)
        if reread is not None:
            out.node, out.sql = reread, expr_sql(reread)
    if parse_expr(out.sql) != out.node:  # the printer lost a needed parenthesis
        out.sql, out.problem = None, "cannot be printed back as written (a limit of the " \
            "import's SQL printer): write it in another form (a function call instead of a cast)"
    return out


def _problem(n: Any, role: str, columns: Mapping[str, str | None] | None,
             out: Checked) -> str | None:
    if isinstance(n, ast.SubLink):
        return f"has a subquery, which PostgreSQL does not allow in a{'n' * (role == 'index')} " \
               f"{role}"
    if isinstance(n, ast.ColumnRef):
        names = [str(f.sval) if isinstance(f, ast.String) else "*" for f in n.fields or ()]
        name = names[-1] if names else "*"
        if role == "default":
            return f"refers to {'.'.join(names)}: a default cannot refer to a column"
        if columns is not None and name not in columns:
            return f"refers to {name}, which is not a column of the table"
        return None
    if isinstance(n, ast.SQLValueFunction) and role == "index":
        return "is not immutable (it reads the clock or the session): PostgreSQL refuses " \
               "it in an index"
    if isinstance(n, ast.FuncCall):
        return _function(n, role, columns, out)
    if isinstance(n, ast.TypeCast) and role == "index" and columns is not None:
        return _stable_cast(n, columns)
    return None


def _cast(n: Any, known_type: KnownType, out: Checked) -> str | None:
    """A cast to a type PostgreSQL has, an extension's or the file's: None. Another
    spelling of one of PostgreSQL's types is repaired in place (reported); else why not."""
    tn = n.typeName
    names = [str(p.sval) for p in tn.names or () if isinstance(p, ast.String)] \
        if tn is not None else []
    if not names or (len(names) > 1 and names[0] != "pg_catalog"):
        return None  # schema-qualified: the database's business, as for functions
    name = names[-1]
    if canonical_key(name) is not None or name in PG_OTHER_TYPES or known_type(name):
        return None
    if name in EXTENSION_TYPES:
        out.extensions.append(EXTENSION_TYPES[name])
        return None
    mods = [str(m.val.ival) for m in tn.typmods or () if isinstance(m, ast.A_Const)
            and isinstance(m.val, ast.Integer)]
    written = name + (f"({', '.join(mods)})" if mods and len(mods) == len(tn.typmods) else "")
    mapping = map_type(written)
    if mapping is not None and mapping.reported and not mapping.unknown \
            and mapping.extension is None and mapping.type.kind == "builtin":
        target = parse_expr(f"NULL::{mapping.type.sql()}")
        if isinstance(target, ast.TypeCast) and target.typeName is not None:
            new = target.typeName
            new.arrayBounds = tn.arrayBounds
            n.typeName = new
            out.repairs.append(f"cast to {written} is not PostgreSQL's ({mapping.why}): "
                               f"{mapping.type.sql()} used")
            return None
    return f"casts to {name}, which is neither a PostgreSQL type nor a type of the file"


def _column_type(arg: Any, columns: Mapping[str, str | None]) -> tuple[str, str] | None:
    """``(column, its type)`` when ``arg`` is a reference to a column of known type."""
    if not isinstance(arg, ast.ColumnRef) or not arg.fields \
            or not isinstance(arg.fields[-1], ast.String):
        return None
    column = str(arg.fields[-1].sval)
    ctype = columns.get(column)
    return (column, ctype) if ctype else None


def _stable_cast(n: Any, columns: Mapping[str, str | None]) -> str | None:
    """``created_at::date`` of a timestamptz, ``status::text`` of an enum...: a cast through
    a function that is not immutable."""
    from modeler.schema.types import canonical_key

    source = _column_type(n.arg, columns)
    names = [str(p.sval) for p in n.typeName.names or () if isinstance(p, ast.String)] \
        if n.typeName is not None else []
    if source is None or not names or (n.typeName.arrayBounds or ()):
        return None
    column, ctype = source
    target = canonical_key(names[-1]) if len(names) == 1 or names[0] == "pg_catalog" else None
    if target is None or target not in _STABLE_CASTS.get(ctype, ()):
        return None
    return (f"casts {column} ({ctype}) to {target}, which is not immutable (it depends on "
            "the session's settings): PostgreSQL refuses it in an index")


def _stable_call(n: Any, name: str, columns: Mapping[str, str | None] | None) -> str | None:
    """``date(created_at)`` of a timestamptz: a function immutable for other types only."""
    low = name.lower()
    args = list(n.args or ())
    if columns is None or (low not in _STABLE_FOR and not (low == "age" and len(args) == 1)):
        return None
    if low == "age" or (low == "date_trunc" and len(args) == 3):
        return f"calls {name}() with these arguments, which is not immutable (it reads the " \
            "clock or the session's TimeZone): PostgreSQL refuses it in an index"
    position, stable = _STABLE_FOR[low]
    found = _column_type(args[position], columns) if len(args) > position else None
    if found is None or found[1] not in stable:
        return None
    column, ctype = found
    return (f"calls {name}() on {column}, which is {ctype}: not immutable for that type (it "
            "depends on the session's TimeZone): PostgreSQL refuses it in an index")


def _function(n: Any, role: str, columns: Mapping[str, str | None] | None,
              out: Checked) -> str | None:
    names = [str(s.sval) for s in n.funcname or () if isinstance(s, ast.String)]
    if role == "index" and names and (len(names) == 1 or names[0] == "pg_catalog"):
        stable = _stable_call(n, names[-1], columns)  # extract(): pg_catalog.extract
        if stable is not None:
            return stable
    if len(names) != 1:
        return None  # schema-qualified: PostgreSQL's own (pg_catalog) or the database's
    name = names[0]
    low = name.lower()
    if low not in PG_FUNCTIONS and low in DIALECT_FUNCTIONS:
        target, keep_args = DIALECT_FUNCTIONS[low]
        # a keyword (COALESCE) is printed as a quoted name: a marker, replaced once printed
        spelled = f"{_MARK}{target}" if target.isupper() else target
        n.funcname = (ast.String(sval=spelled),)  # type: ignore[no-untyped-call]  # pglast's ast constructors are untyped
        if not keep_args:
            n.args = None
        out.repairs.append(f"{name}() is not PostgreSQL's: {target}"
                           f"{'()' if not keep_args else '(...)'} used")
        low = spelled.lower()
    if low in EXTENSION_FUNCTIONS and low not in PG_FUNCTIONS:
        out.extensions.append(EXTENSION_FUNCTIONS[low])
        return None
    known = PG_FUNCTIONS.get(low)
    if known is None:
        if low.startswith(_MARK.lower()):  # repaired into an SQL keyword
            return None
        return f"calls {name}(), which is neither a PostgreSQL function nor an extension's " \
               "the import knows"
    categories, immutable = known
    if role == "index" and not immutable:
        return f"calls {name}(), which is not immutable: PostgreSQL refuses it in an index"
    return _argument(n, name, categories, columns)


# functions the catalog lists for any type ("*") because an overload takes any range: for
# the builtin types checked here, only these categories
_RANGE_OR = {"lower": "S", "upper": "S", "isempty": "", "lower_inc": "", "upper_inc": "",
             "lower_inf": "", "upper_inf": ""}


def _argument(n: Any, name: str, categories: str, columns: Mapping[str, str | None] | None
              ) -> str | None:
    """``reverse(country_code)`` with an integer column: PostgreSQL has no such function."""
    categories = _RANGE_OR.get(name.lower(), categories)
    if columns is None or not n.args or "*" in categories:
        return None
    first = n.args[0]
    if not isinstance(first, ast.ColumnRef) or not first.fields \
            or not isinstance(first.fields[-1], ast.String):
        return None
    column = str(first.fields[-1].sval)
    ctype = columns.get(column) or ""
    category = "E" if ctype == "enum" else CATEGORIES.get(ctype)
    if category is None or category not in _CHECKED or category in categories:
        return None
    return f"calls {name}() on {column}, which is {_WHAT[category]}: PostgreSQL has no " \
           f"{name}() for that type"
