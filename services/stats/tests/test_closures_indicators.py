"""Monthly closures (frozen, versioned, PDF/XLSX, event) and indicators, on real PostgreSQL."""
import base64
import io
import zipfile
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from stats import closures, handlers, indicators
from stats.exceptions import Conflict, Forbidden, InvalidInput

from stats_testkit import OP_STAFF, SUPERVISOR, SYSTEM, assigned, created, env, status

DEC = datetime(2026, 12, 7, tzinfo=timezone.utc)


def november(uow):
    handlers.project(uow, [
        created(1), assigned(1), status(1, "start", "captured", "in_progress", 2, "2026-11-10T18:00:00+00:00"),
        status(1, "finish", "in_progress", "done", 3, "2026-11-11T16:00:00+00:00"),
        created(2, colonia="OBREGON"), assigned(2),
        status(2, "not_viable", "captured", "not_viable", 2, "2026-11-12T16:00:00+00:00"),
        created(3), assigned(3),
        created(4, agency="SIAP", department="SIAP-LIMPIA", pt="SIAP-ANIMAL"),
        env("surveys", "survey_completed", {"survey_id": 1, "folio": 1, "source": "phone", "score": 4,
                                            "resolved": True, "completed_at": "2026-11-20T16:00:00+00:00"}),
        env("surveys", "follow_up_call_logged", {"call_id": 1, "folio": 1, "kind": "follow_up",
                                                 "logged_at": "2026-11-20T16:00:00+00:00"}),
        env("surveys", "follow_up_call_logged", {"call_id": 2, "folio": 2, "kind": "verification",
                                                 "logged_at": "2026-11-21T16:00:00+00:00"}),
    ])


def test_monthly_closure_is_frozen_versioned_and_published(uow):
    november(uow)
    c = closures.generate(uow, SUPERVISOR, "OP", "2026-11", now=DEC)
    f = c["figures"]
    assert (f["received"], f["finished"], f["not_viable"], f["still_open"]) == (3, 1, 1, 1)
    assert f["compliance"]["finished"] == 1 and f["compliance"]["share_on_time"] == 1.0
    assert f["top_petition_types"] == [{"key": "OP-LAMPARA APAGADA", "total": 3}]
    assert f["by_colonia"] == [{"key": "CENTRO", "total": 2}, {"key": "OBREGON", "total": 1}]
    assert f["satisfaction"] == {"surveys": 1, "mean_score": 4.0, "resolved": 1}
    with pytest.raises(Conflict):
        closures.generate(uow, SUPERVISOR, "OP", "2026-11", now=DEC)
    v2 = closures.generate(uow, SUPERVISOR, "OP", "2026-11", reason="Se corrigió una reasignación", now=DEC)
    assert v2["version"] == 2
    got = closures.get(uow, OP_STAFF, "OP", "2026-11")
    assert got["version"] == 2 and [v["version"] for v in got["versions"]] == [1, 2]
    assert closures.get(uow, OP_STAFF, "OP", "2026-11", version=1)["reason"] is None
    with pytest.raises(Forbidden):
        closures.get(uow, OP_STAFF, "SIAP", "2026-11")
    with pytest.raises(Forbidden):
        closures.generate(uow, OP_STAFF, "OP", "2026-11", reason="x", now=DEC)
    with pytest.raises(InvalidInput):
        closures.generate(uow, SUPERVISOR, "OP", "2026-12", now=DEC)  # not ended
    with pytest.raises(Exception, match="nueva versión"):
        with uow:
            uow.session.execute(sa.text("UPDATE monthly_closures SET reason = 'x'"))
    with uow:
        events = uow.session.execute(sa.text("SELECT payload FROM outbox ORDER BY id")).scalars().all()
    assert [(e["event_type"], e["data"]["version"]) for e in events] == [("monthly_closure_published", 1),
                                                                          ("monthly_closure_published", 2)]
    pdf = closures.get(uow, SUPERVISOR, "OP", "2026-11", fmt="pdf")
    assert base64.b64decode(pdf["content_b64"]).startswith(b"%PDF")
    xlsx = base64.b64decode(closures.get(uow, SUPERVISOR, "OP", "2026-11", fmt="xlsx")["content_b64"])
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/sharedStrings.xml").decode()
    assert "Cierre mensual de OP" in sheet and "Recibidos en el mes" in sheet


def test_the_timer_closes_every_agency_of_the_month_that_ended_once(uow):
    november(uow)
    done = closures.close_ended_months(uow, now=DEC)
    assert sorted(c["agency"] for c in done) == ["OP", "SIAP"]
    assert closures.close_ended_months(uow, now=DEC) == []
    assert [r["agency"] for r in closures.list_(uow, OP_STAFF, {})["rows"]] == ["OP"]


def test_indicators_attended_over_received_and_follow_up_calls(uow):
    november(uow)
    att = indicators.values(uow, SUPERVISOR, "atendidas_recibidas", 2026, now=DEC)
    nov = att["rows"][10]
    assert (nov["month"], nov["numerator"], nov["denominator"], nov["value"]) == ("2026-11", 2, 4, 0.5)
    assert nov["met"] is False  # goal 0.90
    calls = indicators.values(uow, SUPERVISOR, "llamadas_seguimiento", 2026, now=DEC)["rows"][10]
    assert calls["value"] == 1  # one follow-up call; the verification call is another kind
    op = indicators.values(uow, OP_STAFF, "atendidas_recibidas", 2026, now=DEC)["rows"][10]
    assert (op["numerator"], op["denominator"]) == (2, 3)
    indicators.upsert(uow, SUPERVISOR, {"code": "verificaciones", "name": "Llamadas de verificación",
                                        "formula": "count_follow_up_calls", "params": {"kind": "verification"},
                                        "baseline": 0, "goal": 1})
    ver = indicators.values(uow, SUPERVISOR, "verificaciones", 2026, now=DEC)["rows"][10]
    assert (ver["value"], ver["met"]) == (1, True)
    with pytest.raises(InvalidInput):
        indicators.upsert(uow, SUPERVISOR, {"code": "x1x", "name": "Malo", "formula": "sum_everything"})
    with pytest.raises(Forbidden):
        indicators.upsert(uow, OP_STAFF, {"code": "x1x", "name": "Malo", "formula": "count_received"})
    assert {r["code"] for r in indicators.list_(uow, SYSTEM)["rows"]} == {"atendidas_recibidas",
                                                                           "llamadas_seguimiento", "verificaciones"}
