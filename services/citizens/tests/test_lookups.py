"""Reads for report lists on a real PostgreSQL database: the citizens of a page of
reports (logged per citizen), the numbers matching a name / sex / age filter (merged
numbers included, one log row without a number), a person's numbers, who may call them."""
import pytest
import sqlalchemy as sa

from citizens import handlers, lookups
from citizens.exceptions import Forbidden, InvalidInput, NotFound

OPERATOR = {"kind": "staff", "username": "op1", "role": "operator", "agency": None}
STAFF = {"kind": "staff", "username": "staff", "role": "agency_staff", "agency": "OP"}
LEADER = {"kind": "staff", "username": "jm", "role": "block_leader", "agency": None}
AUDITOR = {"kind": "staff", "username": "aud", "role": "auditor", "agency": None}
WHY = "Consultas y reportes"


def person(given, first, second, sex, birth, phone, colonia="Centro"):
    return {"given_names": given, "first_surname": first, "second_surname": second, "sex": sex,
            "birth_date": birth, "phones": [phone], "address": {"colonia": colonia},
            "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}


@pytest.fixture
def people(uow):
    def reg(*args, **kw):
        return handlers.register_citizen(uow, OPERATOR, person(*args, **kw), True)["created"]["number"]
    lupe = reg("María Guadalupe", "Hernández", "López", "female", "1980-05-17", "4771234567")
    lupe_dup = reg("Ma. Guadalupe", "Hernandez", None, "female", "1980-05-17", "4770000001", "Obregón")
    jose = reg("José Ángel", "Muñoz", "Ibáñez", "male", "2001-03-09", "4775551234")
    today = handlers._today()  # León's day: ages count from it
    ana = reg("Ana", "Hernández", "Ruiz", "female", lookups._years_before(today, 30).isoformat(), "4779990000")
    handlers.merge_citizens(uow, OPERATOR, lupe, lupe_dup)
    uow.uow.session.execute(sa.text("DELETE FROM personal_data_access_log"))
    uow.uow.commit()
    return {"lupe": lupe, "lupe_dup": lupe_dup, "jose": jose, "ana": ana}


def log(uow):
    return [tuple(r) for r in uow.uow.session.execute(sa.text(
        "SELECT username, role, citizen_number, action, reason FROM personal_data_access_log ORDER BY id"))]


def test_get_citizens_answers_each_known_number_and_logs_each_read(uow, people):
    out = lookups.get_citizens(uow, STAFF, [people["jose"], people["lupe_dup"], 999999, people["jose"]], WHY)
    by = {i["number"]: i for i in out["items"]}
    assert set(by) == {people["jose"], people["lupe_dup"]}  # unknown left out, repeated once
    assert by[people["jose"]] == {"number": people["jose"], "citizen_number": people["jose"],
                                  "full_name": "José Ángel Muñoz Ibáñez", "phones": ["4775551234"]}
    assert by[people["lupe_dup"]]["citizen_number"] == people["lupe"]  # a merged number redirects
    assert by[people["lupe_dup"]]["full_name"] == "María Guadalupe Hernández López"
    assert sorted(log(uow)) == sorted([("staff", "agency_staff", people["jose"], "read", WHY),
                                       ("staff", "agency_staff", people["lupe"], "read", WHY)])
    assert lookups.get_citizens(uow, LEADER, [], WHY) == {"items": []}
    assert len(log(uow)) == 2  # nothing read, nothing logged


@pytest.mark.parametrize("actor, args, error, code", [
    (AUDITOR, ([1], WHY), Forbidden, "prohibido"),
    ({"kind": "staff", "username": "x", "role": "capturista"}, ([1], WHY), Forbidden, "prohibido"),
    ({"kind": "key", "username": "api-key:op", "role": "department_key", "agency": "OP", "department": "OP-ALUMBRADO"},
     ([1], WHY), Forbidden, "prohibido"),
    ({"username": "x"}, ([1], WHY), InvalidInput, "actor_invalido"),
    (STAFF, ([1], ""), InvalidInput, "motivo_requerido"),
    (STAFF, (list(range(1, 502)), WHY), InvalidInput, "demasiados_ciudadanos"),
    (STAFF, (["abc"], WHY), InvalidInput, "numero_invalido"),
    (STAFF, (5, WHY), InvalidInput, "numero_invalido"),
])
def test_get_citizens_refusals(uow, actor, args, error, code):
    with pytest.raises(error) as err:
        lookups.get_citizens(uow, actor, *args)
    assert err.value.code == code
    assert log(uow) == []


def test_find_numbers_by_name_sex_and_age(uow, people):
    find = lambda **kw: lookups.find_numbers(uow, STAFF, reason=WHY, **kw)  # noqa: E731
    # «hernandez»: Lupe (and the number merged into her), Ana; accents and case ignored
    assert find(name="HERNANDEZ") == {"numbers": sorted([people["lupe"], people["lupe_dup"], people["ana"]]),
                                      "truncated": False}
    assert find(name="guad hern")["numbers"] == sorted([people["lupe"], people["lupe_dup"]])
    assert find(sex="male")["numbers"] == [people["jose"]]
    assert find(name="hernandez", age_min=30, age_max=30)["numbers"] == [people["ana"]]  # 30 today
    assert find(name="hernandez", age_min=31)["numbers"] == sorted([people["lupe"], people["lupe_dup"]])
    assert find(age_max=29)["numbers"] == [people["jose"]]
    assert find(name="nadie se llama asi")["numbers"] == []
    capped = find(sex="female", limit=1)
    assert capped["truncated"] is True and people["lupe"] in capped["numbers"]
    # one row per call, without a number: the answer holds numbers only
    assert {r[2:] for r in log(uow)} == {(None, "search", WHY)} and len(log(uow)) == 8


@pytest.mark.parametrize("kwargs, code", [
    ({}, "filtro_ciudadano_vacio"), ({"name": "jo"}, "busqueda_muy_corta"), ({"sex": "f"}, "sexo_invalido"),
    ({"age_min": -1}, "edad_invalida"), ({"age_min": 40, "age_max": 30}, "edad_invalida"),
    ({"age_max": "30"}, "edad_invalida"), ({"sex": "male", "limit": 0}, "limite_invalido"),
])
def test_find_numbers_refuses_bad_criteria(uow, kwargs, code):
    with pytest.raises(InvalidInput) as err:
        lookups.find_numbers(uow, OPERATOR, reason=WHY, **kwargs)
    assert err.value.code == code


def test_find_numbers_needs_a_role_and_a_reason(uow):
    with pytest.raises(Forbidden):
        lookups.find_numbers(uow, AUDITOR, name="hernandez", reason=WHY)
    with pytest.raises(InvalidInput) as err:
        lookups.find_numbers(uow, OPERATOR, name="hernandez")
    assert err.value.code == "motivo_requerido"


def test_related_numbers_resolves_a_person_without_personal_data(uow, people):
    both = sorted([people["lupe"], people["lupe_dup"]])
    assert lookups.related_numbers(uow, AUDITOR, people["lupe_dup"]) == {"number": people["lupe"], "numbers": both}
    assert lookups.related_numbers(uow, LEADER, people["jose"]) == {"number": people["jose"],
                                                                    "numbers": [people["jose"]]}
    with pytest.raises(NotFound):
        lookups.related_numbers(uow, AUDITOR, 999999)
    with pytest.raises(Forbidden):
        lookups.related_numbers(uow, {"kind": "citizen", "username": "citizen:1", "role": "citizen", "folio": 1}, people["jose"])
    assert log(uow) == []
