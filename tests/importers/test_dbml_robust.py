"""Input that is not DBML is refused promptly with the line and the reason, never a hang or a
traceback: binary data (an import job once spun for 30 seconds on 200 KB of random bytes,
then reported that its worker died), bytes that are not UTF-8, NUL bytes, and adversarial
text (deep nesting, megabyte lines, unterminated strings and comments, unbalanced braces).

The project has no pytest-timeout: the imports run in a child process with a deadline, so a
hang fails the test (naming the input it hung on) instead of stalling the run. The deadline
is generous: this is no speed test."""

from __future__ import annotations

import random

import pytest

from tests.importers import childrun

MEGA = 1_000_000


def _random_bytes(size: int) -> bytes:
    return random.Random(20260720).randbytes(size)


def cases() -> dict[str, str]:
    """name -> the text an import receives (the web form decodes uploads with
    ``errors="replace"``: bytes that are not UTF-8 arrive as U+FFFD)."""
    garbage = random.Random(3)
    return {
        "random-bytes-200k": _random_bytes(200_000).decode("utf-8", errors="replace"),
        "random-bytes-as-latin1": _random_bytes(200_000).decode("latin-1"),
        "nul-bytes": "Table t {\n  id int\n}\n\x00\x00",
        "invalid-utf8": b"Table t {\n  name text [note: '\xff\xfe']\n}\n".decode(
            "utf-8", errors="replace"),
        "ascii-noise": "".join(garbage.choice("abc{}[]()'\"`:.,<>-~#/* \n\t")
                               for _ in range(200_000)),
        "deep-parentheses": "Table t {\n  a int [default: " + "(" * MEGA + "\n}\n",
        "deep-brackets": "Table t {\n  a int " + "[" * MEGA + "\n}\n",
        "deep-braces": "Table t " + "{" * MEGA,
        "closing-braces": "}" * MEGA,
        "nested-tables": "Table t {\n" * 100_000,
        "prefix-operators": "Table t {\n  a int [default: " + "-" * MEGA + "1]\n}\n",
        "operator-chain": "Ref: a.b " + "> a.b " * 200_000,
        "member-chain": "Ref: a" + ".a" * 300_000 + " > b.c\n",
        "megabyte-name": "Table " + "a" * MEGA,
        "megabyte-line": "Table t { " + "a int " * 200_000 + "}",
        "unterminated-note": "Table t {\n  Note: '''" + "x\n" * 500_000,
        "unterminated-string": "Table t {\n  a int [note: '" + "x" * MEGA,
        "unterminated-comment": "Table t {\n  a int\n}\n/* " + "x" * MEGA,
        "unterminated-expression": "Table t {\n  a int [default: `" + "x" * MEGA,
        "quotes": "'" * MEGA + "x",
        "comment-openers": "/*" * 500_000,
        "unbalanced": "Table t {\n" + "  a int\n" * 100_000,
    }


# what each refusal says (a substring), and at which line
EXPECTED: dict[str, tuple[str, int]] = {
    "random-bytes-200k": ("not a DBML file: ", 1),
    "random-bytes-as-latin1": ("not a DBML file: not a text file", 1),
    "nul-bytes": ("control character U+0000", 4),
    "invalid-utf8": ("not UTF-8 text", 2),
    "ascii-noise": ("DBML syntax error", 1),
    "deep-parentheses": ("nested more than 100 deep", 2),
    "deep-brackets": ("expected a setting name", 2),
    "deep-braces": ("unexpected '{'", 1),
    "closing-braces": ("expected an element such as Table", 1),
    "nested-tables": ("nested more than 100 deep", 101),
    "prefix-operators": ("nested more than 100 deep", 2),
    "operator-chain": ("an expression of more than 100 operators", 1),
    "member-chain": ("an expression of more than 100 operators", 1),
    "megabyte-name": ("expected '{' or ':' after Table aaaa", 1),
    "megabyte-line": ("settings go in [brackets]", 1),
    "unterminated-note": ("unterminated '''string'''", 2),
    "unterminated-string": ("unterminated 'string'", 2),
    "unterminated-comment": ("unterminated /* comment", 4),
    "unterminated-expression": ("unterminated `expression`", 2),
    "quotes": ("expected an element such as Table", 1),
    "comment-openers": ("expected an element such as Table", 1),
    "unbalanced": ("is never closed", 1),
}

_CHILD = """
import json, sys, time
from modeler.importers import SchemaImportError, import_dbml
from tests.importers.test_dbml_robust import cases
for name, text in cases().items():
    print(json.dumps(["start", name]), flush=True)
    started = time.perf_counter()
    try:
        import_dbml([("x.dbml", text)])
        out = ["imported", name, "", None]
    except SchemaImportError as exc:
        out = ["refused", name, exc.message, exc.line]
    except BaseException as exc:
        out = ["crashed", name, f"{type(exc).__name__}: {exc}"[:500], None]
    print(json.dumps(out + [round(time.perf_counter() - started, 2)]), flush=True)
"""


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[object]]:
    return childrun.outcomes(_CHILD, timeout=180)


def test_every_case_has_an_expectation() -> None:
    assert set(cases()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_refused_with_line_and_reason(outcomes: dict[str, list[object]], name: str) -> None:
    status, _, message, line, _seconds = outcomes[name]
    expected, expected_line = EXPECTED[name]
    assert status == "refused", (status, message)
    assert expected in str(message) and line == expected_line, (message, line)
    assert len(str(message)) < 400
