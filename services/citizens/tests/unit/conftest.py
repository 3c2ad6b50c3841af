"""The unit tier of citizens: its use cases over an in-memory twin of ``store.Store`` (no
database, no broker). Name similarity stands in for pg_trgm with difflib's ratio.
``with store:`` keeps a copy of the state and puts it back when the block raises."""
from __future__ import annotations

from difflib import SequenceMatcher

import pytest

from sacinfra.testing import InMemoryUnitOfWork

CITIZEN_COLUMNS = ("given_names", "first_surname", "second_surname", "name_norm", "sex", "birth_date", "phones",
                   "email", "colonia", "colonia_norm", "street", "ext_number", "postal_code", "address_references",
                   "consent", "privacy_notice_version", "channel", "created_by", "created_at", "updated_at",
                   "merged_into", "merged_at", "cancelled_at", "cancelled_by")


class FakeStore(InMemoryUnitOfWork):
    state = ("citizens", "change_rows", "log")

    def __init__(self):
        super().__init__()
        self.citizens: dict[int, dict] = {}
        self.change_rows: list[dict] = []
        self.log: list[dict] = []

    def citizen(self, number, lock=False):
        row = self.citizens.get(number)
        return dict(row) if row else None

    def citizens_by_number(self, numbers, lock=False):
        return {n: dict(self.citizens[n]) for n in sorted(set(numbers)) if n in self.citizens}

    def merged_numbers(self, number):
        return sorted(n for n, r in self.citizens.items() if r["merged_into"] == number)

    def insert_citizen(self, values):
        number = max(self.citizens, default=0) + 1
        row = dict.fromkeys(CITIZEN_COLUMNS) | dict(values) | {"number": number}
        self.citizens[number] = row
        return dict(row)

    def update_citizen(self, number, values):
        self.citizens[number].update(values)

    @staticmethod
    def _similarity(a: str, b: str) -> float:
        return SequenceMatcher(None, a, b).ratio()

    def duplicate_candidates(self, name_norm, colonia_norm, phones, similarity, limit):
        out = []
        for r in self.citizens.values():
            if r["merged_into"] is not None:
                continue
            score = self._similarity(r["name_norm"], name_norm)
            same_phone = bool(set(r["phones"] or []) & set(phones))
            same_name_colonia = r["name_norm"] == name_norm and r["colonia_norm"] == colonia_norm
            if same_phone or same_name_colonia or score >= similarity:
                out.append(dict(r) | {"same_phone": same_phone, "same_name_colonia": same_name_colonia, "score": score})
        out.sort(key=lambda r: (not r["same_phone"], not r["same_name_colonia"], -r["score"], r["number"]))
        return out[:limit]

    def log_access(self, rows):
        self.log += [{"block_leader_id": None} | dict(r) for r in rows]

    def add_change(self, values):
        self.change_rows.append(dict(values, id=len(self.change_rows) + 1))

    def changes(self, numbers, kind=None):
        return [dict(r) for r in self.change_rows if r["number"] in numbers and (kind is None or r["kind"] == kind)]

    def oppositions(self, numbers):
        return []


@pytest.fixture
def store():
    return FakeStore()
