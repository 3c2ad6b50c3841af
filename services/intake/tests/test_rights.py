"""ARCO in intake on a real PostgreSQL database: a citizen_cancelled event erases the
personal data of that citizen's reports (idempotently; other citizens untouched, the
report stays countable) and arco_access lists the reports as received."""
import json
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from intake import handlers, rights
from sacinfra.errors import InvalidInput

NOW = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)


def payload(citizen, text, refs="frente a la casa de Zacarías Canarioxq, tel 229 555 0199", number="7"):
    return {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": text,
            "location": {"lat": 19.17, "lon": -96.13, "colonia": "Reforma", "street": "Madero",
                         "number": number, "references": refs},
            "citizen_number": citizen}


def cancelled(number):
    return {"event_id": str(uuid.uuid4()), "event_type": "citizen_cancelled", "version": 1,
            "occurred_at": NOW.isoformat(), "producer": "citizens", "trace": {},
            "data": {"number": number, "cancelled_at": NOW.isoformat()}}


def test_cancellation_erases_personal_data_of_that_citizens_reports_only(uow, catalog, file_one, raw):
    mine = [file_one(payload(41, f"Lámpara; llamar a Zacarías Canarioxq {i}"),
                                   created_by="operator", now=NOW)["folio"] for i in range(2)]
    other = file_one(payload(42, "Lámpara de Pedro", refs="junto al parque"),
                                   now=NOW)["folio"]
    event = cancelled(41)
    assert rights.erase_citizen_reports(uow, event) == 2
    assert rights.erase_citizen_reports(uow, event) == 0  # redelivery: claimed already
    assert rights.erase_citizen_reports(uow, cancelled(41)) == 0  # another event: nothing left to erase
    rows = {r["folio"]: r for r in raw.session.execute(sa.text(
        'SELECT folio, description, "references", number, colonia, street, petition_type, citizen_number, '
        "created_at FROM reports")).mappings()}
    for folio in mine:
        row = rows[folio]
        assert row["description"] == rights.ERASED_DESCRIPTION and row["references"] is None and row["number"] is None
        # still countable
        assert (row["colonia"], row["street"], row["petition_type"], row["citizen_number"]) == (
            "REFORMA", "MADERO", "OP-LAMPARA APAGADA", 41)
    assert rows[other]["description"] == "Lámpara de Pedro" and rows[other]["number"] == "7"
    # nothing of the citizen's text is left anywhere in intake's database (outbox included)
    dump = "\n".join(json.dumps(r, default=str, ensure_ascii=False) for t in ("reports", "outbox")
                     for r in raw.session.execute(sa.text(f"SELECT row_to_json(x) FROM {t} x")).scalars()).lower()
    raw.rollback()
    assert "canarioxq" not in dump and "2295550199" not in dump and "lámpara de pedro" in dump
    # get_report still answers for the folio
    assert handlers.get_report(uow, mine[0], {"kind": "staff", "username": "aud", "role": "auditor"})["description"] == rights.ERASED_DESCRIPTION


def test_no_new_report_is_filed_with_a_cancelled_number(uow, catalog, file_one, raw):
    file_one(payload(61, "Lámpara"), now=NOW)
    rights.erase_citizen_reports(uow, cancelled(61))
    before = raw.session.execute(sa.text("SELECT count(*) FROM reports")).scalar_one()
    raw.rollback()
    results = handlers.create_reports(uow, catalog, [
        {"data": handlers.validate_report(payload(61, "Otra vez")), "idempotency_key": "k-61"},
        {"data": handlers.validate_report(payload(62, "De otra persona")), "idempotency_key": None},
        {"data": handlers.validate_report(payload(61, "Otra vez")), "idempotency_key": "k-61"},
        {"data": handlers.validate_report(payload(None, "Anónimo")), "idempotency_key": None}], now=NOW)
    assert isinstance(results[0], InvalidInput) and results[0].code == "ciudadano_cancelado"
    assert results[2] is results[0]  # the retry of the same key gets the same answer
    assert results[1]["citizen_number"] == 62 and results[3]["citizen_number"] is None
    after = raw.session.execute(sa.text("SELECT count(*) FROM reports")).scalar_one()
    numbers = raw.session.execute(sa.text("SELECT number FROM cancelled_citizens")).scalars().all()
    raw.rollback()
    assert after == before + 2 and numbers == [61]


def test_arco_access_lists_the_reports_as_received(uow, catalog, file_one):
    folios = [file_one(payload(51, "Bache enorme"), created_by="jm", now=NOW)["folio"],
              file_one(payload(52, "Otra lámpara"), now=NOW)["folio"]]
    file_one(payload(53, "No es suyo"), now=NOW)
    out = rights.arco_access(uow, [51, 52])
    assert [x["folio"] for x in out["reports"]] == folios
    first = out["reports"][0]
    assert first["description"] == "Bache enorme" and first["location"]["references"].startswith("frente")
    assert first["created_by"] == "jm" and first["personal_data_erased"] is False
    assert "tracking_token" not in first
    assert [x["folio"] for x in rights.arco_access(uow, 51)["reports"]] == folios[:1]
    rights.erase_citizen_reports(uow, cancelled(51))
    assert rights.arco_access(uow, 51)["reports"][0]["personal_data_erased"] is True
    for bad in ("51", [0], [True], None):
        with pytest.raises(InvalidInput):
            rights.arco_access(uow, bad)
