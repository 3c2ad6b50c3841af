"""Intake fixtures: a unit of work on a migrated database of its own per test, and a
stand-in for catalog answering quote_reports (no broker)."""
import pytest

from intake import handlers
from intake.store import Store


class Catalog:
    """Answers like catalog.quote_reports: known types, one error per unknown one."""

    def __init__(self):
        self.calls = 0

    def quote_reports(self, requests):
        self.calls += 1
        out = []
        for r in requests:
            if r["petition_type"] != "OP-LAMPARA APAGADA":
                out.append({"error": {"type": "NotFound", "code": "tipo_peticion_no_encontrado",
                                      "message": "No existe el tipo de petición."}})
            else:
                out.append({"quote": {"petition_type": r["petition_type"], "kind": "Servicio",
                                      "channel": r["channel"], "agency": "OP",
                                      "department": "OP-ALUMBRADO", "sla_amount": 5, "sla_unit": "calendar_days",
                                      "version": 1, "due_at": "2026-12-05T23:59:59-06:00"}})
        return out


@pytest.fixture
def catalog():
    return Catalog()


@pytest.fixture
def raw(service_uow):
    """The sacinfra unit of work under ``uow``, for the tests' own SQL checks."""
    return service_uow("intake")


@pytest.fixture
def uow(raw):
    """intake's store over a unit of work on a migrated database of its own."""
    return Store(raw)


@pytest.fixture
def file_one(uow, catalog):
    """``file_one(payload, created_by=None, now=None)``: one report filed as a batch of
    one through ``create_reports``; raises its error."""
    def file(payload, created_by=None, now=None):
        item = {"data": handlers.validate_report(payload), "idempotency_key": None, "created_by": created_by}
        [result] = handlers.create_reports(uow, catalog, [item], now)
        if isinstance(result, BaseException):
            raise result
        return result
    return file
