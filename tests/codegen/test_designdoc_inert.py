"""DESIGN.md shows the users' text (names, comments, version messages and notes) as text:
a Markdown renderer passes HTML in text through, so ``<`` outside code is written ``&lt;``;
code (fenced blocks, backtick spans) shows its text as it is and is left alone."""

from __future__ import annotations

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.markdown import inert
from modeler.importers import import_sql

HOSTILE = """
CREATE TABLE "a<b>" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "x<img src=y>" text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE "a<b>" IS '<script>alert(1)</script> holds `<i>` things';
COMMENT ON COLUMN "a<b>"."x<img src=y>" IS 'see <img src=x onerror=alert(2)>';
CREATE INDEX "ix<u>" ON "a<b>" ("x<img src=y>") WHERE "x<img src=y>" < 'm';
"""


def test_users_text_in_design_md_is_not_html() -> None:
    schema = import_sql([("h.sql", HOSTILE)]).schema
    doc = build_bundle([VersionInput(1, "first <b>cut</b> of <script>x</script>", "t",
                                     "2026-01-01", schema, baseline=True,
                                     notes=("rollback: <iframe src=z>",))],
                       slug="h", diagram_svg="<svg></svg>")["DESIGN.md"].decode()
    for tag in ("<script", "<img", "<iframe", "<b>", "<u>"):
        outside = [line for line in doc.split("\n")
                   if tag in inert_spans_removed(line)]
        assert outside == [], (tag, outside)
    assert "&lt;script>alert(1)&lt;/script>" in doc  # shown, as text
    assert "see &lt;img src=x onerror=alert(2)>" in doc
    assert "`<i>`" in doc  # a code span keeps its text
    assert "rollback: &lt;iframe src=z>" in doc


def inert_spans_removed(line: str) -> str:
    """The line without its backtick code spans (what a renderer shows as code)."""
    import re

    return re.sub(r"(`+)(.+?)\1", "", line)


def test_code_is_left_as_it_is() -> None:
    text = ("a <b> and `x < y` and ``a ` <c> `` then ` <d>\n"
            "```python\nif a < b:\n    pass\n```\n<e>\n"
            "~~~~\n<f>\n~~~\n<g>\n~~~~\n<h>\n")
    assert inert(text) == (
        "a &lt;b> and `x < y` and ``a ` <c> `` then ` &lt;d>\n"
        "```python\nif a < b:\n    pass\n```\n&lt;e>\n"
        "~~~~\n<f>\n~~~\n<g>\n~~~~\n&lt;h>\n")


def test_the_readmes_show_a_hostile_title_as_text() -> None:
    schema = import_sql([("h.sql", HOSTILE)]).schema
    files = build_bundle([VersionInput(1, "first", "t", "2026-01-01", schema, baseline=True)],
                         slug="h", title="<script>alert(3)</script> shop", target="both")
    for path in ("README.md", "DESIGN.md", "typescript/README.md"):
        text = files[path].decode()
        assert "<script" not in text, path
        assert "&lt;script>alert(3)&lt;/script> shop" in text, path
