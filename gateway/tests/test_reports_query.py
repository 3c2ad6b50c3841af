"""The gateway's report-list helpers (no I/O): query parameters → routing filters (the
citizen criteria as routing's ``citizen`` filter: routing resolves them,
services/routing/tests/unit/test_by_citizen.py), the options routing fills (or hides) the
citizen columns by, pagination links; and the list and history routes over a stand-in
routing (what reaches it). The end-to-end behaviour is in tests/e2e/test_queries_api.py."""
import pytest
from starlette.datastructures import URL, QueryParams

from gateway.errors import ApiError
from gateway.reports_query import CONSULTAS_FILTERS, TODAY_FILTERS, options_of, paginated, parse_filters, reason_of


def test_parameters_become_routing_filters():
    params = QueryParams("status=captured,in_progress&status=done&channel=072&channel=MIÉRCOLES CIUDADANO"
                         "&folios=1,%232&folio=3&citizen_number=7&reassigned_only=true&user=operator"
                         "&petition_type=OP-LAMPARA APAGADA&colonia=León Moderno&citizen_name=rosa&age_min=30"
                         "&sex=female&page=2&hide_map=1")
    assert parse_filters(params, CONSULTAS_FILTERS | {"hide_map"}) == {
        "status": ["captured", "in_progress", "done"], "channel": ["072", "MIÉRCOLES CIUDADANO"],
        "folios": ["1", "#2", "3"], "citizen_numbers": ["7"], "reassigned_only": True, "created_by": "operator",
        "petition_type": ["OP-LAMPARA APAGADA"], "colonia": "León Moderno",
        "citizen": {"name": "rosa", "age_min": 30, "sex": "female"}}
    assert "citizen" not in parse_filters(QueryParams("citizen_name=&age_max="))


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


def test_options_ask_routing_to_hide_and_name_the_reason():
    params = QueryParams("hide_map=true&hide_citizen_name=sí&reason=Revisión")
    assert options_of(params, "Revisión") == {"reason": "Revisión", "hide_citizen_data": False,
                                              "hide_citizen_name": True, "hide_map": True}
    with pytest.raises(ApiError):
        options_of(QueryParams("hide_map=quizá"), "x")


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


def test_history_and_lists_pass_the_actor_and_parameters_to_routing_and_add_the_links(api, client):
    calls = []

    async def routing(service, method, *args, **kwargs):
        calls.append((service, method, args))
        return {"items": [{"folio": 1}], "total": 3, "page": args[-4], "per_page": args[-3]}

    client.app.state.call = routing
    r = api.client.get("/v1/citizens/7/reports", params={"per_page": 1, "hide_citizen_data": "true"},
                       headers=api.as_("operator"))
    assert r.status_code == 200, r.text
    assert r.json()["pages"] == 3 and "page=2" in r.json()["links"]["next"]
    [(service, method, (actor, number, name, page, per_page, sort, options))] = calls
    assert (service, method, actor["username"], number, name, page, per_page, sort) == (
        "routing", "citizen_history", "operator", 7, None, 1, 1, "-created_at")
    assert options["hide_citizen_data"] is True and options["reason"] == "Historial del ciudadano"
    r = api.client.get("/v1/citizens/reports", params={"name": "rosa", "reason": "Queja 12"},
                       headers=api.as_("supervisor"))
    assert r.status_code == 200 and calls[-1][2][1:3] == (None, "rosa") and calls[-1][2][-1]["reason"] == "Queja 12"
    assert api.client.get("/v1/citizens/reports", params={"hide_map": "true"},
                          headers=api.as_("supervisor")).json()["code"] == "parametro_desconocido"
    r = api.client.get("/v1/reports", params={"citizen_name": "rosa", "grouped": "general"},
                       headers=api.as_("supervisor"))
    assert calls[-1][1:] == ("group_reports", (calls[-1][2][0], {"citizen": {"name": "rosa"}}, ["agency"],
                                               {"reason": "Consultas y reportes"}))
