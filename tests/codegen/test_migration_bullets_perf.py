"""Issue 17: a revision docstring's change line that fits is written without textwrap;
every line must come out as textwrap writes it (leading, trailing and repeated spaces,
tabs, newlines, non-breaking and wide spaces, backslashes, quotes, long words)."""

from __future__ import annotations

import random
import textwrap

from modeler.codegen.migration import _bullets, _doc

PIECES = ["a", " ", "  ", "\t", "\n", "é", "\u3000", "\u00a0", "\\", '"""', '"', "-",
          "x" * 30, "\x00", "word "]


def test_bullets_are_textwraps() -> None:
    rng = random.Random(17)
    for _ in range(5000):
        line = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 12)))
        want = textwrap.wrap(_doc(line), width=96, initial_indent="- ",
                             subsequent_indent="  ") or ["-"]
        assert _bullets([line]) == want, repr(line)


def test_bullets_at_the_width() -> None:
    for n in range(88, 100):
        for line in ("a" * n, ("word " * 20)[:n], " " + "b" * (n - 1), "c" * (n - 1) + " "):
            assert _bullets([line]) == textwrap.wrap(line, width=96, initial_indent="- ",
                                                     subsequent_indent="  ")
