"""An identity column's sequence options: PostgreSQL's defaults, the kept form, the SQL.

PostgreSQL gives an identity's sequence the column's type; its defaults are INCREMENT BY 1,
CACHE 1, NO CYCLE, MINVALUE 1 and MAXVALUE the type's largest value going up (the type's
smallest and -1 going down), and START WITH the MINVALUE going up (the MAXVALUE going down).
The design keeps only what differs from those (:func:`kept`), so the same sequence is always
the same :class:`~modeler.schema.model.IdentityOptions`, and a design without options is
unchanged.
"""

from __future__ import annotations

from modeler.schema.model import ColumnType, IdentityOptions

_LIMITS = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
           "bigint": (-9223372036854775808, 9223372036854775807)}


def limits(ctype: ColumnType) -> tuple[int, int]:
    """The smallest and largest value of the identity's type (bigint's for a type that is
    none of the three integer types: PostgreSQL refuses identities on any other)."""
    name = ctype.name if ctype.kind == "builtin" and not ctype.array_dims else "bigint"
    return _LIMITS.get(name, _LIMITS["bigint"])


def effective(options: IdentityOptions | None, ctype: ColumnType) -> IdentityOptions:
    """Every option as PostgreSQL has it (no None), for a column of type ``ctype``."""
    o = options or IdentityOptions()
    low, high = limits(ctype)
    increment = 1 if o.increment is None else o.increment
    up = increment > 0
    minimum = (1 if up else low) if o.min_value is None else o.min_value
    maximum = (high if up else -1) if o.max_value is None else o.max_value
    start = (minimum if up else maximum) if o.start is None else o.start
    return IdentityOptions(start=start, increment=increment, min_value=minimum,
                           max_value=maximum, cache=1 if o.cache is None else o.cache,
                           cycle=o.cycle)


def kept(ctype: ColumnType, *, start: int | None = None, increment: int | None = None,
         min_value: int | None = None, max_value: int | None = None, cache: int | None = None,
         cycle: bool = False) -> IdentityOptions | None:
    """The options as the design keeps them: each equal to its default (given the others)
    is None; None when all are defaults."""
    given = IdentityOptions(start=start, increment=increment, min_value=min_value,
                            max_value=max_value, cache=cache, cycle=cycle)
    full = effective(given, ctype)
    bare = effective(IdentityOptions(increment=full.increment), ctype)
    # START WITH's default follows MINVALUE (MAXVALUE going down), as given
    start_default = effective(IdentityOptions(increment=full.increment,
                                              min_value=full.min_value,
                                              max_value=full.max_value), ctype).start
    out = IdentityOptions(
        start=None if full.start == start_default else full.start,
        increment=None if full.increment == 1 else full.increment,
        min_value=None if full.min_value == bare.min_value else full.min_value,
        max_value=None if full.max_value == bare.max_value else full.max_value,
        cache=None if full.cache == 1 else full.cache, cycle=full.cycle)
    return None if out == IdentityOptions() else out


_WORDS = (("start", "START WITH"), ("increment", "INCREMENT BY"), ("min_value", "MINVALUE"),
          ("max_value", "MAXVALUE"), ("cache", "CACHE"))


def options_sql(options: IdentityOptions | None) -> str:
    """The options of ``GENERATED ... AS IDENTITY (...)``, parenthesized, with a leading
    space; "" when all are defaults."""
    text = options.short() if options is not None else ""
    return f" ({text})" if text else ""


def alter_clauses(before: IdentityOptions | None, after: IdentityOptions | None,
                  ctype: ColumnType) -> list[str]:
    """``SET ...`` clauses of ALTER COLUMN taking an identity from ``before`` to ``after``'s
    options: those whose value PostgreSQL has changes. START WITH comes whenever it does, a
    new MINVALUE above the old start needing it in the same statement."""
    old, new = effective(before, ctype), effective(after, ctype)
    out = [f"SET {word} {getattr(new, name)}" for name, word in _WORDS
           if getattr(old, name) != getattr(new, name)]
    if old.cycle != new.cycle:
        out.append("SET CYCLE" if new.cycle else "SET NO CYCLE")
    return out

