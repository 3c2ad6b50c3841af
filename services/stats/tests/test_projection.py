"""stats' read models on a real PostgreSQL database, against hand-counted fixtures: events
twice and out of order, a reassignment mid-way, a reopened report, business hours across a
holiday, a rebuild from the event log that gives the very same figures, and a partner
channel's interactions recorded through the RPC."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from sacinfra.errors import Forbidden, InvalidInput
from stats import domain, handlers, store

from stats_testkit import OP_STAFF, PUBLIC, SUPERVISOR, assigned, created, duplicate_marked, intervention, status

NOV = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def figures(uow):
    """Everything the Estadístico answers for November, to compare before/after."""
    return {name: fn(uow, SUPERVISOR, dict(NOV, **extra)) for name, fn, extra in (
        ("agency", handlers.totals, {"group_by": "agency"}),
        ("channel", handlers.shares, {}),
        ("events", handlers.totals, {"group_by": "agency", "basis": "event"}),
        ("series", handlers.time_series, {"interval": "day"}),
        ("compliance", handlers.compliance, {"group_by": "department", "as_of": "2026-12-01T00:00:00+00:00"}),
        ("productivity", handlers.productivity, {}),
        ("geo", handlers.geography, {}),
    )} | {"summary": handlers.summary(uow)}


def test_each_report_counts_once_whatever_the_order_and_redeliveries(uow):
    c1 = created(1)
    assert handlers.project(uow, [c1, c1]) == 1
    assert handlers.project(uow, [c1]) == 0  # redelivered: nothing new
    handlers.project(uow, [assigned(2, pt="SIAP-ANIMAL", agency="SIAP", department="SIAP-LIMPIA")])  # before creation
    handlers.project(uow, [created(2, pt="SIAP-ANIMAL", agency="SIAP", department="SIAP-LIMPIA", colonia="OBREGON")])
    handlers.project(uow, [assigned(1), created(3)])
    s = handlers.summary(uow)
    assert (s["total"], s["captured"], s["in_progress"], s["done"]) == (3, 3, 0, 0)
    assert s["most_demanded"] == {"petition_type": "OP-LAMPARA APAGADA", "total": 2}
    by_colonia = handlers.totals(uow, SUPERVISOR, {"group_by": "colonia"})
    assert [(r["key"], r["total"]) for r in by_colonia["rows"]] == [("CENTRO", 2), ("OBREGON", 1)]
    by_agency = handlers.totals(uow, SUPERVISOR, dict(NOV, group_by="agency"))
    assert [(r["key"], r["total"]) for r in by_agency["rows"]] == [("OP", 2), ("SIAP", 1)]
    assert by_agency["source"] == "agregados"


def test_status_moves_forward_only_whatever_the_order(uow):
    handlers.project(uow, [created(1), created(2), assigned(1), assigned(2)])
    done = status(1, "finish", "in_progress", "done", 3, "2026-11-12T17:00:00+00:00")
    started = status(1, "start", "captured", "in_progress", 2, "2026-11-11T15:00:00+00:00")
    handlers.project(uow, [done])
    handlers.project(uow, [started, done])  # late start, redelivered finish
    handlers.project(uow, [status(2, "start", "captured", "in_progress", 2, "2026-11-11T15:00:00+00:00")])
    s = handlers.summary(uow)
    assert (s["total"], s["captured"], s["in_progress"], s["done"]) == (2, 0, 1, 1)
    ev = handlers.totals(uow, SUPERVISOR, dict(NOV, basis="event"))
    assert ev["rows"] == [{"key": "", "total": 2, "received": 2, "started": 2, "finished": 1, "not_viable": 0,
                           "duplicates": 0}]


def test_a_report_reassigned_mid_way_counts_for_its_new_owner(uow):
    handlers.project(uow, [
        status(5, "finish", "in_progress", "done", 4, "2026-11-13T17:00:00+00:00", agency="SIAP",
               department="SIAP-LIMPIA"),
        created(5), assigned(5),
        status(5, "reassign", "in_progress", "captured", 3, "2026-11-11T16:00:00+00:00", agency="SIAP",
               department="SIAP-LIMPIA"),
        status(5, "start", "captured", "in_progress", 2, "2026-11-10T17:00:00+00:00"),
    ])
    by_agency = handlers.totals(uow, SUPERVISOR, dict(NOV, group_by="agency"))
    assert [(r["key"], r["done"]) for r in by_agency["rows"]] == [("SIAP", 1)]
    comp = handlers.compliance(uow, SUPERVISOR, dict(NOV, group_by="department"))
    assert [(r["key"], r["finished"], r["on_time"]) for r in comp["rows"]] == [("SIAP-LIMPIA", 1, 1)]
    with uow:
        fact = uow.session.execute(store.f.select().where(store.f.c.folio == 5)).mappings().one()
    assert (fact["reassign_count"], fact["version"], fact["agency"]) == (1, 4, "SIAP")
    # agency staff of OP no longer see it; SIAP's figures are not theirs to read
    assert handlers.totals(uow, OP_STAFF, NOV)["total"] == 0


def test_a_reopened_report_is_finished_once_with_its_last_closing(uow):
    handlers.project(uow, [created(7), assigned(7),
                           status(7, "start", "captured", "in_progress", 2, "2026-11-10T18:00:00+00:00"),
                           status(7, "finish", "in_progress", "done", 3, "2026-11-11T16:00:00+00:00")])
    reopen = status(7, "reopen", "done", "in_progress", 4, "2026-11-12T16:00:00+00:00")
    handlers.project(uow, [reopen])
    assert handlers.compliance(uow, SUPERVISOR, NOV)["rows"][0]["finished"] == 0
    handlers.project(uow, [status(7, "finish", "in_progress", "done", 5, "2026-11-13T16:00:00+00:00"), reopen])
    row = handlers.compliance(uow, SUPERVISOR, NOV)["rows"][0]
    # created 10 Nov 16:00 UTC, finished again 13 Nov 16:00 UTC: 72 calendar hours
    assert (row["finished"], row["on_time"], row["mean_hours"]) == (1, 1, 72.0)
    with uow:
        fact = uow.session.execute(store.f.select().where(store.f.c.folio == 7)).mappings().one()
    assert fact["reopen_count"] == 1 and fact["status"] == "done"


def test_business_hours_compliance_across_a_holiday(uow):
    """Friday 13 Nov 2026 15:00 (CST) to Tuesday 17 Nov 10:00: Monday 16 is Revolution Day.
    Business hours (08:00–16:00): Friday 1 h + Tuesday 2 h = 3 h; calendar hours 91 h."""
    due = "2026-11-16T22:00:00+00:00"  # Monday 16:00 local
    late = [created(1, at="2026-11-13T21:00:00+00:00", due=due), assigned(1, due=due),
            status(1, "start", "captured", "in_progress", 2, "2026-11-13T21:30:00+00:00", due=due),
            status(1, "finish", "in_progress", "done", 3, "2026-11-17T16:00:00+00:00", due=due)]
    # Thursday 12 Nov 09:00 to Thursday 12 Nov 13:30 local: 4.5 business and calendar hours, on time
    quick = [created(2, at="2026-11-12T15:00:00+00:00", due=due), assigned(2, due=due),
             status(2, "start", "captured", "in_progress", 2, "2026-11-12T16:00:00+00:00", due=due),
             status(2, "finish", "in_progress", "done", 3, "2026-11-12T19:30:00+00:00", due=due)]
    open_overdue = [created(3, at="2026-11-13T15:00:00+00:00", due=due), assigned(3, due=due)]
    handlers.project(uow, late + quick + open_overdue)
    row = handlers.compliance(uow, SUPERVISOR, dict(NOV, as_of="2026-11-20T00:00:00+00:00"))["rows"][0]
    assert row["key"] == "OP"
    assert (row["finished"], row["on_time"], row["share_on_time"]) == (2, 1, 0.5)
    assert (row["ci95_low"], row["ci95_high"]) == (0.0945, 0.9055)  # Wilson, 1 of 2
    assert row["mean_hours"] == pytest.approx((91 + 4.5) / 2)
    assert row["mean_business_hours"] == pytest.approx((3 + 4.5) / 2)
    # medians from the histograms, exact to the bucket: 4.5 h lies in [4, 5), 91 h in [72, 96)
    assert (row["median_hours"], row["median_business_hours"]) == (5.0, 4.0)
    assert domain.median_from_histogram({4: 1, 72: 1}) == 5.0 and domain.median_from_histogram({3: 1, 4: 1}) == 4.0
    assert row["open_overdue"] == 1


def test_productivity_per_user(uow):
    handlers.project(uow, [created(1, by="ana"), created(2, by="ana"), created(3, by="beto"), assigned(1),
                           intervention(1, "start", "carla", "2026-11-11T15:00:00+00:00"),
                           intervention(1, "note", "carla", "2026-11-11T16:00:00+00:00"),
                           intervention(1, "closing", "carla", "2026-11-12T15:00:00+00:00")])
    rows = {r["key"]: r for r in handlers.productivity(uow, SUPERVISOR, NOV)["rows"]}
    assert rows["ana"] == {"key": "ana", "captured": 2, "interventions": 0, "finished": 0}
    assert rows["beto"]["captured"] == 1
    assert rows["carla"] == {"key": "carla", "captured": 0, "interventions": 3, "finished": 1}


def test_geography_ranks_colonias_and_maps_their_centroid(uow):
    handlers.project(uow, [created(1, colonia="CENTRO", lat=21.0, lon=-101.0),
                           created(2, colonia="CENTRO", lat=21.2, lon=-101.2),
                           created(3, colonia="OBREGON", lat=21.5, lon=-101.5)])
    geo = handlers.geography(uow, SUPERVISOR, NOV)
    assert [(r["key"], r["total"], r["rank"]) for r in geo["rows"]] == [("CENTRO", 2, 1), ("OBREGON", 1, 2)]
    centre = geo["geojson"]["features"][0]
    assert centre["geometry"]["coordinates"] == pytest.approx([-101.1, 21.1])


def test_unaligned_ranges_and_crossings_give_the_same_figures_from_facts_and_aggregates(uow):
    handlers.project(uow, [created(1, at="2026-10-31T20:00:00+00:00"), created(2, at="2026-11-02T18:00:00+00:00",
                                                                              channel="CHATBOT"),
                           created(3, at="2026-11-20T18:00:00+00:00", channel="CHATBOT", colonia="OBREGON")])
    week = {"date_from": "2026-10-28", "date_to": "2026-11-05"}
    assert handlers.totals(uow, SUPERVISOR, week)["total"] == 2
    crossing = handlers.totals(uow, SUPERVISOR, {"channel": "CHATBOT", "colonia": "OBREGON", "group_by": "agency"})
    assert crossing["source"] == "hechos" and crossing["total"] == 1
    by_colonia = handlers.totals(uow, SUPERVISOR, dict(week, group_by="colonia"))  # monthly-only dim, edge days
    assert by_colonia["source"] == "hechos" and by_colonia["rows"][0]["total"] == 2


def test_rebuild_from_the_log_gives_identical_figures(uow):
    handlers.project(uow, [created(1), assigned(1), created(2, by="ana", channel="CHATBOT"),
                           status(1, "start", "captured", "in_progress", 2, "2026-11-11T15:00:00+00:00"),
                           intervention(1, "closing", "carla", "2026-11-12T15:00:00+00:00"),
                           status(1, "finish", "in_progress", "done", 3, "2026-11-12T15:00:00+00:00")])
    handlers.project(uow, [status(1, "start", "captured", "in_progress", 2, "2026-11-11T15:00:00+00:00")])
    before = figures(uow)
    assert before["summary"]["total"] == 2
    assert handlers.rebuild(uow) == 7
    assert figures(uow) == before


def test_duplicates_count_apart_whatever_the_order_and_the_rebuild_agrees(uow):
    """A report marked as a duplicate leaves the status counts, the events and compliance
    (its original is the one counted) and is counted as ``duplicates`` by petition type,
    colonia… from the aggregates and from the facts alike; the link may arrive before the
    report; a rebuild from the log gives the same figures."""
    handlers.project(uow, [duplicate_marked(3, 1)])  # before intake's event
    handlers.project(uow, [created(1), assigned(1), created(2, colonia="OBREGON"), assigned(2),
                           created(3, at="2026-11-10T17:00:00+00:00"), assigned(3),
                           created(4, pt="SIAP-ANIMAL", agency="SIAP", department="SIAP-LIMPIA", colonia="OBREGON"),
                           status(3, "start", "captured", "in_progress", 2, "2026-11-10T17:30:00+00:00"),
                           duplicate_marked(2, 1, version=2)])
    for folio in (1, 2):  # the duplicate 2 was finished too (late work on it counts nowhere but as duplicate)
        handlers.project(uow, [status(folio, "start", "captured", "in_progress", 3 if folio == 2 else 2,
                                      "2026-11-11T15:00:00+00:00"),
                               status(folio, "finish", "in_progress", "done", 4 if folio == 2 else 3,
                                      "2026-11-20T15:00:00+00:00")])
    handlers.project(uow, [duplicate_marked(2, 1, version=2)])  # redelivered: nothing changes
    s = handlers.summary(uow)
    assert (s["total"], s["done"], s["captured"], s["in_progress"], s["duplicates"]) == (2, 1, 1, 0, 2)
    assert s["most_demanded"] == {"petition_type": "OP-LAMPARA APAGADA", "total": 1}
    by_type = handlers.totals(uow, SUPERVISOR, dict(NOV, group_by="petition_type"))
    assert [(r["key"], r["total"], r["duplicates"]) for r in by_type["rows"]] == [
        ("OP-LAMPARA APAGADA", 1, 2), ("SIAP-ANIMAL", 1, 0)]
    assert by_type["duplicates"] == 2 and by_type["source"] == "agregados"
    by_colonia = handlers.totals(uow, SUPERVISOR, dict(NOV, group_by="colonia"))
    assert {r["key"]: (r["total"], r["duplicates"]) for r in by_colonia["rows"]} == {
        "CENTRO": (1, 1), "OBREGON": (1, 1)}
    crossing = handlers.totals(uow, SUPERVISOR, {"channel": "072", "colonia": "OBREGON", "group_by": "petition_type"})
    assert crossing["source"] == "hechos"
    assert {r["key"]: (r["total"], r["duplicates"]) for r in crossing["rows"]} == {
        "OP-LAMPARA APAGADA": (0, 1), "SIAP-ANIMAL": (1, 0)}
    ev = handlers.totals(uow, SUPERVISOR, dict(NOV, basis="event"))["rows"][0]
    assert (ev["received"], ev["started"], ev["finished"], ev["duplicates"]) == (2, 1, 1, 2)
    comp = handlers.compliance(uow, SUPERVISOR, dict(NOV, group_by="department",
                                                     as_of="2026-12-01T00:00:00+00:00"))
    assert [(r["key"], r["finished"], r["open_overdue"]) for r in comp["rows"]] == [
        ("OP-ALUMBRADO", 1, 0), ("SIAP-LIMPIA", 0, 1)]  # 1 finished late; duplicate 3 open, not overdue
    geo = {r["key"]: (r["total"], r["duplicates"]) for r in handlers.geography(uow, SUPERVISOR, NOV)["rows"]}
    assert geo == {"CENTRO": (1, 1), "OBREGON": (1, 1)}
    with uow:
        facts = dict(uow.session.execute(sa.select(store.f.c.folio, store.f.c.duplicate_of)).all())
    assert facts == {1: None, 2: 1, 3: 1, 4: None}
    before = figures(uow)
    handlers.rebuild(uow)
    assert figures(uow) == before


def test_the_event_log_is_append_only(uow):
    handlers.project(uow, [created(1)])
    import sqlalchemy as sa
    with pytest.raises(Exception, match="solo anexado"):
        with uow:
            uow.session.execute(sa.text("DELETE FROM event_log"))


def test_roles_decide_what_each_actor_reads(uow):
    from stats.exceptions import Forbidden, InvalidInput
    handlers.project(uow, [created(1), created(2, agency="SIAP", department="SIAP-LIMPIA", pt="SIAP-ANIMAL")])
    assert handlers.totals(uow, OP_STAFF, {})["total"] == 1
    with pytest.raises(Forbidden):
        handlers.totals(uow, OP_STAFF, {"agency": "SIAP"})
    with pytest.raises(Forbidden):
        handlers.totals(uow, PUBLIC, {})
    with pytest.raises(Forbidden):
        handlers.totals(uow, {"kind": "staff", "username": "x", "role": "block_leader"}, {})
    with pytest.raises(InvalidInput):
        handlers.totals(uow, {"username": "x", "role": "supervisor"}, {})  # no kind: not an actor
    assert handlers.transparency(uow, PUBLIC)["total"] == 2


def test_no_personal_field_can_leave_through_open_data_or_transparency(uow):
    """Open data is a whitelist: whatever the events carry (citizen number, staff user,
    street), only store.OPEN_DATA_COLUMNS leave, with the location rounded to ~100 m."""
    c = created(1, by="operador.ana", lat=21.123456, lon=-101.682345)
    c["data"]["location"]["street"] = "MADERO 100, casa de Juan Pérez"
    handlers.project(uow, [c, assigned(1)])
    page = handlers.open_data(uow, PUBLIC, {})
    row, = page["rows"]
    assert set(row) == set(store.OPEN_DATA_COLUMNS) == set(page["columns"])
    assert not {"citizen_number", "created_by", "street", "description", "name", "phone"} & set(row)
    assert (row["lat"], row["lon"]) == (21.123, -101.682)
    text = repr(page) + repr(handlers.transparency(uow, PUBLIC))
    for secret in ("operador.ana", "MADERO", "Juan", "1001"):
        assert secret not in text


CHATBOT_KEY = {"kind": "key", "username": "api-key:chatbot", "role": "channel_key", "channel": "CHATBOT",
               "scopes": ["open311"]}


def test_a_channel_key_records_interactions_counted_at_once_and_nothing_else_may(uow):
    now = datetime(2026, 11, 10, 16, tzinfo=timezone.utc)
    for outcome in ("completed", "completed", "abandoned"):
        out = handlers.record_interaction(uow, CHATBOT_KEY, {"option": "report_status", "outcome": outcome,
                                                             "conversation_id": "conv-0001", "folio": None,
                                                             "occurred_at": None}, now=now)
        assert out["channel"] == "CHATBOT" and out["event_id"]
    rows = handlers.channel_interactions(uow, SUPERVISOR, {})["rows"]
    assert {(r["channel"], r["outcome"], r["total"]) for r in rows} == {("CHATBOT", "completed", 2),
                                                                         ("CHATBOT", "abandoned", 1)}
    with pytest.raises(Forbidden):
        handlers.record_interaction(uow, OP_STAFF, {"option": "x", "outcome": "completed"})
    for bad in ({"option": "report_status", "outcome": "completed", "phone": "4771234567"},
                {"option": "Report Status", "outcome": "completed"}, {"option": "x", "outcome": "perdido"},
                {"option": "x", "outcome": "completed", "conversation_id": "corto"},
                {"option": "x", "outcome": "completed", "folio": True},
                {"option": "x", "outcome": "completed", "occurred_at": "ayer"}, None):
        with pytest.raises(InvalidInput):
            handlers.record_interaction(uow, CHATBOT_KEY, bad)
    assert sum(r["total"] for r in handlers.channel_interactions(uow, SUPERVISOR, {})["rows"]) == 3
