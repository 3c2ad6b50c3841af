"""routing's policy, pure: every role of contracts/actor/roles.json against every action,
on a report of its own, shared with it, and someone else's; list scopes; unknown roles."""
import json
from pathlib import Path

import pytest

from routing import policy
from routing.exceptions import Forbidden, InvalidInput, NotFound
from sacinfra.actor import Actor

ROLES = json.loads((Path(__file__).resolve().parents[4] / "contracts" / "actor" / "roles.json").read_text())

# folio 7 belongs to OP / OP-ALUMBRADO, filed through CHATBOT by "lider", shared with SIAP / SIAP-RECOLECCION
REPORT = policy.ReportState(7, "OP", "OP-ALUMBRADO", frozenset({("SIAP", "SIAP-RECOLECCION")}), "CHATBOT", "lider")
ELSEWHERE = policy.ReportState(8, "DU", "DU-LICENCIAS", frozenset(), "072", "operator")

ALL = {policy.READ_PUBLIC, policy.READ, policy.READ_WORK, policy.START, policy.FINISH, policy.MARK_NOT_VIABLE, policy.REOPEN,
       policy.REASSIGN, policy.SHARE, policy.INTERVENE}
READERS = {policy.READ_PUBLIC, policy.READ}


def staff(role, **kw):
    return Actor.load({"kind": "staff", "username": role, "role": role, **kw})


ACTORS = {
    "admin": staff("admin"), "supervisor": staff("supervisor"), "operator": staff("operator"),
    "auditor": staff("auditor"),
    "op_staff": staff("agency_staff", agency="OP"), "siap_staff": staff("agency_staff", agency="SIAP"),
    "block_leader": staff("block_leader", username="lider"),
    "alumbrado_key": Actor.load({"kind": "key", "username": "api-key:a", "role": "department_key", "agency": "OP",
                                 "department": "OP-ALUMBRADO"}),
    "recoleccion_key": Actor.load({"kind": "key", "username": "api-key:r", "role": "department_key",
                                   "agency": "SIAP", "department": "SIAP-RECOLECCION"}),
    "chatbot_key": Actor.load({"kind": "key", "username": "api-key:c", "role": "channel_key", "channel": "CHATBOT",
                               "scopes": ["reports:create", "reports:read"]}),
    "citizen_7": Actor.citizen(7), "citizen_8": Actor.citizen(8), "public": Actor.public(),
    "surveys": Actor.system_process("surveys"), "stats": Actor.system_process("stats"),
    "unknown_role": staff("mayor"),
}

#: (actor, on REPORT, on ELSEWHERE)
EXPECTED = {
    "admin": (ALL, ALL), "supervisor": (ALL, ALL), "operator": (READERS, READERS),
    "auditor": (READERS | {policy.READ_WORK}, READERS | {policy.READ_WORK}),
    "op_staff": (ALL - {policy.REOPEN}, set()),
    "siap_staff": ({policy.READ_PUBLIC, policy.READ, policy.READ_WORK, policy.INTERVENE}, set()),
    "block_leader": (READERS, set()),
    "alumbrado_key": ({policy.READ_PUBLIC, policy.READ, policy.READ_WORK, policy.START, policy.FINISH,
                       policy.INTERVENE}, set()),
    "recoleccion_key": ({policy.READ_PUBLIC, policy.READ, policy.READ_WORK, policy.INTERVENE}, set()),
    "chatbot_key": (READERS, set()),
    "citizen_7": ({policy.READ_PUBLIC, policy.REOPEN}, set()), "citizen_8": (set(), {policy.READ_PUBLIC, policy.REOPEN}),
    "public": ({policy.READ_PUBLIC}, {policy.READ_PUBLIC}),
    "surveys": ({policy.READ_PUBLIC, policy.READ, policy.READ_WORK, policy.REOPEN},
                {policy.READ_PUBLIC, policy.READ, policy.READ_WORK, policy.REOPEN}),
    "stats": (set(), set()), "unknown_role": (set(), set()),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_policy_table(name):
    actor = ACTORS[name]
    mine, other = EXPECTED[name]
    assert {a for a in ALL if policy.may(actor, a, REPORT)} == mine
    assert {a for a in ALL if policy.may(actor, a, ELSEWHERE)} == other


def test_every_role_of_the_contract_is_in_the_documented_table():
    assert {r["role"] for r in ROLES["roles"]} == set(policy.TABLE)


def test_check_hides_what_the_actor_may_not_see_and_forbids_what_it_may_not_do():
    with pytest.raises(NotFound) as err:
        policy.check(ACTORS["siap_staff"], policy.START, ELSEWHERE)
    assert err.value.code == "reporte_no_encontrado"
    with pytest.raises(Forbidden) as err:
        policy.check(ACTORS["siap_staff"], policy.START, REPORT)
    assert err.value.code == "prohibido"
    with pytest.raises(Forbidden):
        policy.check(ACTORS["public"], policy.READ, REPORT)
    policy.check(ACTORS["citizen_7"], policy.REOPEN, REPORT)
    assert policy.full_view(ACTORS["surveys"], REPORT) and not policy.full_view(ACTORS["citizen_7"], REPORT)


def test_a_channel_key_without_the_read_scope_sees_nothing():
    key = Actor.load({"kind": "key", "username": "api-key:c", "role": "channel_key", "channel": "CHATBOT",
                      "scopes": ["reports:create"]})
    assert not policy.visible(key, REPORT)
    with pytest.raises(Forbidden):
        policy.list_scope(key)


@pytest.mark.parametrize("name, scope", [
    ("admin", policy.Scope(policy.ALL)), ("operator", policy.Scope(policy.ALL)),
    ("auditor", policy.Scope(policy.ALL)), ("surveys", policy.Scope(policy.ALL)),
    ("op_staff", policy.Scope(policy.AGENCY, agency="OP")),
    ("alumbrado_key", policy.Scope(policy.DEPARTMENT, agency="OP", department="OP-ALUMBRADO")),
    ("block_leader", policy.Scope(policy.CREATED_BY, value="lider")),
    ("chatbot_key", policy.Scope(policy.CHANNEL, value="CHATBOT")),
    ("citizen_7", policy.Scope(policy.FOLIO, value=7, public=True)),
    ("public", policy.Scope(policy.ALL, public=True)),
])
def test_list_scopes(name, scope):
    assert policy.list_scope(ACTORS[name]) == scope


@pytest.mark.parametrize("name", ["stats", "unknown_role"])
def test_nothing_to_list_for_other_processes_and_unknown_roles(name):
    with pytest.raises(Forbidden):
        policy.list_scope(ACTORS[name])


@pytest.mark.parametrize("value", [None, {}, {"username": "x", "role": "admin"},
                                   {"kind": "citizen", "username": "c", "role": "citizen"},
                                   {"kind": "staff", "username": "x", "role": "agency_staff"}])
def test_an_actor_off_the_contract_is_invalid_input(value):
    with pytest.raises(InvalidInput) as err:
        policy.load_actor(value)
    assert err.value.code == "actor_invalido"


ACTOR_DIR = Path(__file__).resolve().parents[4] / "contracts" / "actor"


@pytest.mark.parametrize("path", sorted((ACTOR_DIR / "examples").glob("*.json")), ids=lambda p: p.stem)
def test_routing_reads_every_example_of_the_contract(path):
    actor = policy.load_actor(json.loads(path.read_text()))
    policy.actions(actor, REPORT)  # a decision for every role the contract shows, never an error
    try:
        policy.list_scope(actor)
    except Forbidden:
        assert actor.role in ("system", "channel_key")  # a process other than surveys; a key without reports:read


@pytest.mark.parametrize("path", sorted((ACTOR_DIR / "invalid").glob("*.json")), ids=lambda p: p.stem)
def test_routing_refuses_every_invalid_actor_of_the_contract(path):
    with pytest.raises(InvalidInput) as err:
        policy.load_actor(json.loads(path.read_text()))
    assert err.value.code == "actor_invalido"


def test_a_process_reads_and_reopens_only_the_reports_it_filed_itself():
    """A channel service (system:whatsapp) files as its own ``created_by``: it may read and
    reopen those reports — a rule that names no channel, so adding one changes nothing here."""
    mine = policy.ReportState(9, "OP", "OP-ALUMBRADO", frozenset(), "WHATSAPP", "system:whatsapp")
    whatsapp = Actor.system_process("whatsapp")
    assert {a for a in ALL if policy.may(whatsapp, a, mine)} == {policy.READ_PUBLIC, policy.READ, policy.REOPEN}
    assert not {a for a in ALL if policy.may(whatsapp, a, REPORT)}
    assert not {a for a in ALL if policy.may(Actor.system_process("email"), a, mine)}
