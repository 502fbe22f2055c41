"""Reading values out of DBML expressions: names, types, defaults, reference endpoints and
notes. Each raises :class:`~modeler.importers.dbml.lexer.DbmlSyntaxError` (with the line)
where the expression cannot mean what its place asks for."""

from __future__ import annotations

from modeler.importers.dbml.lexer import DbmlSyntaxError
from modeler.importers.dbml.model import Default, Endpoint
from modeler.importers.dbml.nodes import (
    Call,
    Expr,
    Group,
    Indexed,
    Infix,
    Literal,
    Name,
    Path,
    Prefix,
    Settings,
    label,
)
from modeler.schema.types import UNSIZED

REF_OPS = frozenset({">", "<", "-", "<>"})
# words that continue an SQL type name written without quotes (``double precision``)
TYPE_WORDS = frozenset({"precision", "varying", "with", "without", "time", "zone",
                        "unsigned", "signed", "zerofill", "large", "object"})


def name_of(expr: Expr | None, what: str, line: int) -> str:
    """A plain or quoted name."""
    if isinstance(expr, Name):
        return expr.text
    raise DbmlSyntaxError(f"expected {what}, found {label(expr)}", line)


def qualified(expr: Expr | None, what: str, line: int) -> tuple[str | None, str]:
    """``name`` or ``schema.name``: (schema or None, name)."""
    if isinstance(expr, Name):
        return None, expr.text
    if isinstance(expr, Path) and len(expr.parts) == 2 \
            and all(isinstance(p, Name) for p in expr.parts):
        schema, name = (p.text for p in expr.parts if isinstance(p, Name))
        return schema, name
    raise DbmlSyntaxError(f"expected {what} (name or schema.name), found {label(expr)}", line)


def string_of(expr: Expr | None, what: str, line: int) -> str:
    """A string literal (a quoted name is taken as one too, as old DBML wrote them)."""
    if isinstance(expr, Literal) and expr.kind == "str":
        return expr.value
    if isinstance(expr, Name) and expr.quoted:
        return expr.text
    raise DbmlSyntaxError(f"expected a string for {what}, found {label(expr)}", line)


def note_of(expr: Expr | None, what: str, line: int) -> str:
    return normalize_note(string_of(expr, what, line))


def normalize_note(text: str) -> str:
    """A note as DBML tools show it: blank lines around it dropped, the indentation its
    lines share removed (so '''-strings can be indented with the code)."""
    if "\n" not in text:
        return text.lstrip()
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(x[cut:] for x in lines)


def signed_number(expr: Expr) -> str | None:
    """``-2``, ``+-2``, ``--++7.25``: the number with its resulting sign, else None."""
    negative = False
    while isinstance(expr, Prefix) and expr.op in ("-", "+"):
        negative ^= expr.op == "-"
        expr = expr.operand
    if not (isinstance(expr, Literal) and expr.kind == "num"):
        return None
    return ("-" if negative else "") + expr.value


def type_text(expr: Expr, line: int) -> str:
    """A column type as the converter reads it (``varchar(255)``, ``s.t``, ``int[][]``); a
    quoted name PostgreSQL reads otherwise unquoted keeps its quotes (``"char"``, the
    single-byte type, is not char)."""
    if isinstance(expr, Name):
        return f'"{expr.text}"' if expr.quoted and expr.text in UNSIZED else expr.text
    if isinstance(expr, Path) and all(isinstance(p, Name) for p in expr.parts):
        return ".".join(p.text for p in expr.parts if isinstance(p, Name))
    if isinstance(expr, Call):
        args = ",".join(_type_arg(a, line) for a in expr.args)
        return f"{type_text(expr.callee, line)}({args})"
    if isinstance(expr, Indexed):
        return f"{type_text(expr.base, line)}[{expr.size}]"
    raise DbmlSyntaxError(f"expected a column type, found {label(expr)}", line)


def _type_arg(expr: Expr, line: int) -> str:
    number = signed_number(expr)
    if number is not None:
        return number
    if isinstance(expr, Name):
        return expr.text
    if isinstance(expr, Literal) and expr.kind == "str":
        return "'" + expr.value.replace("'", "''") + "'"
    raise DbmlSyntaxError(f"expected a type modifier, found {label(expr)}", line)


def default_of(expr: Expr | None, line: int) -> Default:
    """A ``default:`` value."""
    if isinstance(expr, Literal):
        kind = {"str": "str", "num": "num", "func": "expr"}.get(expr.kind)
        if kind is not None:
            return Default(kind, expr.value, line)
    if isinstance(expr, Name):
        word = expr.text.lower()
        if expr.quoted:  # old DBML: default: "text"
            return Default("str", expr.text, line)
        if word in ("true", "false"):
            return Default("bool", word, line)
        if word == "null":
            return Default("null", "NULL", line)
    if expr is not None:
        number = signed_number(expr)
        if number is not None:
            return Default("num", number, line)
        if isinstance(expr, Path) and all(isinstance(p, Name) for p in expr.parts):
            names = tuple(p.text for p in expr.parts if isinstance(p, Name))
            return Default("enum", names[-1], line, names[:-1])
    raise DbmlSyntaxError(f"default {label(expr)} is not a DBML value (a string, a number, "
                          "true, false, null, an enum value or a `backtick expression`)", line)


def endpoint(expr: Expr, line: int) -> Endpoint:
    """``col`` (the same table), ``t.col``, ``s.t.col``, ``t.(a, b)``, ``s.t.(a, b)``."""
    if isinstance(expr, Name):
        return Endpoint(None, None, [expr.text])
    if isinstance(expr, Path) and 2 <= len(expr.parts) <= 3 \
            and all(isinstance(p, Name) for p in expr.parts[:-1]):
        names = [p.text for p in expr.parts[:-1] if isinstance(p, Name)]
        last = expr.parts[-1]
        if isinstance(last, Name):
            columns = [last.text]
        elif isinstance(last, Group) and last.items \
                and all(isinstance(i, Name) for i in last.items):
            columns = [i.text for i in last.items if isinstance(i, Name)]
        else:
            columns = []
        if columns:
            schema = names[0] if len(names) == 2 else None
            return Endpoint(schema, names[-1], columns)
    raise DbmlSyntaxError(f"expected a column reference (table.column, schema.table.column "
                          f"or table.(a, b)), found {label(expr)}", line)


def relation(expr: Expr, line: int) -> tuple[str, Endpoint, Endpoint]:
    """``a.x > b.y``: (op, left, right)."""
    if not isinstance(expr, Infix) or expr.op not in REF_OPS:
        raise DbmlSyntaxError(f"expected a reference such as a.id > b.id (with >, <, - or "
                              f"<>), found {label(expr)}", line)
    return expr.op, endpoint(expr.left, line), endpoint(expr.right, line)


def settings_of(parts: list[Expr]) -> tuple[list[Expr], list[Settings]]:
    """A field's expressions and its settings lists (at its end)."""
    lists: list[Settings] = []
    while parts and isinstance(parts[-1], Settings):
        lists.insert(0, parts[-1])
        parts = parts[:-1]
    return parts, lists


def action_of(expr: Expr | None, key: str, line: int) -> str:
    """``delete:`` / ``update:``: one of PostgreSQL's referential actions."""
    if isinstance(expr, Name) and not expr.quoted:
        word = " ".join(expr.text.lower().split())
        if word in ("cascade", "restrict", "set null", "set default", "no action"):
            return word
    raise DbmlSyntaxError(f"{key}: expects cascade, restrict, set null, set default or "
                          f"no action, found {label(expr)}", line)
