"""Report queries on a real PostgreSQL database: "Asuntos del día", "Consultas", exports
and grouped counts — every filter, sort, pagination, scoping by actor, the traffic-light
filter against domain.traffic_light, invalid input; and report_created filling the
columns the queries use, with and without the optional kind/created_by."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from routing import handlers, public, queries
from sacinfra import testing
from sacinfra.actor import Actor
from sacinfra.db import UnitOfWork, make_engine
from sacinfra.errors import Forbidden, InvalidInput
from routing_actors import AUDITOR, OP, SUPERVISOR

ROUTING = Path(__file__).resolve().parents[1]
# 12:00 in León (UTC-6): "today" is 2026-12-01 from 06:00 UTC to 06:00 UTC next day
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)

SIAP = {"kind": "staff", "username": "siap", "role": "agency_staff", "agency": "SIAP", "department": "SIAP-ESPECIALES"}
DU = {"kind": "staff", "username": "du", "role": "agency_staff", "agency": "DU", "department": "DU-LICENCIAS"}
LEADER = {"kind": "staff", "username": "block_leader", "role": "block_leader", "agency": None, "department": None}
PUBLIC = Actor.public().to_dict()
SURVEYS = Actor.system_process("surveys").to_dict()
CITIZEN_3 = Actor.citizen(3).to_dict()
SIAP_KEY = {"kind": "key", "username": "api-key:siap", "role": "department_key", "agency": "SIAP", "department": "SIAP-ESPECIALES"}


def utc(month, day, hour=12, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def event(folio, *, petition="OP-LAMPARA APAGADA", channel="072", agency="OP", department="OP-ALUMBRADO",
          colonia="CENTRO", street="MADERO 100", citizen=None, created, due, kind="Servicio", created_by=None,
          optional=True):
    data = {"folio": folio, "petition_type": petition, "channel": channel, "citizen_number": citizen,
            "agency": agency, "department": department,
            "location": {"lat": round(21.12 + folio / 1000, 4), "lon": -101.68, "colonia": colonia, "street": street},
            "created_at": created.isoformat(), "due_at": due.isoformat()}
    if optional:  # the optional fields of report_created v1
        data |= {"kind": kind, "created_by": created_by}
    return {"event_id": f"e-{folio}", "event_type": "report_created", "version": 1, "producer": "intake",
            "occurred_at": created.isoformat(), "trace": {}, "data": data}


EVENTS = [
    event(1, citizen=100, created=utc(12, 1, 8), due=utc(12, 6), created_by="operator"),
    event(2, petition="OP-BACHE", channel="CHATBOT", department="OP-BACHEO", colonia="LEÓN MODERNO",
          street="Blvd. López Mateos 200", citizen=200, created=utc(12, 1, 10), due=utc(12, 4),
          created_by="block_leader"),
    # 23:30 on 30 Nov in León: not today; overdue at NOW; an event without kind/created_by
    event(3, petition="SIAP-ANIMAL MUERTO", agency="SIAP", department="SIAP-ESPECIALES",
          colonia="SAN JUAN DE DIOS", street="HIDALGO 5", citizen=100, created=utc(12, 1, 5, 30),
          due=utc(12, 1, 12), optional=False),
    event(4, petition="SIAP-ANIMAL MUERTO", agency="SIAP", department="SIAP-ESPECIALES", colonia="OBREGON",
          street="JUAREZ 1", created=utc(11, 1), due=utc(11, 5), kind="Trámite", created_by="operator"),
    event(5, channel="WEB", created=utc(11, 20), due=utc(11, 25), citizen=300, created_by="block_leader"),
    # 2 days 2 hours of 3 used at NOW: on time at 0.75, at risk at 0.5
    event(6, petition="DU-LICENCIA", channel="WEB", agency="DU", department="DU-LICENCIAS", colonia="CENTRO",
          street="Madero 300", created=utc(11, 29, 16), due=utc(12, 2, 16), kind="Trámite"),
    # 98 % used at NOW: at risk
    event(7, petition="SIAP-ANIMAL MUERTO", agency="SIAP", department="SIAP-ESPECIALES", colonia="CENTRO",
          street="ALDAMA 7", created=utc(11, 28), due=utc(12, 1, 19)),
]


@pytest.fixture(scope="module")
def uow():
    name = testing.unique("t_routing_q")
    url = testing.create_database(name)
    engine = make_engine(url)
    try:
        testing.migrate(ROUTING, url)
        u = UnitOfWork(engine, "routing")
        handlers.assign_reports(u, EVENTS)
        handlers.refresh_departments(u, lambda: [{"code": "OP-ALUMBRADO", "agency": "OP", "name": "Alumbrado",
                                                  "active": True}])
        handlers.start_report(u, SIAP, 4, 1, now=utc(11, 2))
        handlers.finish_report(u, SIAP, 4, 2, "Se recogió", now=utc(11, 4))
        handlers.mark_not_viable(u, OP, 5, 1, "Propiedad privada", now=utc(11, 21))
        handlers.reassign_report(u, OP, 2, 1, "OP", "OP-ALUMBRADO", "Es alumbrado", now=utc(12, 1, 11))
        handlers.share_report(u, SIAP, 3, 1, "OP", "OP-ALUMBRADO", now=utc(12, 1, 7))
        yield u
        u.close()
    finally:
        engine.dispose()
        testing.drop_database(name)


def q(uow, actor=SUPERVISOR, filters=None, **kw):
    return queries.query_reports(uow, actor, filters, now=NOW, **kw)


def folios(answer) -> list[int]:
    return [r["folio"] for r in answer["items"]]


# --------------------------------------------------------------------------- report_created

def test_report_created_fills_the_query_columns_with_or_without_the_optional_fields(uow):
    by = {r["folio"]: r for r in q(uow)["items"]}
    one = by[1]
    assert (one["citizen_number"], one["kind"], one["created_by"]) == (100, "Servicio", "operator")
    assert (one["street"], one["colonia"], one["lat"], one["lon"]) == ("MADERO 100", "CENTRO", 21.121, -101.68)
    three = by[3]  # published before kind/created_by existed: still assigned, columns empty
    assert (three["kind"], three["created_by"], three["citizen_number"]) == (None, None, 100)
    assert three["petition_type"] == "SIAP-ANIMAL MUERTO" and three["status"] == "captured"


def test_row_shape(uow):
    [row] = q(uow, filters={"folios": [3]})["items"]
    assert set(row) == {"folio", "petition_type", "kind", "channel", "citizen_number", "agency", "department",
                        "status", "viability", "reassigned", "reassign_count", "created_by", "colonia", "street",
                        "lat", "lon", "created_at", "due_at", "closed_at", "traffic_light", "version", "shared_with"}
    assert row["shared_with"] == [{"agency": "OP", "department": "OP-ALUMBRADO"}]
    assert row["created_at"] == "2026-11-30T23:30:00-06:00"  # the municipality's time
    assert (row["traffic_light"], row["viability"], row["reassigned"]) == ("overdue", "viable", False)
    [two] = q(uow, filters={"folios": [2]})["items"]
    assert (two["reassigned"], two["reassign_count"], two["department"]) == (True, 1, "OP-ALUMBRADO")


# --------------------------------------------------------------------------- scoping

@pytest.mark.parametrize("actor, expected", [
    (SUPERVISOR, {1, 2, 3, 4, 5, 6, 7}), (AUDITOR, {1, 2, 3, 4, 5, 6, 7}), (PUBLIC, {1, 2, 3, 4, 5, 6, 7}),
    (SURVEYS, {1, 2, 3, 4, 5, 6, 7}), (CITIZEN_3, {3}),
    (OP, {1, 2, 3, 5}),           # its agency plus folio 3 shared with it
    (SIAP, {3, 4, 7}), (DU, {6}),
    (LEADER, {2, 5}),             # only what it filed
    (SIAP_KEY, {3, 4, 7}),        # its department
])
def test_each_actor_sees_its_scope(uow, actor, expected):
    answer = q(uow, actor)
    assert set(folios(answer)) == expected and answer["total"] == len(expected)


def test_a_department_key_sees_what_is_shared_with_its_department(uow):
    key = {"kind": "key", "username": "api-key:alumbrado", "role": "department_key", "agency": "OP", "department": "OP-ALUMBRADO"}
    assert set(folios(q(uow, key))) == {1, 2, 3, 5}  # 2 was reassigned to it, 3 shared with it
    bacheo = key | {"department": "OP-BACHEO"}
    assert folios(q(uow, bacheo)) == []


def test_unknown_roles_other_processes_and_missing_actors_are_refused(uow):
    for actor in ({"kind": "staff", "username": "x", "role": "mayor"}, Actor.system_process("whatsapp").to_dict()):
        with pytest.raises(Forbidden) as err:
            q(uow, actor)
        assert err.value.code == "prohibido"
    for actor in ({"kind": "staff", "username": "x", "role": "agency_staff", "agency": None},  # no agency
                  {"role": "supervisor"}, None):
        with pytest.raises(InvalidInput) as err:
            q(uow, actor)
        assert err.value.code == "actor_invalido"


def test_a_channel_key_lists_its_channel_with_the_read_scope(uow):
    chatbot = {"kind": "key", "username": "api-key:chatbot", "role": "channel_key", "channel": "CHATBOT",
               "scopes": ["reports:create", "reports:read"]}
    assert folios(q(uow, chatbot)) == [2]
    with pytest.raises(Forbidden):
        q(uow, chatbot | {"scopes": ["reports:create"]})


def test_public_rows_show_no_people_and_do_not_filter_by_them(uow):
    rows = q(uow, PUBLIC)["items"]
    assert rows and all("citizen_number" not in r and "created_by" not in r for r in rows)
    assert "citizen_number" in q(uow, SUPERVISOR)["items"][0]
    for filters in ({"citizen_numbers": [100]}, {"created_by": "operator"}):
        with pytest.raises(Forbidden):
            q(uow, PUBLIC, filters)
    with pytest.raises(Forbidden):
        queries.group_reports(uow, PUBLIC, None, ["created_by"], now=NOW)
    assert queries.group_reports(uow, PUBLIC, None, ["status"], now=NOW)["total"] == 7


# --------------------------------------------------------------------------- today

def test_today_is_the_municipalitys_day_and_scoped(uow):
    answer = queries.today_reports(uow, SUPERVISOR, None, now=NOW)
    assert folios(answer) == [2, 1] and answer["total"] == 2 and answer["date"] == "2026-12-01"
    assert folios(queries.today_reports(uow, OP, None, now=NOW)) == [2, 1]
    assert folios(queries.today_reports(uow, SIAP, None, now=NOW)) == []  # folio 3 is from 30 Nov (local)
    assert folios(queries.today_reports(uow, LEADER, None, now=NOW)) == [2]
    assert folios(queries.today_reports(uow, SUPERVISOR, {"channel": ["CHATBOT"]}, now=NOW)) == [2]
    # at 00:10 local on 1 Dec, folio 3 (23:30 local on 30 Nov) is yesterday's
    assert 3 not in folios(queries.today_reports(uow, SUPERVISOR, None, now=utc(12, 1, 6, 10)))
    assert folios(queries.today_reports(uow, SUPERVISOR, None, now=utc(12, 1, 5, 50))) == [3]


# --------------------------------------------------------------------------- filters

@pytest.mark.parametrize("filters, expected", [
    ({"date_from": "2026-11-29", "date_to": "2026-11-30"}, {3, 6}),  # local days
    ({"date_from": "2026-12-01"}, {1, 2}),
    ({"date_to": "2026-11-20"}, {4, 5}),
    ({"status": ["done", "not_viable"]}, {4, 5}),
    ({"status": "captured"}, {1, 2, 3, 6, 7}),
    ({"channel": ["CHATBOT", "WEB"]}, {2, 5, 6}),
    ({"kind": "Trámite"}, {4, 6}),
    ({"kind": "tramite"}, {4, 6}),
    ({"kind": "SERVICIO"}, {1, 2, 5, 7}),
    ({"viability": "not_viable"}, {5}),
    ({"viability": "viable"}, {1, 2, 3, 4, 6, 7}),
    ({"agency": "SIAP"}, {3, 4, 7}),
    ({"department": "OP-ALUMBRADO"}, {1, 2, 5}),
    ({"petition_type": ["SIAP-ANIMAL MUERTO", "DU-LICENCIA"]}, {3, 4, 6, 7}),
    ({"colonia": "leon moderno"}, {2}),                     # accent- and case-insensitive
    ({"colonia": "Centro"}, {1, 5, 6, 7}),
    ({"street": "lopez mat"}, {2}),                         # partial, accents and punctuation ignored
    ({"street": "MADERO"}, {1, 5, 6}),
    ({"folios": [1, 4, 99]}, {1, 4}),
    ({"folios": ["#3"]}, {3}),
    ({"reassigned_only": True}, {2}),
    ({"reassigned_only": False}, {1, 2, 3, 4, 5, 6, 7}),
    ({"created_by": "block_leader"}, {2, 5}),
    ({"citizen_numbers": [100, 300]}, {1, 3, 5}),
    ({"citizen_numbers": []}, set()),                       # a citizen filter that matched nobody
    ({"agency": "SIAP", "status": ["captured"], "colonia": "centro", "date_from": "2026-11-01"}, {7}),
    ({"status": None, "agency": None}, {1, 2, 3, 4, 5, 6, 7}),  # None = not given
])
def test_each_filter(uow, filters, expected):
    answer = q(uow, filters=filters)
    assert set(folios(answer)) == expected and answer["total"] == len(expected)


def test_filters_stay_inside_the_scope(uow):
    assert set(folios(q(uow, OP, {"agency": "SIAP"}))) == {3}  # only the shared one
    assert folios(q(uow, LEADER, {"created_by": "operator"})) == []


@pytest.mark.parametrize("share", [0.5, 0.75, 0.9])
def test_traffic_light_filter_agrees_with_the_domain_rule(uow, share):
    seen = set()
    for colour in ("on_time", "at_risk", "overdue"):
        rows = queries.query_reports(uow, SUPERVISOR, {"traffic_light": [colour]}, now=NOW,
                                     at_risk_share=share)["items"]
        assert all(r["traffic_light"] == colour for r in rows), (colour, rows)
        seen |= {r["folio"] for r in rows}
    assert seen == {1, 2, 3, 4, 5, 6, 7}  # every report has exactly one colour
    everything = queries.query_reports(uow, SUPERVISOR, None, now=NOW, at_risk_share=share)["items"]
    assert len(everything) == 7


def test_traffic_light_colours_at_now(uow):
    def colour(c, share=0.75):
        return set(folios(queries.query_reports(uow, SUPERVISOR, {"traffic_light": [c]}, now=NOW,
                                                at_risk_share=share)))
    assert colour("overdue") == {3}               # open past due (4 closed in time, 5 closed on time)
    assert colour("at_risk") == {7}
    assert colour("on_time") == {1, 2, 4, 5, 6}
    assert colour("at_risk", 0.5) == {6, 7}       # 6 has used 50 of its 72 hours
    assert set(folios(q(uow, filters={"traffic_light": ["at_risk", "overdue"]}))) == {3, 7}


# --------------------------------------------------------------------------- sort and pages

@pytest.mark.parametrize("key", list(queries.SORTS))
def test_every_allowed_sort_both_ways(uow, key):
    for desc in (False, True):
        rows = q(uow, sort=("-" if desc else "") + key)["items"]
        values = [(r[key], r["folio"]) for r in rows]
        if key in ("created_at", "due_at"):
            values = [(datetime.fromisoformat(v), f) for v, f in values]
        assert [v for v, _ in values] == sorted((v for v, _ in values), reverse=desc)
        # ties broken by folio in the direction of the key
        for (v1, f1), (v2, f2) in zip(values, values[1:]):
            if v1 == v2:
                assert (f1 > f2) if desc else (f1 < f2)


def test_sort_on_two_keys(uow):
    rows = q(uow, sort="agency,-created_at")["items"]
    assert folios({"items": rows}) == [6, 2, 1, 5, 3, 7, 4]


def test_pages(uow):
    first = q(uow, page=1, per_page=3, sort="folio")
    assert (folios(first), first["total"], first["page"], first["per_page"]) == ([1, 2, 3], 7, 1, 3)
    assert folios(q(uow, page=3, per_page=3, sort="folio")) == [7]
    beyond = q(uow, page=9, per_page=3, sort="folio")
    assert beyond["items"] == [] and beyond["total"] == 7
    assert q(uow)["per_page"] == 50
    # the total of a scope with shares: its own agency's count plus the shared ones'
    staff = q(uow, OP, page=2, per_page=3, sort="folio")
    assert (folios(staff), staff["total"]) == ([5], 4)
    assert q(uow, OP, {"status": ["captured"]}, per_page=1)["total"] == 3


@pytest.mark.parametrize("kwargs, code", [
    ({"filters": {"colour": "red"}}, "filtro_desconocido"),
    ({"filters": {"date_from": "01/12/2026"}}, "fecha_invalida"),
    ({"filters": {"date_to": "2026-02-30"}}, "fecha_invalida"),
    ({"filters": {"date_from": "2026-12-02", "date_to": "2026-12-01"}}, "rango_de_fechas_invalido"),
    ({"filters": {"status": ["closed"]}}, "estatus_invalido"),
    ({"filters": {"traffic_light": "red"}}, "semaforo_invalido"),
    ({"filters": {"viability": "maybe"}}, "viabilidad_invalida"),
    ({"filters": {"kind": "Queja"}}, "tipo_invalido"),
    ({"filters": {"folios": ["abc"]}}, "folio_invalido"),
    ({"filters": {"folios": list(range(1, 1002))}}, "folio_invalido"),
    ({"filters": {"citizen_numbers": [0]}}, "numero_invalido"),
    ({"filters": {"street": "a."}}, "busqueda_muy_corta"),
    ({"filters": {"agency": ""}}, "filtro_invalido"),
    ({"filters": {"reassigned_only": "yes"}}, "filtro_invalido"),
    ({"filters": "status=done"}, "filtro_invalido"),
    ({"sort": "description"}, "orden_invalido"),
    ({"sort": "-folio,folio"}, "orden_invalido"),
    ({"per_page": 201}, "por_pagina_invalido"),
    ({"per_page": 0}, "por_pagina_invalido"),
    ({"page": 0}, "pagina_invalida"),
    ({"page": "2"}, "pagina_invalida"),
])
def test_invalid_input_has_a_code_and_a_spanish_message(uow, kwargs, code):
    with pytest.raises(InvalidInput) as err:
        q(uow, **kwargs)
    assert err.value.code == code and err.value.message


# --------------------------------------------------------------------------- export and groups

def test_export_walks_every_row_by_folio(uow):
    seen, after = [], None
    while True:
        chunk = queries.export_reports(uow, OP, None, after, 2, now=NOW)
        seen += [r["folio"] for r in chunk["items"]]
        if chunk["next_after"] is None:
            break
        after = chunk["next_after"]
    assert seen == [1, 2, 3, 5]
    assert queries.export_reports(uow, SUPERVISOR, {"agency": "SIAP"}, now=NOW)["next_after"] is None
    with pytest.raises(InvalidInput) as err:
        queries.export_reports(uow, SUPERVISOR, None, None, 5001)
    assert err.value.code == "limite_invalido"


def test_grouped_general_and_detail(uow):
    general = queries.group_reports(uow, SUPERVISOR, None, ["agency"], now=NOW)
    assert general["groups"] == [{"agency": "OP", "count": 3}, {"agency": "SIAP", "count": 3},
                                 {"agency": "DU", "count": 1}]
    assert general["total"] == 7
    detail = queries.group_reports(uow, OP, {"date_from": "2026-11-01"}, ["agency", "department", "status"],
                                   now=NOW)
    assert {(g["agency"], g["department"], g["status"], g["count"]) for g in detail["groups"]} == {
        ("OP", "OP-ALUMBRADO", "captured", 2), ("OP", "OP-ALUMBRADO", "not_viable", 1),
        ("SIAP", "SIAP-ESPECIALES", "captured", 1)}
    lights = queries.group_reports(uow, SUPERVISOR, None, ["traffic_light"], now=NOW)
    assert {g["traffic_light"]: g["count"] for g in lights["groups"]} == {"on_time": 5, "at_risk": 1, "overdue": 1}
    days = queries.group_reports(uow, SUPERVISOR, {"date_from": "2026-11-30"}, ["date", "viability"], now=NOW)
    assert {(g["date"], g["viability"]): g["count"] for g in days["groups"]} == {
        ("2026-12-01", "viable"): 2, ("2026-11-30", "viable"): 1}
    for by in ([], ["description"], ["agency", "agency"], "agency,status"):
        with pytest.raises(InvalidInput) as err:
            queries.group_reports(uow, SUPERVISOR, None, by, now=NOW)
        assert err.value.code == "agrupacion_invalida"


def test_search_key():
    assert queries.search_key("  Blvd. López-Mateos  Ñ ") == "blvd lopez mateos n"
    assert queries.search_key(None) == ""


# --------------------------------------------------------------------------- Open311 requests (public.py)

def test_public_requests_window_by_instant_newest_first_with_status_notes_and_limit(uow):
    window = {"created_from": "2026-11-01T00:00:00Z", "created_to": "2026-11-29T00:00:00Z"}
    out = public.requests(uow, PUBLIC, window, at_risk_share=0.75)["items"]
    assert [r["folio"] for r in out] == [7, 5, 4]  # newest first
    notes = {r["folio"]: r["status_notes"] for r in out}
    assert notes == {7: None, 5: "Propiedad privada", 4: "Se recogió"} and all(r["updated_at"] for r in out)
    assert "citizen_number" not in out[0] and "created_by" not in out[0]  # the public view
    assert [r["folio"] for r in public.requests(uow, PUBLIC, window, 2, at_risk_share=0.75)["items"]] == [7, 5]
    # an instant without an offset is the municipality's: 06:00 in León is 12:00 UTC, when folio 5 was filed
    edge = {"created_from": "2026-11-20T06:00:00", "created_to": "2026-11-20T06:00:00"}
    assert [r["folio"] for r in public.requests(uow, PUBLIC, edge, at_risk_share=0.75)["items"]] == [5]
    late = {"created_from": "2026-11-20T06:00:01", "created_to": "2026-11-21T00:00:00"}
    assert public.requests(uow, PUBLIC, late, at_risk_share=0.75)["items"] == []
    for filters, limit, code in (({"created_from": "ayer"}, 10, "fecha_invalida"),
                                 ({"created_from": "2026-11-02T00:00Z", "created_to": "2026-11-01T00:00Z"}, 10,
                                  "rango_de_fechas_invalido"), ({}, 0, "limite_invalido"),
                                 ({}, 1001, "limite_invalido")):
        with pytest.raises(InvalidInput) as caught:
            public.requests(uow, PUBLIC, filters, limit, at_risk_share=0.75)
        assert caught.value.code == code
