"""Issue 17: a long string literal is split by adding up the sizes of its words when no
character needs more than a two-character escape (migration_code.split_literal) instead of
computing ``lit`` of the piece so far for every word; the pieces must be what they were."""

from __future__ import annotations

import random
import re

from modeler.codegen.migration_code import lit, split_literal

ALPHABET = ["a", "Z", " ", " ", "'", '"', "\\", "\n", "\r", "\t", "\x00", "\x7f", "é",
            "\u2028", "\u00a0", "😀", "%", ":", "word", "longer_word"]


def _reference(value: str, indent: int, width: int) -> str:
    """The split by definition: ``lit`` of the piece so far for every word."""
    room = max(30, width - indent - 1)
    pieces: list[str] = []
    current = ""
    for word in re.split(r"(?<= )", value):
        if current and len(lit(current + word)) > room:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    return f"\n{' ' * indent}".join(lit(p) for p in pieces)


def test_split_is_the_definition() -> None:
    rng = random.Random(17)
    for n in range(3000):
        # half of them plain (printable, \n \r \t \\, one kind of quote): the counted path
        alphabet = ALPHABET if n % 2 else [c for c in ALPHABET if c != '"' and (
            c.isprintable() or c in "\n\r\t")]
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 120)))
        indent = rng.randrange(0, 60)
        assert split_literal(value, indent, 79) == _reference(value, indent, 79), repr(value)
