"""intake's batch read for work orders on a real PostgreSQL database."""
from datetime import datetime, timezone

import pytest

from intake import handlers, reads
from sacinfra.errors import InvalidInput

NOW = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
PAYLOAD = {"petition_type": "OP-LAMPARA APAGADA", "channel": "072", "description": "Lámpara apagada",
           "location": {"lat": 21.1, "lon": -101.6, "colonia": "CENTRO", "street": "MADERO 100"},
           "citizen_number": 166045}


def item():
    return {"data": handlers.validate_report(PAYLOAD), "idempotency_key": None, "created_by": None, "trace": {}}


def test_many_folios_in_one_call_in_the_order_asked_with_tokens_only_when_asked(uow, catalog):
    filed = handlers.create_reports(uow, catalog, [item(), item(), item()], now=NOW)
    tokens = {r["folio"]: r["tracking_token"] for r in filed}
    out = reads.get_reports(uow, [3, 99, 1, 3], include_token=True)
    assert [r["folio"] for r in out] == [3, 1]  # unknown 99 left out, repeated 3 once
    assert [r["tracking_token"] for r in out] == [tokens[3], tokens[1]]
    assert out[0]["description"] == "Lámpara apagada" and out[0]["location"]["street"] == "MADERO 100"
    plain = reads.get_reports(uow, [1])
    assert "tracking_token" not in plain[0] and plain[0] == handlers.get_report(uow, 1, {"kind": "staff", "username": "sup", "role": "supervisor"})
    assert reads.get_reports(uow, []) == []


@pytest.mark.parametrize("bad", [None, "1,2", [0], [True], ["7"], list(range(1, 1002))])
def test_bad_folio_lists_are_refused_with_a_code(uow, bad):
    with pytest.raises(InvalidInput) as exc:
        reads.get_reports(uow, bad)
    assert exc.value.code == "folio_invalido"
