"""Column values for the sample data, as COPY text: one generator per base type.

Values are chosen to pass the usual design constraints without knowing them: numbers small
and positive, strings non-empty and short enough for their length, dates of a later column
later than those of an earlier one (``ends_at > starts_at``), unique columns numbered by the
row. Bounds and allowed values stated by simple CHECKs (``x >= 0``, ``x BETWEEN 1 AND 5``,
``x IN (...)``, also on domains) narrow the choice. What still fails is found by
PostgreSQL itself when the rows are loaded (see :mod:`modeler.rehearsal.datagen`).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from modeler.rehearsal.catalog import CatColumn

NULL = "\\N"
Gen = Callable[[int], str]

_INT_MAX = {"int2": 32767, "int4": 2147483647, "int8": 9223372036854775807}
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
          "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
          "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu")
_BASE_DATE = dt.date(2024, 1, 1)
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def copy_escape(text: str) -> str:
    """A value in COPY's text format."""
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


@dataclass
class Bounds:
    """What simple CHECKs say about one column."""

    low: float | None = None
    high: float | None = None
    low_strict: bool = False
    high_strict: bool = False
    choices: tuple[str, ...] = ()

    def narrow(self, op: str, value: float) -> None:
        if op in (">", ">="):
            if self.low is None or value >= self.low:
                self.low, self.low_strict = value, op == ">"
        elif op in ("<", "<="):
            if self.high is None or value <= self.high:
                self.high, self.high_strict = value, op == "<"
        elif op == "=":
            self.low = self.high = value


_NUM = r"\(?'?(-?\d+(?:\.\d+)?)'?\)?(?:::[a-z ]+(?:\(\d+(?:,\d+)?\))?)?"
_REF = r"\(?\"?(\w+)\"?\)?(?:::[a-z ]+(?:\(\d+(?:,\d+)?\))?)?"
_CMP = re.compile(_REF + r"\s*(>=|<=|>|<|=)\s*" + _NUM + r"(?=\s*\)|\s*$|\s+AND\b)")
_CMP_REV = re.compile(_NUM + r"\s*(>=|<=|>|<|=)\s*" + _REF + r"(?=\s*\)|\s*$|\s+AND\b)")
_ANY = re.compile(_REF + r"\s*=\s*ANY\s*\(+ARRAY\[(.*?)\]")
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "="}


def check_bounds(expressions: Sequence[str], column: str) -> Bounds:
    """Bounds on ``column`` (or ``VALUE`` in a domain CHECK) from ANDed comparisons with
    constants and ``= ANY (ARRAY[...])`` lists. OR-ed expressions are left alone."""
    bounds = Bounds()
    for expr in expressions:
        if re.search(r"\bOR\b", expr):
            continue
        for name, op, num in _CMP.findall(expr):
            if name == column:
                bounds.narrow(op, float(num))
        for num, op, name in _CMP_REV.findall(expr):
            if name == column:
                bounds.narrow(_FLIP[op], float(num))
        for name, items in _ANY.findall(expr):
            if name == column:
                bounds.choices = tuple(v.replace("''", "'") for v in _LITERAL.findall(items))
    return bounds


def _b36(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _B36[r] + out
    return (out or "0").rjust(width, "0")[-width:]


class Picker:
    """Random choices, uniform or skewed (a Zipf-like law: a few values are very common)."""

    def __init__(self, rng: random.Random, skewed: bool) -> None:
        self.rng, self.skewed = rng, skewed

    def index(self, n: int) -> int:
        if n <= 1:
            return 0
        r = self.rng.random()
        return min(n - 1, int(n * r ** 4)) if self.skewed else int(n * r)


def _length(col: CatColumn) -> int | None:
    if col.base in ("varchar", "bpchar") and col.typmod > 4:
        return col.typmod - 4
    if col.base in ("bit", "varbit") and col.typmod > 0:
        return col.typmod
    return None


def _numeric_limit(col: CatColumn) -> float | None:
    if col.base == "numeric" and col.typmod > 4:
        mod = col.typmod - 4
        precision, scale = (mod >> 16) & 0xFFFF, mod & 0xFFFF
        return float(10 ** (precision - scale)) - 1
    return None


def _numbers(col: CatColumn, b: Bounds, unique: bool, pick: Picker) -> Gen:
    integral = col.base in _INT_MAX or col.base in ("oid",)
    low = b.low if b.low is not None else 1.0
    if b.low_strict:
        low = low + 1 if integral else low + 0.01
    # unique columns are numbered by the row: room up to the type's limit
    high_default = low + (10 ** 12 if unique else 1000)
    limit = _numeric_limit(col)
    high = b.high if b.high is not None else high_default
    if limit is not None:
        high = min(high, limit)
    if col.base in _INT_MAX:
        high = min(high, _INT_MAX[col.base])
    if b.high_strict:
        high = high - 1 if integral else high - 0.01
    if high < low:
        high = low
    span = high - low
    if unique:
        def gen_unique(i: int) -> str:
            value = low + (i % (int(span) + 1) if span >= 1 else 0)
            return str(int(value)) if integral or col.base == "money" else f"{value:.2f}"
        return gen_unique
    rng = pick.rng
    if pick.skewed:
        values = [low + span * k / 50 for k in range(50)]

        def gen_skewed(_i: int) -> str:
            v = values[pick.index(50)]
            return str(int(v)) if integral else f"{v:.2f}"
        return gen_skewed
    if integral:
        lo, hi = int(low), int(high)
        return lambda _i: str(rng.randint(lo, hi))
    return lambda _i: f"{low + span * rng.random():.2f}"


def _strings(col: CatColumn, unique: bool, pick: Picker) -> Gen:
    length = _length(col)
    lname = col.name.lower()
    if length is not None and length < 12:
        if unique or length <= 3:
            return lambda i: _b36(i, length).upper() if "code" in lname else _b36(i, length)
        return lambda i: _b36(pick.index(36 ** min(length, 3)), length)
    cap = length or 200
    if "email" in lname:
        if unique:
            return lambda i: f"user{i}@example.com"[-cap:]
        return lambda i: f"user{pick.index(500)}@example.com"[-cap:]
    if unique:
        return lambda i: f"{lname[:20]}-{i}"[-cap:]
    words = len(_WORDS)
    return lambda i: f"{_WORDS[pick.index(words)]} {pick.index(97)}"[:cap]


def _temporal(col: CatColumn, unique: bool, pick: Picker) -> Gen:
    # a later column gets later values: CHECKs like ends_at > starts_at hold
    offset = col.attnum * 40
    spread = 1_000

    def day(i: int) -> dt.date:
        # the same day index for every column of a row (skewed columns excepted), so the
        # column offsets keep their order inside the row
        k = pick.index(spread) if pick.skewed else (i * 7) % spread if not unique else i
        return _BASE_DATE + dt.timedelta(days=offset + k % (spread * 20))

    if col.base == "date":
        return lambda i: day(i).isoformat()
    if col.base in ("timestamp", "timestamptz"):
        def stamp(i: int) -> str:
            seconds = (i * 37) % 86_400 if unique else pick.index(86_400)
            moment = dt.datetime.combine(day(i), dt.time()) + dt.timedelta(seconds=seconds)
            return moment.isoformat(sep=" ") + ("+00" if col.base == "timestamptz" else "")
        return stamp
    if col.base in ("time", "timetz"):
        suffix = "+00" if col.base == "timetz" else ""
        return lambda i: (f"{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}{suffix}"
                          if unique else f"{pick.index(24):02d}:{pick.index(60):02d}:00{suffix}")
    return lambda i: f"{(i if unique else pick.index(100)) + 1} minutes"  # interval


def _fixed(col: CatColumn, unique: bool, pick: Picker) -> Gen | None:
    base = col.base
    simple: dict[str, Gen] = {
        "bool": lambda i: "t" if pick.index(2) else "f",
        "uuid": lambda i: str(uuid.UUID(int=(i + 1) * 2654435761 % (1 << 128) | (4 << 76))),
        "json": lambda i: f'{{"n": {i}}}',
        "jsonb": lambda i: f'{{"n": {i}}}',
        "xml": lambda i: f"<row n=\"{i}\"/>",
        "bytea": lambda i: "\\\\x" + f"{i:08x}",
        "inet": lambda i: f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
        "cidr": lambda i: f"10.{(i >> 8) & 255}.{i & 255}.0/24",
        "macaddr": lambda i: "02:00:" + ":".join(f"{(i >> s) & 255:02x}"
                                                 for s in (24, 16, 8, 0)),
        "macaddr8": lambda i: "02:00:00:00:" + ":".join(f"{(i >> s) & 255:02x}"
                                                        for s in (24, 16, 8, 0)),
        "tsvector": lambda i: f"{_WORDS[i % 26]} {_WORDS[(i * 7) % 26]}",
        "tsquery": lambda i: _WORDS[i % 26],
        "point": lambda i: f"({i % 1000},{i // 1000})",
        "lseg": lambda i: f"[({i},0),({i + 1},1)]",
        "box": lambda i: f"(({i + 1},1),({i},0))",
        "path": lambda i: f"[({i},0),({i + 1},1)]",
        "polygon": lambda i: f"(({i},0),({i + 1},1),({i},1))",
        "circle": lambda i: f"<({i},0),1>",
        "line": lambda i: "{1,-1,0}",
        "int4range": lambda i: f"[{i},{i + 10})",
        "int8range": lambda i: f"[{i},{i + 10})",
        "numrange": lambda i: f"[{i},{i + 10})",
        "daterange": lambda i: f"[{_BASE_DATE + dt.timedelta(days=i % 5000)},"
                               f"{_BASE_DATE + dt.timedelta(days=i % 5000 + 7)})",
        "tsrange": lambda i: f"[\"{_BASE_DATE + dt.timedelta(days=i % 5000)}\","
                             f"\"{_BASE_DATE + dt.timedelta(days=i % 5000 + 7)}\")",
        "tstzrange": lambda i: f"[\"{_BASE_DATE + dt.timedelta(days=i % 5000)} 00:00+00\","
                               f"\"{_BASE_DATE + dt.timedelta(days=i % 5000 + 7)} 00:00+00\")",
        "regclass": lambda i: "pg_class",
        "regconfig": lambda i: "english",
        "name": lambda i: f"n{i}",
    }
    if base in simple:
        return simple[base]
    if base in ("bit", "varbit"):
        width = _length(col) or 8
        return lambda i: format(i % (1 << width), "b").rjust(width, "0")[-width:]
    return None


_TEXTY = ("text", "varchar", "bpchar", "citext", "ltree")
_NUMBERS = (*_INT_MAX, "numeric", "float4", "float8", "money", "oid")
_TEMPORAL = ("date", "timestamp", "timestamptz", "time", "timetz", "interval")


def generator(col: CatColumn, checks: Sequence[str], *, unique: bool, skewed: bool,
              rng: random.Random) -> Gen | None:
    """A function row number -> COPY text for ``col`` (no NULLs), or None when there is no
    generator for its type."""
    pick = Picker(rng, skewed and not unique)
    bounds = check_bounds([*checks, *(c.replace("VALUE", f'"{col.name}"')
                                      for c in col.domain_checks)], col.name)
    if col.labels or bounds.choices:
        labels = [copy_escape(v) for v in (col.labels or bounds.choices)]
        if col.labels and bounds.choices:
            labels = [copy_escape(v) for v in col.labels if v in bounds.choices] or labels
        if col.base.startswith("_"):
            return lambda i: "{" + _quote_element(labels[pick.index(len(labels))]) + "}"
        return lambda i: labels[i % len(labels)] if unique else labels[pick.index(len(labels))]
    if col.base.startswith("_"):  # arrays: one element (or none)
        element = CatColumn(col.name, col.attnum, col.type_sql, col.element, "b", col.typmod,
                            False, False, False, False)
        inner = generator(element, (), unique=unique, skewed=skewed, rng=rng)
        if inner is None:
            return lambda i: "{}"
        return lambda i: "{" + _quote_element(inner(i)) + "}"
    if col.base in _NUMBERS:
        return _numbers(col, bounds, unique, pick)
    if col.base in _TEXTY:
        return _strings(col, unique, pick)
    if col.base in _TEMPORAL:
        return _temporal(col, unique, pick)
    return _fixed(col, unique, pick)


def _quote_element(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
