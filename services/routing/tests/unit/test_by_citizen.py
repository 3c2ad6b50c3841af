"""by_citizen, pure: the citizen criteria of a list turned into citizen numbers by a
stand-in for citizens.find_numbers (who may, the shape, the cap, the intersection with the
numbers given, the reason), and the citizen history by number and by name over a
stand-in page of reports. Over a real broker and PostgreSQL: tests/test_service.py."""
import pytest

from routing import by_citizen
from routing.exceptions import Forbidden, InvalidInput
from sacinfra.actor import Actor

SUPERVISOR = {"kind": "staff", "username": "supervisor", "role": "supervisor"}
AUDITOR = {"kind": "staff", "username": "auditor", "role": "auditor"}
OP = {"kind": "staff", "username": "ana", "role": "agency_staff", "agency": "OP"}
LEADER = {"kind": "staff", "username": "lider", "role": "block_leader"}
DEPT_KEY = {"kind": "key", "username": "api-key:op", "role": "department_key", "agency": "OP", "department": "OP-A"}


class Citizens:
    """citizens' RPCs as they answer (number 7 is a person with 8 merged into it), recording the calls."""

    def __init__(self, numbers=(7, 8, 9), truncated=False):
        self.numbers, self.truncated, self.calls = list(numbers), truncated, []

    def find_numbers(self, actor, name, sex, age_min, age_max, reason, limit):
        self.calls.append(("find_numbers", actor["username"], (name, sex, age_min, age_max), reason, limit))
        return {"numbers": self.numbers, "truncated": self.truncated}

    def related_numbers(self, actor, number):
        self.calls.append(("related_numbers", actor["username"], number))
        return {"number": 7, "numbers": [7, 8]}

    def get_citizens(self, actor, numbers, reason):
        self.calls.append(("get_citizens", actor["username"], numbers, reason))
        return {"items": [{"number": n, "citizen_number": n, "full_name": "Rosa Q", "phones": []} for n in numbers]}


def resolve(actor, filters, citizens=None, reason="Consultas y reportes"):
    return by_citizen.resolve(actor, filters, reason, (citizens or Citizens()).find_numbers)


def test_criteria_become_the_numbers_citizens_finds_intersected_with_those_given():
    citizens = Citizens()
    out = resolve(SUPERVISOR, {"status": ["done"], "citizen": {"name": "rosa", "age_min": 30, "sex": None},
                               "citizen_numbers": ["8", "#9", 10]}, citizens, "Revisión")
    assert out == {"status": ["done"], "citizen_numbers": [8, 9]}
    assert citizens.calls == [("find_numbers", "supervisor", ("rosa", None, 30, None), "Revisión",
                               by_citizen.MAX_CITIZEN_MATCHES)]
    # nobody matches: still a filter (no reports), not "every report"
    assert resolve(OP, {"citizen": {"sex": "male"}}, Citizens(numbers=[])) == {"citizen_numbers": []}
    assert resolve(LEADER, {"citizen": {"name": "rosa"}})["citizen_numbers"] == [7, 8, 9]


def test_no_criteria_no_call():
    citizens = Citizens()
    assert resolve(AUDITOR, {"agency": "OP"}, citizens) == {"agency": "OP"}
    assert resolve(AUDITOR, {"agency": "OP", "citizen": None}, citizens) == {"agency": "OP"}
    assert resolve(AUDITOR, {"citizen": {"name": None}}, citizens) == {}
    assert resolve(AUDITOR, None, citizens) is None
    assert citizens.calls == []


@pytest.mark.parametrize("actor", [AUDITOR, DEPT_KEY, Actor.public().to_dict()])
def test_only_actors_with_personal_data_may_filter_by_it(actor):
    citizens = Citizens()
    with pytest.raises(Forbidden) as err:
        resolve(actor, {"citizen": {"name": "rosa"}}, citizens)
    assert err.value.code == "prohibido" and "datos personales" in err.value.message
    assert citizens.calls == []


@pytest.mark.parametrize("citizen, code", [
    ("rosa", "filtro_invalido"), ({"nombre": "rosa"}, "filtro_desconocido"), ({"name": 5}, "filtro_invalido"),
    ({"name": "r" * 201}, "filtro_invalido"), ({"age_min": "30"}, "filtro_invalido"),
    ({"age_max": True}, "filtro_invalido"),
])
def test_bad_criteria_are_refused_before_citizens_is_asked(citizen, code):
    citizens = Citizens()
    with pytest.raises(InvalidInput) as err:
        resolve(SUPERVISOR, {"citizen": citizen}, citizens)
    assert err.value.code == code and err.value.message
    assert citizens.calls == []


def test_other_bad_filters_are_refused_before_citizens_is_asked():
    citizens = Citizens()
    with pytest.raises(InvalidInput) as err:
        resolve(SUPERVISOR, {"citizen": {"name": "rosa"}, "status": ["cerrado"]}, citizens)
    assert err.value.code == "estatus_invalido" and citizens.calls == []


def test_more_people_than_the_cap_is_a_filter_too_wide():
    with pytest.raises(InvalidInput) as err:
        resolve(SUPERVISOR, {"citizen": {"sex": "female"}}, Citizens(truncated=True))
    assert err.value.code == "filtro_ciudadano_muy_amplio" and "20,000" in err.value.message


class Pages:
    """query_reports' page for the filters asked (one report per citizen number), recording them."""

    def __init__(self):
        self.asked = []

    def __call__(self, filters):
        self.asked.append(filters)
        items = [{"folio": n * 10, "citizen_number": n, "status": "captured", "street": "MADERO", "lat": 21.1}
                 for n in filters["citizen_numbers"]]
        return {"items": items, "total": len(items), "page": 1, "per_page": 50}


def history(actor, number=None, name=None, options=None, citizens=None, pages=None):
    citizens = citizens or Citizens()
    return by_citizen.history(actor, number, name, options, page_of=pages or Pages(),
                              related_numbers=citizens.related_numbers, find_numbers=citizens.find_numbers,
                              get_citizens=citizens.get_citizens)


def test_history_by_number_takes_the_merged_numbers_and_the_name_for_personal_data():
    citizens, pages = Citizens(), Pages()
    out = history(SUPERVISOR, 8, citizens=citizens, pages=pages)
    assert pages.asked == [{"citizen_numbers": [7, 8]}]
    assert out["citizen"] == {"number": 7, "numbers": [7, 8], "full_name": "Rosa Q"}
    assert [i["folio"] for i in out["items"]] == [70, 80] and out["total"] == 2
    assert set(out["items"][0]) == set(by_citizen.HISTORY_ROW)  # no street, no map
    assert citizens.calls[-1] == ("get_citizens", "supervisor", [7], "Historial del ciudadano")
    history(SUPERVISOR, 7, options={"reason": "Queja 12"}, citizens=citizens)
    assert citizens.calls[-1][-1] == "Queja 12"


def test_history_without_the_name_for_auditors_hidden_data_or_no_reports_to_show():
    for actor, options in ((AUDITOR, None), (SUPERVISOR, {"hide_citizen_data": True})):
        citizens = Citizens()
        out = history(actor, 7, options=options, citizens=citizens)
        assert "full_name" not in out["citizen"] and out["total"] == 2
        assert [c[0] for c in citizens.calls] == ["related_numbers"]
    citizens = Citizens()
    empty = history(OP, 7, citizens=citizens, pages=lambda f: {"items": [], "total": 0, "page": 1, "per_page": 50})
    assert empty["citizen"] == {"number": 7, "numbers": [7, 8]} and [c[0] for c in citizens.calls] == [
        "related_numbers"]


def test_history_by_name_lists_every_match():
    citizens = Citizens(numbers=[7, 9])
    out = history(OP, name="  rosa quinones ", citizens=citizens)
    assert out["citizen_numbers"] == [7, 9] and [i["folio"] for i in out["items"]] == [70, 90]
    assert citizens.calls == [("find_numbers", "ana", ("rosa quinones", None, None, None),
                               "Historial del ciudadano", by_citizen.MAX_CITIZEN_MATCHES)]
    with pytest.raises(Forbidden):
        history(AUDITOR, name="rosa")


@pytest.mark.parametrize("number, name, code", [
    (None, None, "nombre_requerido"), (None, "  ", "nombre_requerido"), (7, "rosa", "filtro_invalido"),
])
def test_history_needs_a_number_or_a_name(number, name, code):
    citizens = Citizens()
    with pytest.raises(InvalidInput) as err:
        history(SUPERVISOR, number, name, citizens=citizens)
    assert err.value.code == code and citizens.calls == []


def test_history_refuses_a_bad_actor_or_reason_before_asking_citizens():
    citizens = Citizens()
    with pytest.raises(InvalidInput) as err:
        history(None, 7, citizens=citizens)
    assert err.value.code == "actor_invalido"
    with pytest.raises(InvalidInput) as err:
        history(SUPERVISOR, 7, options={"reason": "x"}, citizens=citizens)
    assert err.value.code == "motivo_invalido" and citizens.calls == []
