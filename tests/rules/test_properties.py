"""Properties of the engine over generated schemas."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modeler.diff import diff
from modeler.rules import Config, apply_edits, fixes, lint, safe_fixes
from modeler.schema import serialize
from modeler.schema.model import Schema
from tests.rules.strategies import schemas

CONFIGS = st.sampled_from([Config(), Config(baseline=True)])


@settings(max_examples=60, deadline=None)
@given(schema=schemas(), config=CONFIGS)
def test_safe_fixes_never_increase_findings(schema: Schema, config: Config) -> None:
    before = lint(schema, config)
    edits = safe_fixes(schema, config)
    after = lint(apply_edits(schema, edits), config)
    assert len(after) <= len(before), (
        sorted({(f.rule, f.target.path) for f in after} - {(f.rule, f.target.path)
                                                            for f in before}))
    if edits:
        assert len(after) < len(before)


@settings(max_examples=40, deadline=None)
@given(schema=schemas())
def test_lint_is_deterministic_and_presentable(schema: Schema) -> None:
    first = lint(schema)
    copy = serialize.loads(serialize.dumps(schema))  # an equal, separately built snapshot
    assert lint(copy) == first
    assert list(first) == sorted(first, key=lambda f: f.sort_key())
    for f in first:
        assert len(f.message) < 80 and "\n" not in f.message and "\n" not in f.hint


@settings(max_examples=40, deadline=None)
@given(schema=schemas())
def test_fix_ops_are_the_diff_of_the_fixed_design(schema: Schema) -> None:
    for fx in fixes(schema, lint(schema)):
        assert fx.ops == diff(schema, fx.fixed), fx.rule
        assert apply_edits(schema, fx.ops) == fx.fixed
        assert len(fx.describe(schema)) <= len(fx.ops)
