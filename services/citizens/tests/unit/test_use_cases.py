"""citizens' use cases without I/O: registration with duplicate suggestions, who may
read or change the registry (the policy over the actor contract), rectification."""
import pytest

from citizens import domain, handlers
from citizens.exceptions import Forbidden, InvalidInput, NotFound
from sacinfra.actor import Actor

OPERATOR = {"kind": "staff", "username": "op1", "role": "operator"}
STAFF = {"kind": "staff", "username": "staff", "role": "agency_staff", "agency": "OP"}
WHY = "atención de llamada 072"


def person(**kw):
    return {"given_names": "María Guadalupe", "first_surname": "Hernández", "second_surname": "López",
            "phones": ["477 123 4567"], "address": {"colonia": "Centro"}, "consent": True,
            "privacy_notice_version": "2026-01", "channel": "072"} | kw


def test_register_then_the_same_person_is_suggested_not_created(store):
    first = handlers.register_citizen(store, OPERATOR, person())["created"]
    assert first["number"] == 1 and first["phones"] == ["4771234567"]
    assert store.events == [("citizen_registered", store.events[0][1])] and store.events[0][1]["number"] == 1
    again = handlers.register_citizen(store, OPERATOR, person(given_names="Maria Guadalupe",
                                                              phones=["477 000 0000"]))
    [dup] = again["duplicates"]
    assert dup["number"] == 1 and "same_name_colonia" in dup["reasons"]
    assert len(store.citizens) == 1 and [r["action"] for r in store.log] == ["register", "duplicate_check"]
    forced = handlers.register_citizen(store, OPERATOR, person(phones=["477 000 0000"]), force=True)
    assert forced["created"]["number"] == 2


def test_same_phone_is_a_duplicate_whatever_the_name(store):
    handlers.register_citizen(store, OPERATOR, person())
    [dup] = handlers.register_citizen(store, OPERATOR, person(given_names="Pedro", first_surname="Soto",
                                                              second_surname=None))["duplicates"]
    assert dup["reasons"] == ["same_phone"]


def test_invalid_data_registers_nothing(store):
    with pytest.raises(InvalidInput):
        handlers.register_citizen(store, OPERATOR, person(phones=["123"]))
    assert store.citizens == {} and store.log == [] and store.events == []


@pytest.mark.parametrize("role, action, allowed", [
    ("operator", "register", True), ("agency_staff", "register", False), ("agency_staff", "read", True),
    ("block_leader", "read", False), ("block_leader", "list_citizens", True), ("auditor", "read", False),
    ("auditor", "read_access_log", True), ("operator", "cancel", False), ("supervisor", "cancel", True),
    ("auditor", "related_numbers", True), ("auditor", "read_roster_contact", False),
    ("rol_nuevo", "read", False), ("admin", "accion_desconocida", False),
])
def test_the_policy_grants_staff_roles_only_what_they_are_listed_for(role, action, allowed):
    actor = Actor(kind="staff", username="x", role=role, agency="OP" if role == "agency_staff" else None)
    assert domain.allowed(actor, action) is allowed


@pytest.mark.parametrize("actor", [Actor.public(), Actor.citizen(3), Actor.system_process("surveys"),
                                   Actor(kind="key", username="api-key:op", role="department_key", agency="OP",
                                         department="OP-ALUMBRADO")])
def test_keys_citizens_public_and_system_actors_touch_nothing(actor):
    assert not any(domain.allowed(actor, action) for action in domain.PERMISSIONS)


def test_reads_are_scoped_logged_and_need_a_reason(store):
    number = handlers.register_citizen(store, OPERATOR, person())["created"]["number"]
    with pytest.raises(NotFound):  # agency staff: only a person behind a report routing shows them
        handlers.get_citizen(store, STAFF, number, WHY, lambda actor, numbers: False)
    got = handlers.get_citizen(store, STAFF, number, WHY, lambda actor, numbers: numbers == [number])
    assert got["full_name"] == "María Guadalupe Hernández López"
    assert store.log[-1] | {"at": None} == {"at": None, "username": "staff", "role": "agency_staff",
                                            "citizen_number": number, "action": "read", "reason": WHY,
                                            "block_leader_id": None}
    with pytest.raises(InvalidInput) as err:
        handlers.get_citizen(store, STAFF, number, "x")
    assert err.value.code == "motivo_requerido"
    with pytest.raises(Forbidden):
        handlers.update_citizen(store, STAFF, number, {"email": "a@b.mx"}, WHY)
    with pytest.raises(NotFound):
        handlers.get_citizen(store, OPERATOR, 99, WHY)
    with pytest.raises(InvalidInput) as err:
        handlers.get_citizen(store, {"username": "op1", "role": "operator"}, number, WHY)
    assert err.value.code == "actor_invalido"


def test_rectification_keeps_before_and_after(store):
    number = handlers.register_citizen(store, OPERATOR, person())["created"]["number"]
    out = handlers.update_citizen(store, OPERATOR, number, {"second_surname": "Lópes"}, WHY)
    assert out["changed_fields"] == ["second_surname"] and out["second_surname"] == "Lópes"
    [change] = store.change_rows
    assert (change["before"], change["after"], change["author"]) == ({"second_surname": "López"},
                                                                      {"second_surname": "Lópes"}, "op1")


def test_the_fake_store_only_offers_what_the_real_store_has(store):
    from citizens.store import Store
    offered = {m for m in dir(type(store)) if not m.startswith("_") and callable(getattr(type(store), m))}
    assert offered <= set(dir(Store)), offered - set(dir(Store))
