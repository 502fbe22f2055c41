"""Issue 17: a long string literal is split by adding up the sizes of its words when no
character needs more than a two-character escape (migration_code.split_literal) instead of
computing ``lit`` of the piece so far for every word; the split must still be the greedy
one by ``lit`` length, whichever path a value takes."""

from __future__ import annotations

import ast
import random
import re

from modeler.codegen.migration_code import lit, split_literal

ALPHABET = ["a", "Z", " ", " ", "'", '"', "\\", "\n", "\r", "\t", "\x00", "\x7f", "é",
            "\u2028", "\u00a0", "😀", "%", ":", "word", "longer_word"]


def _check_greedy(value: str, indent: int, width: int) -> None:
    room = max(30, width - indent - 1)
    lines = split_literal(value, indent, width).split("\n")
    assert all(line.startswith(" " * indent) for line in lines[1:])
    assert [lit(ast.literal_eval(line.strip(" "))) for line in lines] == \
        [line[indent:] if n else line for n, line in enumerate(lines)]
    pieces = [ast.literal_eval(line.strip(" ")) for line in lines]
    assert "".join(pieces) == value
    for n, piece in enumerate(pieces):
        words = [w for w in re.split(r"(?<= )", piece) if w]
        # a piece overflows only when it is one word; it stops where the next word overflows
        assert len(lit(piece)) <= room or len(words) == 1, (piece, room)
        if n + 1 < len(pieces):
            following = re.split(r"(?<= )", pieces[n + 1])[0]
            assert len(lit(piece + following)) > room, (piece, following, room)


def test_split_is_greedy_by_literal_length() -> None:
    rng = random.Random(17)
    for n in range(3000):
        # two thirds printable but for \n \r \t (one kind of quote, or both): the counted
        # path; the others mostly not
        alphabet = ALPHABET if n % 3 == 0 else [c for c in ALPHABET if (
            c.isprintable() or c in "\n\r\t") and (n % 3 == 2 or c != '"')]
        value = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 120)))
        _check_greedy(value, rng.randrange(0, 60), 79)
