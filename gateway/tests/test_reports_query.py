"""Unit tests (no I/O) of the gateway's report-list helpers: query parameters → routing
filters, the options routing fills (or hides) the citizen columns by, citizen criteria
resolved to numbers, pagination links. The end-to-end behaviour is in tests/e2e/test_queries_api.py."""
import asyncio

import pytest
from starlette.datastructures import URL, QueryParams

from gateway.auth import User
from gateway.errors import ApiError
from gateway.reports_query import (CONSULTAS_FILTERS, TODAY_FILTERS, options_of, paginated, parse_filters,
                                   reason_of, resolve_citizen_filters)


def user(role, agency=None):
    return User(id=1, username=role, full_name=role, role=role, agency=agency)


def test_parameters_become_routing_filters():
    params = QueryParams("status=captured,in_progress&status=done&channel=072&channel=MIÉRCOLES CIUDADANO"
                         "&folios=1,%232&folio=3&citizen_number=7&reassigned_only=true&user=operator"
                         "&petition_type=OP-LAMPARA APAGADA&colonia=León Moderno&citizen_name=rosa&age_min=30"
                         "&sex=female&page=2&hide_map=1")
    filters, criteria = parse_filters(params, CONSULTAS_FILTERS | {"hide_map"})
    assert filters == {"status": ["captured", "in_progress", "done"], "channel": ["072", "MIÉRCOLES CIUDADANO"],
                       "folios": ["1", "#2", "3"], "citizen_numbers": ["7"], "reassigned_only": True,
                       "created_by": "operator", "petition_type": ["OP-LAMPARA APAGADA"],
                       "colonia": "León Moderno"}
    assert criteria == {"name": "rosa", "age_min": 30, "sex": "female"}


@pytest.mark.parametrize("query, allowed, code", [
    ("colour=red", CONSULTAS_FILTERS, "parametro_desconocido"),
    ("date_from=2026-01-01", TODAY_FILTERS, "parametro_desconocido"),  # not a filter of today's screen
    ("reassigned_only=quizá", CONSULTAS_FILTERS, "parametro_invalido"),
    ("age_min=treinta", CONSULTAS_FILTERS, "parametro_invalido"),
])
def test_bad_parameters(query, allowed, code):
    with pytest.raises(ApiError) as err:
        parse_filters(QueryParams(query), allowed)
    assert (err.value.status, err.value.code) == (422, code)


class Citizens:
    """Answers citizens' RPCs as the service does, recording the calls."""

    def __init__(self, truncated=False):
        self.calls, self.truncated = [], truncated

    async def __call__(self, service, method, *args):
        self.calls.append((service, method, args))
        if method == "get_citizens":
            return {"items": [{"number": 7, "citizen_number": 7, "full_name": "Rosa Q", "phones": ["4777654321"]}]}
        if method == "find_numbers":
            return {"numbers": [7, 8], "truncated": self.truncated}
        raise AssertionError(method)


def test_options_ask_routing_to_hide_and_name_the_reason():
    params = QueryParams("hide_map=true&hide_citizen_name=sí&reason=Revisión")
    assert options_of(params, "Revisión") == {"reason": "Revisión", "hide_citizen_data": False,
                                              "hide_citizen_name": True, "hide_map": True}
    with pytest.raises(ApiError):
        options_of(QueryParams("hide_map=quizá"), "x")


def test_citizen_criteria_become_numbers():
    call = Citizens()
    out = asyncio.run(resolve_citizen_filters(call, user("supervisor"), {"citizen_numbers": ["8", "9"]},
                                              {"name": "rosa"}, "Consultas y reportes"))
    assert out == {"citizen_numbers": [8]}
    with pytest.raises(ApiError) as err:
        asyncio.run(resolve_citizen_filters(call, user("auditor"), {}, {"name": "rosa"}, "x"))
    assert (err.value.status, err.value.code) == (403, "prohibido")
    with pytest.raises(ApiError) as err:
        asyncio.run(resolve_citizen_filters(Citizens(truncated=True), user("operator"), {}, {"sex": "male"}, "x"))
    assert err.value.code == "filtro_ciudadano_muy_amplio"
    assert asyncio.run(resolve_citizen_filters(call, user("auditor"), {"agency": "OP"}, {}, "x")) == {"agency": "OP"}


def test_pages_and_links():
    url = URL("http://x/v1/reports?status=done&page=2&per_page=2")
    out = paginated(url, {"items": [], "total": 5, "page": 2, "per_page": 2})
    assert out["pages"] == 3
    assert out["links"]["next"] == "http://x/v1/reports?status=done&per_page=2&page=3"
    assert "page=1" in out["links"]["prev"]
    last = paginated(url, {"items": [], "total": 5, "page": 3, "per_page": 2})
    assert last["links"]["next"] is None
    assert paginated(url, {"items": [], "total": 0, "page": 1, "per_page": 50})["links"]["prev"] is None
    assert reason_of(QueryParams(""), "Asuntos del día") == "Asuntos del día"
    with pytest.raises(ApiError):
        reason_of(QueryParams("reason=x"), "y")
