"""The departments' integration feed (`sac.integration`) as data: every message of the
AsyncAPI channel has an example that validates against the envelope and its data schema,
the schemas cannot carry free text or staff usernames, and every event routing publishes
there has a message."""
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from routing import integration

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def _load(rel: str) -> dict:
    return json.loads((CONTRACTS / rel).read_text())


def _messages() -> dict[str, dict]:
    doc = yaml.safe_load((CONTRACTS / "asyncapi.yaml").read_text())
    channel = doc["channels"]["integration.departments"]
    assert channel["bindings"]["amqp"]["exchange"]["name"] == integration.EXCHANGE
    out = {}
    for ref in channel["messages"].values():
        msg = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
        out[msg["name"]] = msg
    return out


def test_every_integration_event_has_a_message_schema_and_example():
    assert set(_messages()) == set(integration.EVENTS)


@pytest.mark.parametrize("event_type", integration.EVENTS)
def test_example_validates_and_private_fields_cannot_travel(event_type):
    msg = _messages()[event_type]
    envelope = Draft202012Validator(_load("envelope.schema.json"), format_checker=FormatChecker())
    schema = _load(msg["x-data-schema"]["$ref"])
    data = Draft202012Validator(schema, format_checker=FormatChecker())
    for example in msg["examples"]:
        e = _load(example["payload"]["$ref"])
        assert e["event_type"] == event_type and e["producer"] == "routing"
        envelope.validate(e)
        data.validate(e["data"])
        # what routing strips is exactly what the schema refuses
        assert integration.integration_data(event_type, e["data"]) == e["data"]
        for field in integration.PRIVATE.get(event_type, ()):
            assert field not in schema["properties"]
            with pytest.raises(ValidationError):
                data.validate(e["data"] | {field: "Juan Pérez, vecino del 100"})
        with pytest.raises(ValidationError):
            data.validate(e["data"] | {"citizen_name": "JUAN PEREZ"})


@pytest.mark.parametrize("event_type", sorted(integration.PRIVATE))
def test_integration_schema_is_routings_without_the_private_fields(event_type):
    """One source of truth: a field routing adds to its event (e.g. evidence_ids) must be
    added here too, and only the private fields may differ."""
    internal = _load(f"events/routing.{event_type}.v1.schema.json")
    public = _load(f"integration/routing.{event_type}.v1.schema.json")
    private = integration.PRIVATE[event_type]
    assert public["properties"] == {k: v for k, v in internal["properties"].items() if k not in private}
    assert public["required"] == [f for f in internal["required"] if f not in private]
    assert public["additionalProperties"] is False
