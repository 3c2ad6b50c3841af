"""Contracts are data: every example validates, the AsyncAPI document points at files
that exist, and every schema is a valid JSON Schema."""
import json
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def test_every_schema_is_valid_json_schema():
    schemas = list(CONTRACTS.glob("**/*.schema.json"))
    assert len(schemas) >= 3
    for f in schemas:
        Draft202012Validator.check_schema(json.loads(f.read_text()))


def test_every_example_validates(contracts):
    examples = sorted((CONTRACTS / "examples").glob("*.json"))
    assert examples, "no examples"
    for f in examples:
        contracts.validate(json.loads(f.read_text()))


def test_each_event_schema_has_an_example_and_an_asyncapi_channel():
    doc = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text())
    channels = set(doc["channels"])
    for f in (CONTRACTS / "events").glob("*.schema.json"):
        stem = f.name.removesuffix(".schema.json")
        assert (CONTRACTS / "examples" / f"{stem}.json").exists(), f"no example for {stem}"
        producer_event = stem.rsplit(".", 1)[0]
        assert producer_event in channels, f"{producer_event} missing from asyncapi.yaml"


def test_asyncapi_references_resolve():
    doc = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text())

    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str) and not v.startswith("#"):
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    found = list(refs(doc))
    assert found
    for ref in found:
        assert (CONTRACTS / ref).exists(), ref


def test_a_wrong_event_is_rejected(contracts):
    import pytest
    from jsonschema import ValidationError

    bad = json.loads((CONTRACTS / "examples" / "intake.report_created.v1.json").read_text())
    bad["data"]["citizen_name"] = "JUAN PEREZ"  # personal data must never travel in events
    with pytest.raises(ValidationError):
        contracts.validate(bad)
