"""The actor contract (contracts/actor): examples validate, invalid ones do not, every
role is listed once with its kind, and sacinfra's reader agrees with the schema."""
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from sacinfra.actor import ROLE_KIND, Actor, ActorInvalid

ACTOR = Path(__file__).resolve().parents[2] / "contracts" / "actor"
SCHEMA = Draft202012Validator(json.loads((ACTOR / "actor.schema.json").read_text()))
ROLES = json.loads((ACTOR / "roles.json").read_text())["roles"]
EXAMPLES = sorted((ACTOR / "examples").glob("*.json"))
INVALID = sorted((ACTOR / "invalid").glob("*.json"))


def test_roles_are_listed_once_with_a_kind_and_what_they_may_do():
    names = [r["role"] for r in ROLES]
    assert len(names) == len(set(names))
    for r in ROLES:
        assert r["kind"] in ("staff", "key", "citizen", "public", "system"), r
        assert r["label"] and r["may"], r
        assert ROLE_KIND.get(r["role"], "staff") == r["kind"], r


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_validates_and_the_reader_round_trips_it(path):
    doc = json.loads(path.read_text())
    SCHEMA.validate(doc)
    assert doc["role"] in {r["role"] for r in ROLES}
    actor = Actor.load(doc)
    assert actor.role == doc["role"] and actor.kind == doc["kind"]
    SCHEMA.validate(actor.to_dict())
    assert Actor.load(actor.to_dict()) == actor


def test_every_role_has_an_example():
    assert {json.loads(p.read_text())["role"] for p in EXAMPLES} >= {r["role"] for r in ROLES} - {
        "supervisor", "auditor", "admin"}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_each_invalid_actor_is_refused_by_schema_and_reader(path):
    doc = json.loads(path.read_text())
    assert list(SCHEMA.iter_errors(doc)), f"{path.name} should not validate"
    with pytest.raises(ActorInvalid):
        Actor.load(doc)


@pytest.mark.parametrize("value", [None, "operator", {}, {"kind": "staff", "role": "operator"},
                                   {"kind": "staff", "username": "x", "role": "Operator"},
                                   {"kind": "staff", "username": "x", "role": "operator", "folio": True}])
def test_the_reader_refuses_what_is_not_an_actor(value):
    with pytest.raises(ActorInvalid):
        Actor.load(value)


def test_built_in_public_system_and_citizen_actors_follow_the_schema():
    for a in (Actor.public(), Actor.system_process("surveys"), Actor.citizen(12)):
        SCHEMA.validate(a.to_dict())
        assert Actor.load(a.to_dict()) == a
