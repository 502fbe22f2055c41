"""DBML column defaults → SQL defaults PostgreSQL accepts for the column's type.

DBML writes a default as a string, a number, true/false/null, an enum value
(``status.active``) or a `backtick expression`, and the reference implementation takes any
of them for any type. PostgreSQL does not: ``DEFAULT 1`` on a boolean, ``DEFAULT 'abc'`` on an
integer, ``DEFAULT now()`` on an integer, an enum label the enum lacks... each makes the
export fail. A default is kept when PostgreSQL would take it; repaired when the intent is
plain (``0``/``1`` on a boolean, ``'now()'`` — a string that names a function, which would
freeze the time the table was created — on a timestamp); else left out; each repair or
omission is a warning at the default's line (:class:`DefaultResult`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from modeler.importers.dbml.exprs import CATEGORIES, KnownType, check_sql, parse_expr
from modeler.importers.dbml.model import Default
from modeler.importers.draft import DraftEnum
from modeler.schema import model as m
from modeler.schema.sqlprint import string_literal

_INTEGER = re.compile(r"\s*[-+]?\d+\s*")
_NUMERIC = re.compile(r"\s*(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|(?i:nan|[-+]?infinity))\s*")
_BOOLEAN = re.compile(r"\s*(?i:t|tr|tru|true|y|ye|yes|on|1|f|fa|fal|fals|false|n|no|off|0)\s*")
_DATE_TIME = re.compile(r"\s*@?[\w\s\-+/:.,']*")  # the characters date/time input takes
_INET = re.compile(r"\s*(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)(?:/\d{1,3})?\s*")
_CIDR = re.compile(r"\s*(?:\d{1,3}(?:\.\d{1,3}){0,3}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)(?:/\d{1,3})?\s*")
_MACADDR = re.compile(r"\s*[0-9A-Fa-f]{2}(?:[-:.]?[0-9A-Fa-f]{2}){5,7}\s*")
_MONEY = re.compile(r"\s*[-+]?\$?\s*[-+]?(?:\d[\d,]*\.?\d*|\.\d+)\s*")
_BYTEA_HEX = re.compile(r"\\x(?:\s*[0-9A-Fa-f]{2})*\s*")
_BYTEA_ESCAPE = re.compile(r"\\\\|\\[0-3][0-7]{2}")  # \\ and \ooo: bytea's escape format
_UUID = re.compile(r"\s*\{?(?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}\}?\s*")
_CALL_LIKE = re.compile(r"\s*[A-Za-z_][\w.]*\s*\(.*\)\s*|\s*(?i:current_timestamp|current_date|"
                        r"current_time|localtimestamp|localtime|now)\s*")
# what the usual default functions return: a type category (pg_type.typcategory), or uuid
_RESULTS = {"now": "D", "clock_timestamp": "D", "statement_timestamp": "D",
            "transaction_timestamp": "D", "timeofday": "S", "gen_random_uuid": "uuid",
            "uuid_generate_v1": "uuid", "uuid_generate_v4": "uuid",
            "uuid_generate_v1mc": "uuid", "random": "N",
            **dict.fromkeys(("lower", "upper", "md5", "concat", "concat_ws", "format", "substr",
                             "replace", "btrim", "ltrim", "rtrim", "initcap", "left",
                             "right", "repeat", "reverse", "translate", "to_char", "chr",
                             "encode", "split_part", "lpad", "rpad", "regexp_replace",
                             "quote_ident", "quote_literal", "current_setting", "version"),
                            "S"),
            **dict.fromkeys(("length", "char_length", "octet_length", "abs", "round", "floor",
                             "ceil", "ceiling", "trunc", "sqrt", "power", "mod"), "N")}


@dataclass
class DefaultResult:
    """The SQL default (None: none), and what to report: ``(kind, message)`` pairs."""

    sql: str | None
    reports: list[tuple[str, str]] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)


def _literal(text: str) -> str:
    """The string constant as the design spells it (``E'...'`` with a line break: what the
    expression layer prints, so the DBML export reads back the same default)."""
    return string_literal(text)


def _type_name(ctype: m.ColumnType) -> str:
    return ctype.sql() if ctype.kind == "builtin" else ctype.name


def category(ctype: m.ColumnType) -> str | None:
    """The type category of a column type: N, S, D, T, B; U for uuid/json/bytea and other
    builtins; E for an enum; A for an array; None for types the import cannot see into."""
    if ctype.array_dims:
        return "A"
    if ctype.kind == "enum":
        return "E"
    if ctype.kind != "builtin":
        return None
    return CATEGORIES.get(ctype.name, "U")


def default_sql(default: Default, ctype: m.ColumnType, where: str,
                enum: DraftEnum | None = None,
                known_type: KnownType | None = None) -> DefaultResult:
    """The SQL default for ``default`` on a column of type ``ctype`` (``where``: the column,
    for messages; ``enum``: the column's enum, when it is one; ``known_type``: the file's
    own types, for casts: see :func:`~modeler.importers.dbml.exprs.check_sql`)."""
    result = _default_sql(default, ctype, where, enum, known_type)
    too_big = _out_of_range(result.sql, ctype) if result.sql is not None else None
    if too_big is not None:  # PostgreSQL takes the table, then refuses every insert
        out = _left_out(f"default {result.sql} of {where} {too_big}")
        out.reports[:0] = result.reports
        return out
    return result


_INTEGER_RANGES = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


def _out_of_range(sql: str, ctype: m.ColumnType) -> str | None:
    """Why a constant default cannot be stored in the column (None when it can, or when the
    import cannot tell): an integer out of the type's range, a number with more digits than
    numeric(p, s) keeps before the point, a string longer than varchar(n) or char(n)."""
    if ctype.kind != "builtin" or ctype.array_dims:
        return None
    text = sql.strip()
    if ctype.name in _INTEGER_RANGES and _INTEGER.fullmatch(text):
        bound = _INTEGER_RANGES[ctype.name]
        if len(text.lstrip("+-0")) > 25:  # int() refuses 4,300 digits; it is out of range
            return f"is out of range for {ctype.name}"
        return None if -bound <= int(text) < bound else f"is out of range for {ctype.name}"
    if ctype.name == "numeric" and ctype.precision is not None and _NUMERIC.fullmatch(text) \
            and not re.search(r"(?i)nan|inf", text):
        scale = ctype.scale or 0
        value = Decimal(text).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        if abs(value) >= Decimal(10) ** (ctype.precision - scale):
            return f"does not fit {ctype.sql()} (at most {ctype.precision - scale} digits " \
                "before the decimal point)"
    if ctype.name in ("varchar", "char") and ctype.length is not None \
            and text.startswith("'") and text.endswith("'"):
        value_ = text[1:-1].replace("''", "'")
        if len(value_.rstrip(" ") if ctype.name == "char" else value_) > ctype.length:
            return f"is longer than the {ctype.length} characters of {ctype.sql()}"
    return None


def _default_sql(default: Default, ctype: m.ColumnType, where: str,
                 enum: DraftEnum | None, known_type: KnownType | None) -> DefaultResult:
    kind, value = default.kind, default.value
    cat = category(ctype)
    shown = _type_name(ctype) if enum is None else \
        f"{enum.name if enum.namespace == 'public' else f'{enum.namespace}.{enum.name}'}" \
        f"{'[]' * ctype.array_dims}"
    if kind == "null":
        return DefaultResult(None)
    if kind == "expr":
        label = _enum_label(value, enum)
        if label is not None and ctype.array_dims:
            return _left_out(f"default {value.strip()} of {where} is one value but the column "
                             f"is an array ({shown})")
        if label is not None:  # `status.active`: the enum value, written as an expression
            return DefaultResult(_literal(label))
        return _expression(value, cat, shown, where, known_type)
    if kind == "enum":
        if ctype.array_dims:
            return _left_out(f"default {'.'.join([*default.enum, value])} of {where} is one "
                             f"value but the column is an array ({shown})")
        return _enum_value(default, enum, where)
    if kind == "num":
        if cat in (None, "N", "S"):
            return DefaultResult(value)
        if cat == "B" and value in ("0", "1"):
            word = "true" if value == "1" else "false"
            return DefaultResult(word, [("approximation", f"default {value} of {where} is a "
                                         f"number but the column is boolean: {word} used")])
        return _left_out(f"default {value} of {where} is a number but the column is {shown}")
    if kind == "bool":
        if cat in (None, "B", "S"):
            return DefaultResult(value)
        if cat == "N":
            number = "1" if value == "true" else "0"
            return DefaultResult(number, [("approximation", f"default {value} of {where} is a "
                                           f"boolean but the column is {shown}: {number} used")])
        return _left_out(f"default {value} of {where} is a boolean but the column is {shown}")
    return _string(value, cat, shown, where, enum, ctype)


def _left_out(message: str) -> DefaultResult:
    return DefaultResult(None, [("unsupported", f"{message}: left out, PostgreSQL would "
                                 "refuse it")])


def _expression(text: str, cat: str | None, shown: str, where: str,
                known_type: KnownType | None = None) -> DefaultResult:
    document = _json_document(text)
    if document is not None:
        return DefaultResult(document, [("approximation", f"default of {where} is written as "
                                         "an expression but is a JSON document: taken as a "
                                         "string literal")])
    checked = check_sql(text, "default", known_type=known_type)
    if checked.sql is None:
        return _left_out(f"default `{text.strip()}` of {where} {checked.problem}")
    reports = [("approximation", f"default of {where}: {r}") for r in checked.repairs]
    result = _result_category(checked.node)
    fits = cat in (result, "S") or (result == "uuid" and shown == "uuid")
    if result is not None and cat is not None and not fits:
        out = _left_out(f"default {checked.sql} of {where} gives {_RESULT_WHAT[result]} but "
                        f"the column is {shown}")
        out.reports[:0] = reports
        return out
    return DefaultResult(checked.sql, reports, checked.extensions)


_RESULT_WHAT = {"D": "a date or time", "uuid": "a uuid", "N": "a number", "S": "text",
                "B": "a boolean", "T": "an interval", "U": "a value of another type",
                "A": "an array"}


def _result_category(node: object) -> str | None:
    """The type category of what a default expression gives, where the import can tell."""
    from pglast import ast, enums

    if isinstance(node, ast.SQLValueFunction):
        return "S" if "USER" in str(node.op) or "CATALOG" in str(node.op) \
            or "SCHEMA" in str(node.op) else "D"
    if isinstance(node, ast.FuncCall):
        names = [str(s.sval) for s in node.funcname or () if isinstance(s, ast.String)]
        return _RESULTS.get(names[-1].lower()) if names else None
    if isinstance(node, ast.A_ArrayExpr):
        return "A"
    if isinstance(node, ast.A_Const) and not node.isnull:  # 'x' is of no type yet
        return "B" if isinstance(node.val, ast.Boolean) else \
            "N" if isinstance(node.val, ast.Integer | ast.Float) else None
    if isinstance(node, ast.TypeCast) and node.typeName is not None \
            and not node.typeName.arrayBounds:
        from modeler.schema.types import canonical_key

        names = [str(s.sval) for s in node.typeName.names or () if isinstance(s, ast.String)]
        key = canonical_key(names[-1]) if names else None
        if key is None:
            return None
        return "uuid" if key == "uuid" else CATEGORIES.get(key, "U")  # U: json, inet...
    if isinstance(node, ast.A_Expr) and node.kind == enums.A_Expr_Kind.AEXPR_OP:
        op = [str(s.sval) for s in node.name or () if isinstance(s, ast.String)]
        left, right = _result_category(node.lexpr), _result_category(node.rexpr)
        if op == ["||"] and all(isinstance(x, ast.A_Const) and isinstance(x.val, ast.String)
                                for x in (node.lexpr, node.rexpr)):
            return "S"  # 'a' || 'b': text
        if op and op[0] in "+-*/%^" and left == right == "N":
            return "N"
    return None


def _enum_label(text: str, enum: DraftEnum | None) -> str | None:
    """``status.active`` (or ``s.status.active``) naming a value of the column's enum."""
    from pglast import ast

    node = parse_expr(text) if enum is not None else None
    if enum is None or not isinstance(node, ast.ColumnRef):
        return None
    names = [str(f.sval) for f in node.fields or () if isinstance(f, ast.String)]
    if len(names) < 2 or names[-1] not in enum.labels:
        return None
    return names[-1] if names[:-1] in ([enum.name], [enum.namespace, enum.name]) else None


def _json_document(text: str) -> str | None:
    """A backtick "expression" that is really a JSON document (``db2dbml`` writes json/jsonb
    defaults that way: `` `{"k": "v"}` ``), as the string literal it stands for; else None."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")) or parse_expr(stripped) is not None:
        return None
    try:
        json.loads(stripped)
    except ValueError:
        return None
    return _literal(stripped)


def _enum_value(default: Default, enum: DraftEnum | None, where: str) -> DefaultResult:
    written = ".".join([*default.enum, default.value])
    if enum is None:
        return _left_out(f"default {written} of {where} names an enum value, but the column "
                         "is not of an enum type")
    if default.value not in enum.labels:
        return _left_out(f"default {written} of {where}: enum {enum.name} has no value "
                         f"{default.value}")
    expected = enum.name
    if default.enum and default.enum[-1] != expected:
        return _left_out(f"default {written} of {where} names another enum than the "
                         f"column's ({expected})")
    return DefaultResult(_literal(default.value))


def _string(value: str, cat: str | None, shown: str, where: str,
            enum: DraftEnum | None, ctype: m.ColumnType) -> DefaultResult:
    if cat == "A":
        element = replace(ctype, array_dims=0)
        elements = _array_elements(value)
        ecat, eshown = category(element), shown.removesuffix("[]" * ctype.array_dims)
        if elements is None:
            return _left_out(f"default '{value}' of {where} is not an array literal "
                             f"('{{...}}') of type {shown}")
        wrong = next((e for e in elements if e is not None
                      and not _valid(e, ecat, eshown, enum)), None)
        if wrong is not None:
            return _left_out(f"default '{value}' of {where}: {wrong!r} is not a value of type "
                             f"{eshown}")
        return DefaultResult(_literal(value))
    if cat in (None, "S"):
        return DefaultResult(_literal(value))
    if _CALL_LIKE.fullmatch(value):
        taken = _expression(value, cat, shown, where)
        if taken.sql is None:
            return _left_out(f"default '{value}' of {where} is not a value of type {shown}")
        taken.reports.insert(0, ("approximation", f"default '{value}' of {where} is a string "
                                 "that names a function (PostgreSQL would read the string "
                                 "once, when the table is created): taken as the expression "
                                 f"{taken.sql}"))
        return taken
    if _valid(value, cat, shown, enum):
        return DefaultResult(_literal(value))
    return _left_out(f"default '{value}' of {where} is not a value of type {shown}")


def _valid(value: str, cat: str | None, shown: str, enum: DraftEnum | None) -> bool:
    """Whether PostgreSQL reads the string as a value of the column's type (as far as the
    import can tell without a database: unknown cases pass)."""
    if shown == "money":
        return bool(_MONEY.fullmatch(value))
    if cat == "N":
        integer = shown in ("smallint", "integer", "bigint")
        return bool((_INTEGER if integer else _NUMERIC).fullmatch(value))
    if cat == "B":
        return bool(_BOOLEAN.fullmatch(value))
    if cat == "D" and value.strip().isdigit():  # 20240101, 240101 (a date); 0530 (a time)
        return len(value.strip()) in ((4, 6) if shown.startswith("time") and
                                      not shown.startswith("timestamp") else (6, 8))
    if cat in ("D", "T"):  # 2024-01-01, 10:00+02, Jan 8 1999, 1 day, P1D, @ 2 hours ago
        return (bool(re.search(r"\d", value)) and bool(_DATE_TIME.fullmatch(value))) \
            or value.strip().lower() in ("epoch", "infinity", "-infinity", "allballs",
                                         "today", "tomorrow", "yesterday")
    if shown in ("inet", "cidr"):
        return bool((_INET if shown == "inet" else _CIDR).fullmatch(value))
    if shown in ("macaddr", "macaddr8"):
        return bool(_MACADDR.fullmatch(value))
    if shown == "bytea":
        return bool(_BYTEA_HEX.fullmatch(value)) if value.startswith("\\x") \
            else "\\" not in _BYTEA_ESCAPE.sub("", value)
    if shown.startswith(("bit", "bit varying")):
        return bool(re.fullmatch(r"[01]*", value))
    if cat == "E":
        return enum is None or value in enum.labels
    if shown == "uuid":
        return bool(_UUID.fullmatch(value))
    if shown in ("json", "jsonb"):
        return _is_json(value)
    if shown in _RANGES:
        return _range_valid(value, _RANGES[shown])
    if shown in _GEOMETRIC:
        return bool(_GEOMETRIC[shown].fullmatch(value))
    if shown == "oid":
        return bool(_INTEGER.fullmatch(value)) and len(value.strip()) <= 12 \
            and -(2**31) <= int(value) < 2**32
    return True


_RANGES = {"int4range": "integer", "int8range": "bigint", "numrange": "numeric",
           "tsrange": "timestamp", "tstzrange": "timestamptz", "daterange": "date"}
_RANGE = re.compile(r'\s*[\[(]\s*("(?:[^"\\]|\\.)*"|[^,"]*?)\s*,\s*("(?:[^"\\]|\\.)*"|[^,"]*?)\s*'
                    r"[\])]\s*")
_NUM = r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*"
_PAIR = rf"\s*\(?{_NUM},{_NUM}\)?\s*"
_POINTS = rf"\s*[\[(]?(?:{_PAIR})(?:,{_PAIR})*[\])]?\s*"
_TWO_POINTS = rf"\s*[\[(]?{_PAIR},{_PAIR}[\])]?\s*"
# what the geometric types' input functions read (point: x,y or (x,y); the others: points
# in brackets or parentheses; line: {A,B,C} too; circle: <(x,y),r>)
_GEOMETRIC = {"point": re.compile(_PAIR), "lseg": re.compile(_TWO_POINTS),
              "box": re.compile(_TWO_POINTS), "path": re.compile(_POINTS),
              "polygon": re.compile(_POINTS),
              "line": re.compile(rf"\s*\{{{_NUM},{_NUM},{_NUM}\}}\s*|{_POINTS}"),
              "circle": re.compile(rf"\s*[<(]?\s*{_PAIR},{_NUM}[>)]?\s*")}


def _range_valid(value: str, element: str) -> bool:
    """Whether a range type's input function reads ``value``: ``empty``, or ``[lower,upper)``
    (either bound may be left out), each bound a value of the range's element type."""
    if value.strip().lower() == "empty":
        return True
    found = _RANGE.fullmatch(value)
    if found is None:
        return False
    cat = CATEGORIES[element]
    bounds = [b[1:-1].replace('\\"', '"').strip() if b.startswith('"') else b.strip()
              for b in found.groups()]
    for text in bounds:
        if text and (not _valid(text, cat, element, None)
                     or (cat == "N" and text.lower() in ("nan", "+nan", "-nan"))):
            return False
    if cat == "N" and all(bounds):  # the lower bound must not be above the upper one
        return Decimal(bounds[0]) <= Decimal(bounds[1])
    return True


def _array_elements(value: str) -> list[str | None] | None:
    """The elements of an array literal (``{1,2}``, ``{{a,b},{c,d}}``, ``{"x y",NULL}``),
    unquoted, None for a NULL; None when PostgreSQL's array_in would refuse the text. A
    literal with explicit bounds (``[1:2]={1,2}``) passes unchecked (as an empty list)."""
    text = value.strip()
    if text.startswith("["):
        return [] if "={" in text else None
    out: list[str | None] = []
    end = _array(text, 0, out, 1)
    return out if end is not None and not text[end:].strip() else None


_MAXDIM = 6  # PostgreSQL's arrays have at most 6 dimensions


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _array(text: str, i: int, out: list[str | None], depth: int) -> int | None:
    """Read the array at ``text[i]`` (its elements go to ``out``): the index after its
    closing brace, or None when it is not one."""
    i = _skip(text, i)
    if depth > _MAXDIM or i >= len(text) or text[i] != "{":
        return None
    i = _skip(text, i + 1)
    if i < len(text) and text[i] == "}":
        return i + 1
    while True:
        i = _skip(text, i)
        if i >= len(text):
            return None
        ch = text[i]
        if ch == "{":
            found = _array(text, i, out, depth + 1)
            if found is None:
                return None
            i = found
        elif ch == '"':
            i, chars = i + 1, []
            while i < len(text) and text[i] != '"':
                if text[i] == "\\" and i + 1 < len(text):
                    i += 1
                chars.append(text[i])
                i += 1
            if i >= len(text):
                return None
            out.append("".join(chars))
            i += 1
        elif ch in ",}":
            return None
        else:
            start = i
            while i < len(text) and text[i] not in ',{}"':
                i += 1
            word = text[start:i].strip()
            out.append(None if word.upper() == "NULL" else word)
        i = _skip(text, i)
        if i < len(text) and text[i] == ",":
            i += 1
        elif i < len(text) and text[i] == "}":
            return i + 1
        else:
            return None


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True
