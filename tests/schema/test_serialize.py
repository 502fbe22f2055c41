"""Canonical JSON: snapshot → JSON → snapshot is the identity; bytes are canonical."""

from __future__ import annotations

import json

import pytest
from hypothesis import given

from modeler.schema import model as m
from modeler.schema import serialize
from tests.strategies import schemas


@given(schemas())
def test_json_round_trip_is_identity(schema: m.Schema) -> None:
    text = serialize.dumps(schema)
    again = serialize.loads(text)
    assert again == schema
    assert serialize.dumps(again) == text  # canonical: same design, same bytes


@given(schemas())
def test_json_is_order_independent(schema: m.Schema) -> None:
    shuffled = m.Schema(tables=tuple(reversed(schema.tables)),
                        relationships=tuple(reversed(schema.relationships)),
                        enums=tuple(reversed(schema.enums)), domains=schema.domains,
                        extensions=schema.extensions, sequences=schema.sequences,
                        raw_objects=schema.raw_objects, settings=schema.settings,
                        name=schema.name, collations=tuple(reversed(schema.collations)))
    assert serialize.dumps(m.normalized(shuffled)) == serialize.dumps(schema)


@pytest.mark.parametrize("doc, message", [
    ("not json", "invalid JSON"),
    ('{"format": 99, "schema": {}}', "unsupported format"),
    ('{"format": 1, "schema": {"tables": [{"uid": "x"}]}}', r"schema\.tables\[0\]"),
    ('{"format": 1, "schema": {"bogus": 1}}', "unknown field"),
    ('{"format": 1, "schema": {"tables": [{"uid": "u", "name": "t", "columns": '
     '[{"uid": "c", "name": "x", "type": {"name": "nosuchtype"}}]}]}}', "unknown type"),
])
def test_bad_documents_are_refused_clearly(doc: str, message: str) -> None:
    with pytest.raises(serialize.SchemaFormatError, match=message):
        serialize.loads(doc)


def test_format_version_is_written() -> None:
    assert json.loads(serialize.dumps(m.Schema()))["format"] == serialize.FORMAT_VERSION
