"""The call queue, answers, verification, app ratings, follow-up calls, privacy and roles
on a real PostgreSQL database (handlers without a broker). Citizens' logged read and
routing's reopening come in as plain functions standing for those RPCs' answers."""
import base64
import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from surveys import handlers, store
from surveys.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from surveys.settings import Settings

from .conftest import NOV, cancelled, created, opposed, status_changed
from .test_sample import finish, sampled_folios

SETTINGS = Settings(max_attempts=3, attempt_days=5, retry_hours=4)
LEON = {"calidad_informacion": 4, "tiempo_atencion": 3, "confianza": 5, "satisfaccion": 4, "resuelto": True,
        "medio_preferido": "Línea 072", "comentarios": "Muy amables, gracias"}


class Citizens:
    """What citizens' get_citizen answers (a phone per number), and who asked with which reason."""

    def __init__(self, phones=None, cancelled=()):
        self.phones, self.cancelled, self.reads = phones or {}, set(cancelled), []

    def __call__(self, actor, number):
        self.reads.append((actor["username"], number))
        return {"number": number, "full_name": "MARÍA LÓPEZ", "phones": self.phones.get(number, ["4771234567"]),
                "cancelled_at": "2026-11-01T00:00:00+00:00" if number in self.cancelled else None}


class Routing:
    def __init__(self, answer=("reopened", None)):
        self.answer, self.calls = answer, []

    def __call__(self, folio, reason):
        self.calls.append((folio, reason))
        return self.answer


def events(uow, event_type):
    with uow:
        return [r[0]["data"] for r in uow.session.execute(
            sa.text("SELECT payload FROM outbox WHERE routing_key = :t ORDER BY id"), {"t": event_type})]


def test_two_operators_never_take_the_same_report(uow, actors):
    folios = sampled_folios(uow, 3, citizen=41)
    citizens = Citizens()
    now = NOV + timedelta(hours=1)
    # the row lock: while one transaction holds the next case, another skips to the following one
    engine = uow.engine
    from sacinfra.db import UnitOfWork
    other = UnitOfWork(engine, "surveys")
    with uow:
        first = store.next_case(uow.session, now)
        second = store.next_case(other.session, now)
        assert first is not None and second is not None and first["folio"] != second["folio"]
        other.rollback()
    other.close()
    a = handlers.take_next(uow, actors["operator"], SETTINGS, citizens, now=now)
    b = handlers.take_next(uow, actors["operator2"], SETTINGS, citizens, now=now)
    assert a["folio"] != b["folio"] and {a["folio"], b["folio"]} <= set(folios)
    assert a["citizen"]["phones"] == ["4771234567"] and a["questionnaire"]["code"] == "percepcion-ciudadana"
    assert citizens.reads == [("operator", 41), ("operadora2", 41)]
    # the third and then nothing left while the first two are held
    c = handlers.take_next(uow, actors["operator"], SETTINGS, citizens, now=now)
    assert c["folio"] not in (a["folio"], b["folio"])
    assert handlers.take_next(uow, actors["operator2"], SETTINGS, citizens, now=now) is None
    with pytest.raises(Forbidden):
        handlers.take_next(uow, actors["auditor"], SETTINGS, citizens, now=now)


def test_attempt_limits_close_the_case_as_not_located(uow, actors):
    [folio] = sampled_folios(uow, 1, citizen=42)
    op, t = actors["operator"], NOV
    for i in range(2):
        t += timedelta(hours=5)
        assert handlers.take_next(uow, op, SETTINGS, Citizens(), now=t)["folio"] == folio
        case = handlers.record_attempt(uow, op, folio, "no_answer", SETTINGS, now=t)
        assert case["status"] == "pending" and case["attempts"] == i + 1
        assert handlers.take_next(uow, op, SETTINGS, Citizens(), now=t) is None  # not before the retry time
    t += timedelta(hours=5)
    handlers.take_next(uow, op, SETTINGS, Citizens(), now=t)
    back = (t + timedelta(days=1)).isoformat()
    with pytest.raises(Conflict):  # only the caller holding it records attempts
        handlers.record_attempt(uow, actors["operator2"], folio, "no_answer", SETTINGS, now=t)
    case = handlers.record_attempt(uow, op, folio, "call_back", SETTINGS, call_back_at=back, now=t)
    assert case["status"] == "not_located" and case["attempts"] == 3


def test_days_window_wrong_number_and_refusal(uow, actors):
    a, b, c = sampled_folios(uow, 3, citizen=43)
    op, t = actors["operator"], NOV
    citizens = Citizens()
    taken = handlers.take_next(uow, op, SETTINGS, citizens, now=t)["folio"]
    back = (t + timedelta(days=6)).isoformat()
    handlers.record_attempt(uow, op, taken, "call_back", SETTINGS, call_back_at=back, now=t)
    with pytest.raises(InvalidInput):
        handlers.record_attempt(uow, op, taken, "maybe", SETTINGS, now=t)
    second = handlers.take_next(uow, op, SETTINGS, citizens, now=t)["folio"]
    assert handlers.record_attempt(uow, op, second, "wrong_number", SETTINGS, now=t)["status"] == "not_located"
    third = handlers.take_next(uow, op, SETTINGS, citizens, now=t)["folio"]
    assert handlers.record_attempt(uow, op, third, "refused", SETTINGS, now=t)["status"] == "refused"
    # six days later the call-back is due, but the five-day window has passed
    assert handlers.take_next(uow, op, SETTINGS, citizens, now=t + timedelta(days=6, minutes=1)) is None
    with uow:
        assert store.get_case(uow.session, taken)["status"] == "not_located"


def test_opted_out_citizens_are_never_queued(uow, actors):
    handlers.record_opposition(uow, opposed(51))
    sampled_folios(uow, 2, citizen=51)
    [later] = sampled_folios(uow, 1, start=500, citizen=52)
    handlers.record_cancellation(uow, cancelled(52))
    [no_phone] = sampled_folios(uow, 1, start=900, citizen=53)
    [gone] = sampled_folios(uow, 1, start=1300, citizen=54)
    citizens = Citizens(phones={53: []}, cancelled={54})
    assert handlers.take_next(uow, actors["operator"], SETTINGS, citizens, now=NOV) is None
    assert citizens.reads == [("operator", 53), ("operator", 54)]  # never 51 nor 52
    with uow:
        assert store.get_case(uow.session, later)["exclusion"] == "cancelled"
        assert store.get_case(uow.session, no_phone)["exclusion"] == "no_phone"
        assert store.get_case(uow.session, gone)["exclusion"] == "cancelled"


def test_answers_record_the_version_and_a_no_reopens_the_report(uow, actors):
    a, b = sampled_folios(uow, 2, citizen=61)
    op = actors["operator"]
    routing = Routing()
    handlers.take_next(uow, op, SETTINGS, Citizens(), now=NOV)
    handlers.take_next(uow, op, SETTINGS, Citizens(), now=NOV)
    with pytest.raises(InvalidInput):
        handlers.submit_answers(uow, op, a, {"satisfaccion": 9}, SETTINGS, routing, now=NOV)
    done = handlers.submit_answers(uow, op, a, LEON, SETTINGS, routing, now=NOV)
    assert (done["questionnaire_version"], done["score"], done["resolved"]) == (1, 4.0, True)
    assert done["citizen_number"] == 61 and routing.calls == []
    with pytest.raises(Conflict):
        handlers.submit_answers(uow, op, a, LEON, SETTINGS, routing, now=NOV)
    # a supervisor edits the questionnaire: version 2; the call in course may still use v1
    v1 = handlers.get_questionnaire(uow, op, "percepcion-ciudadana")
    with pytest.raises(Forbidden):
        handlers.save_questionnaire(uow, op, "percepcion-ciudadana", "x", v1["questions"])
    v2 = handlers.save_questionnaire(uow, actors["supervisor"], "percepcion-ciudadana", v1["title"],
                                     v1["questions"][:5])
    assert v2["version"] == 2
    unsolved = handlers.submit_answers(uow, op, b, dict(LEON, resuelto=False, satisfaccion=1), SETTINGS, routing,
                                       questionnaire_version=1, now=NOV)
    assert unsolved["questionnaire_version"] == 1 and unsolved["resolved"] is False
    assert unsolved["reopen_status"] == "reopened"
    assert routing.calls == [(b, f"Encuesta de verificación {unsolved['survey_id']}: el ciudadano informa que su "
                                 "reporte no se resolvió.")]
    # the reopening surveys caused does not exclude anything (the case is completed)
    handlers.record_status_change(uow, status_changed(b, to="in_progress", action="reopen"), SETTINGS)
    assert [e["resolved"] for e in events(uow, "survey_completed")] == [True, False]
    assert set(events(uow, "survey_completed")[0]) == {"survey_id", "folio", "source", "score", "resolved",
                                                      "completed_at"}
    summary = handlers.survey_summary(uow, actors["auditor"], SETTINGS, period="2026-11")
    assert summary["rows"] == [{"agency": "OP", "source": "phone", "surveys": 2, "mean_score": 3.62,
                                "resolved_yes": 1, "resolved_no": 1, "reopened": 1}]
    with pytest.raises(InvalidInput):
        handlers.save_questionnaire(uow, actors["admin"], "percepcion-ciudadana", "Título",
                                    [{"id": "a", "kind": "scale", "text": "¿Qué tal?", "verification": True}])


def answered_no(uow, caller, citizen, routing) -> tuple[int, dict]:
    """A sampled report of ``citizen`` taken by ``caller``, whose answer to «¿Se resolvió
    su reporte?» is no, with ``routing`` answering the reopening."""
    [folio] = sampled_folios(uow, 1, citizen=citizen)
    handlers.take_next(uow, caller, SETTINGS, Citizens(), now=NOV)
    return folio, handlers.submit_answers(uow, caller, folio, dict(LEON, resuelto=False), SETTINGS, routing, now=NOV)


def test_out_of_window_verification_is_kept(uow, actors):
    routing = Routing(("out_of_window", "El reporte se cerró hace más de 30 días; ya no puede reabrirse."))
    _, out = answered_no(uow, actors["supervisor"], 62, routing)
    assert out["reopen_status"] == "out_of_window" and "30 días" in out["reopen_detail"]
    assert handlers.retry_reopens(uow, Routing(), SETTINGS, now=NOV) == 0  # a refusal that stands


def test_a_reopening_routing_did_not_grant_is_tried_again(uow, actors):
    refused = Routing(("forbidden", "Solo supervisión, administración o el propio ciudadano pueden reabrir."))
    folio, out = answered_no(uow, actors["operator"], 63, refused)
    assert out["reopen_status"] == "forbidden"
    assert handlers.retry_reopens(uow, refused, SETTINGS, now=NOV + timedelta(minutes=10)) == 0
    assert handlers.retry_reopens(uow, Routing(), SETTINGS, now=NOV + timedelta(days=31)) == 0  # too late
    granted = Routing()
    assert handlers.retry_reopens(uow, granted, SETTINGS, now=NOV + timedelta(minutes=20)) == 1
    assert granted.calls == [(folio, f"Encuesta de verificación {out['survey_id']}: el ciudadano informa que su "
                                     "reporte no se resolvió.")]
    assert handlers.retry_reopens(uow, Routing(), SETTINGS, now=NOV + timedelta(minutes=30)) == 0  # done once


def test_app_rating_once_per_report(uow, actors):
    finish(uow, 70, citizen=71, channel="ANDROID")
    finish(uow, 72, citizen=71, channel="072")
    me = {"kind": "citizen", "role": "citizen", "username": "citizen:70", "folio": 70}
    with pytest.raises(Forbidden):  # a citizen rates only the folio its token opened
        handlers.rate_report(uow, me, 72, 5, SETTINGS)
    with pytest.raises(InvalidInput):
        handlers.rate_report(uow, me, 70, 6, SETTINGS)
    out = handlers.rate_report(uow, me, 70, 5, SETTINGS, comment="Rápido", now=NOV)
    assert out["score"] == 5
    with pytest.raises(Conflict):
        handlers.rate_report(uow, me, 70, 1, SETTINGS)
    phone = {"kind": "citizen", "role": "citizen", "username": "citizen:72", "folio": 72}
    with pytest.raises(Conflict):  # filed by phone: its survey is the phone sample
        handlers.rate_report(uow, phone, 72, 4, SETTINGS)
    handlers.record_report(uow, created(74, 71, "WEB"))
    with pytest.raises(Conflict):  # not finished yet
        handlers.rate_report(uow, {"kind": "citizen", "role": "citizen", "username": "citizen:74", "folio": 74},
                             74, 4, SETTINGS)
    assert events(uow, "survey_completed")[-1] | {"completed_at": None} == {
        "survey_id": 1, "folio": 70, "source": "app", "score": 5.0, "resolved": None, "completed_at": None}


def test_follow_up_calls_are_counted_per_month(uow, actors):
    finish(uow, 80, citizen=81)
    op = actors["operator"]
    handlers.log_follow_up(uow, op, 80, "follow_up", "Se confirmó la reparación", now=NOV)
    handlers.log_follow_up(uow, op, 80, "callback", now=NOV + timedelta(days=15))
    with pytest.raises(NotFound):
        handlers.log_follow_up(uow, op, 999, "follow_up")
    with pytest.raises(InvalidInput):
        handlers.log_follow_up(uow, op, 80, "visit")
    with pytest.raises(InvalidInput):  # PostgreSQL text holds no NUL: a clear 422, never a 500
        handlers.log_follow_up(uow, op, 80, "follow_up", "a\x00b")
    with pytest.raises(Forbidden):
        handlers.log_follow_up(uow, actors["auditor"], 80, "follow_up")
    months = {m["month"]: m for m in handlers.monthly_calls(uow, actors["supervisor"], 2026, SETTINGS)["months"]}
    assert months["2026-11"]["follow_up"] == 1 and months["2026-12"]["callback"] == 1
    assert months["2026-11"]["follow_up_total"] == 1
    assert [e["kind"] for e in events(uow, "follow_up_call_logged")] == ["follow_up", "callback"]
    assert set(events(uow, "follow_up_call_logged")[0]) == {"call_id", "folio", "kind", "logged_at"}


def test_arco_access_and_cancellation_erase_survey_data(uow, actors):
    [folio] = sampled_folios(uow, 1, citizen=91)
    handlers.take_next(uow, actors["operator"], SETTINGS, Citizens(), now=NOV)
    handlers.submit_answers(uow, actors["operator"], folio, LEON, SETTINGS, Routing(), now=NOV)
    doc = handlers.arco_access(uow, [91])
    assert doc["answers"][0]["answers"]["comentarios"] == "Muy amables, gracias"
    handlers.record_cancellation(uow, cancelled(91))
    assert handlers.arco_access(uow, [91])["answers"] == []
    with uow:
        row = uow.session.execute(sa.select(store.answers).where(store.answers.c.folio == folio)).mappings().one()
    assert row["citizen_number"] is None and "comentarios" not in row["answers"]
    assert row["answers"]["satisfaccion"] == 4 and row["answers"]["medio_preferido"] == "Línea 072"


def test_roles_decide_who_reads_what(uow, actors):
    [folio] = sampled_folios(uow, 1, citizen=95)
    finish(uow, 20_000, citizen=96, agency="SIAP")
    handlers.take_next(uow, actors["operator"], SETTINGS, Citizens(), now=NOV)
    handlers.submit_answers(uow, actors["operator"], folio, LEON, SETTINGS, Routing(), now=NOV)
    staff = handlers.list_surveys(uow, actors["agency_op"], SETTINGS)
    assert [i["folio"] for i in staff["items"]] == [folio]
    assert "citizen_number" not in staff["items"][0] and "comentarios" not in staff["items"][0]["answers"]
    with pytest.raises(Forbidden):
        handlers.list_surveys(uow, actors["agency_op"], SETTINGS, agency="SIAP")
    audited = handlers.list_surveys(uow, actors["auditor"], SETTINGS)["items"][0]
    assert audited["citizen_number"] == 95 and audited["reopen_status"] is None
    exported = handlers.export_surveys(uow, actors["supervisor"], SETTINGS)["items"][0]
    assert "citizen_number" not in exported and "comentarios" not in exported["answers"]
    book = handlers.export_file(uow, actors["supervisor"], SETTINGS, now=NOV)
    assert book["rows"] == 1 and book["filename"] == f"encuestas-{NOV.astimezone(SETTINGS.tz):%Y%m%d-%H%M}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(book["content_b64"]))).active
    assert [c.value for c in sheet[1]][:2] == ["Folio", "Origen"] and sheet["A2"].value == folio
    assert not any("comentarios" in str(c.value) for row in sheet.iter_rows() for c in row)
    with pytest.raises(Forbidden):
        handlers.export_file(uow, actors["public"], SETTINGS)
    for role in ("operator", "agency_op", "public"):
        with pytest.raises(Forbidden):
            handlers.list_cases(uow, actors[role], SETTINGS)
    assert handlers.list_cases(uow, actors["auditor"], SETTINGS, status="completed")[0]["folio"] == folio
    with pytest.raises(Forbidden):
        handlers.list_surveys(uow, actors["public"], SETTINGS)
    with pytest.raises(InvalidInput):  # no actor is not an anonymous back door
        handlers.list_periods(uow, None)
    with pytest.raises(Forbidden):
        handlers.list_surveys(uow, {"kind": "staff", "role": "block_leader", "username": "bl"}, SETTINGS)
