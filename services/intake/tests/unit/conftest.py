"""The unit tier of intake: its use cases over an in-memory twin of ``store.Store`` and a
stand-in catalog (no database, no broker). ``with store:`` keeps a copy of the state and
puts it back when the block raises, as the real unit of work rolls back."""
from __future__ import annotations

import pytest

from sacinfra.testing import InMemoryUnitOfWork


class FakeStore(InMemoryUnitOfWork):
    state = ("reports", "cancelled", "claimed")

    def __init__(self):
        super().__init__()
        self.reports: dict[int, dict] = {}
        self.cancelled: set[int] = set()
        self.claimed: set[tuple[str, str]] = set()
        self.folio = 0
        self.vacuums = 0

    def claim(self, consumer, message_id):
        if (consumer, message_id) in self.claimed:
            return False
        self.claimed.add((consumer, message_id))
        return True

    def cancelled_among(self, numbers):
        return set(numbers) & self.cancelled

    def next_folios(self, n):  # a sequence: never given back, even on rollback
        self.folio += n
        return list(range(self.folio - n + 1, self.folio + 1))

    def insert_reports(self, rows):
        keys = {r["idempotency_key"] for r in self.reports.values() if r["idempotency_key"]}
        inserted = set()
        for r in rows:
            if r["idempotency_key"] and r["idempotency_key"] in keys:
                continue
            self.reports[r["folio"]] = dict(r)
            keys.add(r["idempotency_key"])
            inserted.add(r["folio"])
        return inserted

    def by_idempotency_keys(self, keys):
        return {r["idempotency_key"]: dict(r) for r in self.reports.values() if r["idempotency_key"] in keys}

    def by_folio(self, folio):
        row = self.reports.get(folio)
        return dict(row) if row else None

    def by_folios(self, folios):
        return {f: dict(self.reports[f]) for f in set(folios) if f in self.reports}

    def by_citizens(self, numbers, limit):
        return [dict(r) for f, r in sorted(self.reports.items()) if r["citizen_number"] in numbers][:limit]

    def remember_cancelled(self, number):
        self.cancelled.add(number)

    def erase_personal_data(self, number, note):
        n = 0
        for r in self.reports.values():
            if r["citizen_number"] == number and (r["description"] != note or r["references"] or r["number"]):
                r.update(description=note, references=None, number=None)
                n += 1
        return n

    def delete_attachments_of_citizen(self, number):
        return 0  # no files in the in-memory twin (tests/test_attachments.py: real PostgreSQL)

    def vacuum_reports(self):
        self.vacuums += 1


class Catalog:
    """Answers like catalog.quote_reports: one known petition type."""

    def __init__(self):
        self.calls = 0

    def quote_reports(self, requests):
        self.calls += 1
        return [{"quote": {"petition_type": r["petition_type"], "kind": "Servicio", "channel": r["channel"],
                           "agency": "OP", "department": "OP-ALUMBRADO", "sla_amount": 5,
                           "sla_unit": "calendar_days", "version": 1, "due_at": "2026-12-05T23:59:59-06:00"}}
                if r["petition_type"] == "OP-LAMPARA APAGADA" else
                {"error": {"type": "NotFound", "code": "tipo_peticion_no_encontrado",
                           "message": "No existe el tipo de petición."}} for r in requests]


@pytest.fixture
def store():
    return FakeStore()


@pytest.fixture
def catalog():
    return Catalog()
