"""What the importers do before and around a parse so that no input crashes or hangs them.

* :func:`checked_text`: the text an importer reads. A lone surrogate (text decoded with
  ``surrogateescape``, or built in Python) cannot be encoded for PostgreSQL's parser and
  raised a UnicodeEncodeError; it is refused with its line. A file whose lines end with CR
  alone (classic Mac) is read with LF, so that errors name the right line.
* :func:`parse_sql`: pglast's parse, on a thread whose stack fits the statement. PostgreSQL's
  parser builds one tree level per term of an operator chain (``1+1+...``, ``x::t::t...``,
  ``... UNION TABLE t UNION ...``), and pglast turns the tree into Python objects by
  recursing in C: on the 8 MB main stack some 16,000 levels (a 250 KB statement) crashed the
  process. A long statement is parsed on a thread with a stack of :data:`_STACK_PER_CHAR`
  bytes a character (twice the most any chain measured needs), up to
  :data:`MAX_STATEMENT` characters; a longer statement is refused, and so is one with a run
  of more than :data:`MAX_OPERATORS` operators (:func:`longest_run`, read by the scanner in
  a second where building the tree would take 20 seconds and a gigabyte).
* :func:`parse_sql` builds the tree without pglast's attribute checks: its parser (Cython)
  gives every attribute its final type already (enum members, tuples, ``chr``/``bool``), and
  ``ast.Node.__setattr__`` checking and coercing each of them again was a quarter of a live
  import's CPU (but for A_Const's ``Boolean``, whose value comes as an int and stays
  checked). :func:`unchecked_nodes` sets them with ``object.__setattr__`` while a parse
  runs (tests/importers/test_unchecked_nodes.py compares the trees of every corpus
  statement built both ways, attribute by attribute and type by type).
* :func:`room`: Python recursion room for the printers that walk such trees, the same
  :mod:`~modeler.schema.sqlexpr` gives an expression; deeper still is a
  :class:`NestedTooDeeply` the caller reports.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pglast
from pglast import ast, parser

from modeler.importers.result import SchemaImportError

T = TypeVar("T")

MAX_STATEMENT = 2_000_000  # characters of one SQL statement an import parses
_INLINE = 20_000  # characters parsed on the caller's stack (far from its 16,000 levels)
_STACK_PER_CHAR = 300  # bytes of stack a character of statement (a chain needs <= 140)
_STACK_BASE = 16 * 2**20
_RECURSION = 6_000
_SURROGATE = re.compile("[\ud800-\udfff]")
_LOCK = threading.Lock()
_CHECKED_SETATTR = ast.Node.__setattr__
# the one node the parser gives a value to coerce: A_Const's Boolean gets its C bool as an int
ast.Boolean.__setattr__ = _CHECKED_SETATTR  # type: ignore[method-assign]  # kept checked
_UNCHECKED_LOCK = threading.Lock()
_unchecked_parses = 0  # parses running with unchecked_nodes (threads may overlap)

NESTED_TOO_DEEPLY = "nested too deeply"
MAX_OPERATORS = 50_000  # in one run (see longest_run)
_CHAIN_OPS = frozenset({"ASCII_43", "ASCII_45", "ASCII_42", "ASCII_47", "ASCII_37",
                        "ASCII_94", "Op", "TYPECAST"})
_OPENING = frozenset({"ASCII_40", "ASCII_91"})
_CLOSING = frozenset({"ASCII_41", "ASCII_93"})
_OPERANDS = frozenset({"IDENT", "UIDENT", "ICONST", "FCONST", "SCONST", "USCONST", "BCONST",
                       "XCONST", "PARAM", "ASCII_46"})


class NestedTooDeeply(ValueError):
    """A statement too deep (or too long) to parse or print; the message says which."""


def checked_text(name: str, text: str) -> str:
    """``text`` as an importer reads it, or :class:`SchemaImportError` (a lone surrogate)."""
    bad = _SURROGATE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise SchemaImportError(f"not valid Unicode text: a lone surrogate "
                                f"U+{ord(bad.group()):04X} (text decoded from bytes that "
                                "are not UTF-8?); save the file as UTF-8", name, line)
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def statement_too_long(length: int) -> str | None:
    """Why a statement of ``length`` characters is not parsed (None when it is)."""
    if length <= MAX_STATEMENT:
        return None
    return (f"a statement of {length:,} characters: the import reads statements of up to "
            f"{MAX_STATEMENT:,} characters")


def parse_sql(sql: str) -> Any:
    """``pglast.parser.parse_sql(sql)`` without crashing the process on a deep tree (see the
    module's text); raises ``parser.ParseError`` like it, and :class:`NestedTooDeeply` for a
    statement over :data:`MAX_STATEMENT` characters."""
    with unchecked_nodes():
        return _bounded(parser.parse_sql, sql)


@contextmanager
def unchecked_nodes() -> Iterator[None]:
    """pglast's nodes built without its attribute checks (see the module's text) while
    this runs, on every thread: only for pglast's own parser, whose values need none. Code
    of ours that sets a node's attribute meanwhile passes the final types already (it is
    type-checked), so it is set as it would be."""
    global _unchecked_parses
    with _UNCHECKED_LOCK:
        if _unchecked_parses == 0:
            ast.Node.__setattr__ = object.__setattr__  # type: ignore[method-assign]
        _unchecked_parses += 1
    try:
        yield
    finally:
        with _UNCHECKED_LOCK:
            _unchecked_parses -= 1
            if _unchecked_parses == 0:
                ast.Node.__setattr__ = _CHECKED_SETATTR  # type: ignore[method-assign]


def parse_plpgsql(sql: str) -> Any:
    """``pglast.parse_plpgsql(sql)`` as :func:`parse_sql` bounds it."""
    return _bounded(pglast.parse_plpgsql, sql)


def _bounded(fn: Callable[[str], T], sql: str) -> T:
    if len(sql) <= _INLINE:
        return fn(sql)
    too_long = statement_too_long(len(sql))
    if too_long is not None:
        raise NestedTooDeeply(too_long)
    if longest_run(sql) > MAX_OPERATORS:  # the tree would take seconds and gigabytes
        raise NestedTooDeeply(f"{NESTED_TOO_DEEPLY}: an expression of more than "
                              f"{MAX_OPERATORS:,} operators (a chain like 1+1+...); split it")
    return on_big_stack(fn, sql, size=_STACK_BASE + _STACK_PER_CHAR * len(sql))


def longest_run(sql: str) -> int:
    """The most arithmetic, cast and other operators (``+ - * / % ^ :: ||``...) in one run
    of operands at one level of parentheses, with nothing else between them (a keyword, a
    comma or a comparison ends a run). A run of n such operators is one expression nested
    about n deep when they are of one precedence (and at least about sqrt(n) when mixed):
    thousands of levels are more than the importer's printers walk, and a million take
    pglast some 20 seconds and a gigabyte to build."""
    runs = [0]
    most = 0
    after_cast = False
    for tok in parser.scan(sql):
        name = tok.name
        if name in _CHAIN_OPS:
            runs[-1] += 1
            most = max(most, runs[-1])
        elif name in _OPENING:
            runs.append(0)
        elif name in _CLOSING:
            if len(runs) > 1:
                runs.pop()
        elif name not in _OPERANDS and not after_cast:
            runs[-1] = 0
        after_cast = name == "TYPECAST"
    return most


def on_big_stack(fn: Callable[[str], T], arg: str, *, size: int) -> T:
    """``fn(arg)`` run on a new thread with a ``size``-byte stack (only what it touches
    is memory), its exception re-raised here."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["out"] = fn(arg)
        except BaseException as exc:  # re-raised on the caller's thread
            box["exc"] = exc

    with _LOCK:
        before = threading.stack_size(size)
        try:
            thread = threading.Thread(target=run, name="importer-parse", daemon=True)
            thread.start()
        except RuntimeError:  # no memory for the stack (a ulimit -v, say)
            raise NestedTooDeeply(f"a statement of {len(arg):,} characters is too long to "
                                  "read here; split it") from None
        finally:
            threading.stack_size(before)
    thread.join()
    if "exc" in box:
        raise box["exc"]
    out: T = box["out"]
    return out


@contextmanager
def room() -> Iterator[None]:
    """Recursion room for printing a parse tree; a RecursionError inside becomes
    :class:`NestedTooDeeply`."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION))
    try:
        yield
    except RecursionError:
        raise NestedTooDeeply(f"{NESTED_TOO_DEEPLY} to be imported (an expression or "
                              "query of thousands of levels); split it") from None
    finally:
        sys.setrecursionlimit(limit)


def parse_message(message: str) -> str:
    """PostgreSQL's parse error, with the reason for its ``memory exhausted`` (its parser's
    stack of about 10,000 open levels: parentheses, brackets, prefix operators, CASEs)."""
    if message.startswith("memory exhausted"):
        where = message.removeprefix("memory exhausted").strip()
        return (f"the statement is {NESTED_TOO_DEEPLY} for PostgreSQL's parser (thousands "
                f"of open parentheses, brackets, CASEs or prefix operators) {where}").strip()
    return message
