"""The schemas are the format: each passes the draft 2020-12 metaschema, and every property says what it is."""

from __future__ import annotations

import json

import jsonschema
import pytest

from generator.schema import SCHEMA_FILES, schema_dir

KINDS = sorted(SCHEMA_FILES)


def load(kind: str) -> dict:
    return json.loads((schema_dir() / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", KINDS)
def test_schema_passes_the_metaschema(kind):
    jsonschema.Draft202012Validator.check_schema(load(kind))


def _undocumented(node, where: str):
    """Paths of properties (at any depth, in $defs too) that have no description of their own."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if not (isinstance(sub, dict) and isinstance(sub.get("description"), str) and sub["description"].strip()):
                yield f"{where}/properties/{name}"
        for key, value in node.items():
            yield from _undocumented(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _undocumented(value, f"{where}/{index}")


@pytest.mark.parametrize("kind", KINDS)
def test_every_property_has_a_description(kind):
    # A property that is only a $ref counts only with a description of its own, next to the $ref.
    assert list(_undocumented(load(kind), "#")) == []


def test_the_check_finds_an_undocumented_property():
    schema = {"properties": {"a": {"$ref": "#/$defs/x"}, "b": {"type": "string", "description": "B."}},
              "$defs": {"x": {"properties": {"c": {"type": "integer"}}}}}
    assert sorted(_undocumented(schema, "#")) == ["#/$defs/x/properties/c", "#/properties/a"]
