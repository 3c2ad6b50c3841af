"""The unit tier of catalog: its use cases over an in-memory twin of ``store.Store`` (no
database, no broker). ``with store:`` keeps a copy of the state and puts it back when the
block raises, as the real unit of work rolls back."""
from __future__ import annotations

import pytest

from sacinfra.testing import InMemoryUnitOfWork

from catalog.demo_catalog import AGENCIES, CHANNELS, DEPARTMENTS, PETITION_TYPES


class FakeStore(InMemoryUnitOfWork):
    state = ("tables", "history_rows", "calendar_data")

    def __init__(self):
        super().__init__()
        self.tables = {"agency": {}, "department": {}, "channel": {}, "petition_type": {}}
        self.history_rows: list[dict] = []
        self.calendar_data: dict | None = None

    def current_geo_versions(self):
        return {}  # no geography loaded: quotes check no coordinates

    def quote_inputs(self, codes, chans):
        return (self.petition_types_by_code(codes), self.channels_by_code(chans), self.calendar(),
                self.current_geo_versions())

    # petition types
    def petition_type(self, code, lock=False):
        row = self.tables["petition_type"].get(code)
        return dict(row) if row else None

    def petition_types_by_code(self, codes, lock=False):
        return {c: dict(self.tables["petition_type"][c]) for c in sorted(set(codes))
                if c in self.tables["petition_type"]}

    def petition_types(self, agency=None):
        return [dict(r) for _, r in sorted(self.tables["petition_type"].items())
                if not agency or r["agency"] == agency]

    def search_petition_types(self, filters, offset, limit):
        def keep(p):
            q = (filters.get("q") or "").casefold()
            return (all(p[k] == filters[k] for k in ("agency", "department", "sla_unit", "active") if k in filters)
                    and ("kind" not in filters or p["kind"].casefold() == filters["kind"].casefold())
                    and (not q or q in p["code"].casefold() or q in p["name"].casefold()))
        rows = [p for p in self.petition_types() if keep(p)]
        return rows[offset:offset + limit], len(rows)

    def insert_petition_type(self, values):
        if values["code"] in self.tables["petition_type"]:
            return False
        self.tables["petition_type"][values["code"]] = {"attributes": [], "description": ""} | dict(values)
        return True

    def update_petition_type(self, code, values):
        self.tables["petition_type"][code].update(values)

    def seed_petition_types(self, rows):
        for r in rows:
            self.tables["petition_type"].setdefault(r["code"], {"version": 1, "description": ""} | dict(r))

    def add_history(self, rows):
        self.history_rows += [dict(r) for r in rows]

    def history(self, code):
        return [r for r in self.history_rows if r["code"] == code]

    def active_services(self):
        raise NotImplementedError

    # agencies, departments, channels
    def get(self, kind, code, lock=False):
        row = self.tables[kind].get(code)
        return dict(row) if row else None

    def list(self, kind, agency=None, active_only=False):
        return [dict(r) for _, r in sorted(self.tables[kind].items())
                if (not agency or r.get("agency") == agency) and (not active_only or r["active"])]

    def channels_by_code(self, codes):
        return {c: dict(self.tables["channel"][c]) for c in codes if c in self.tables["channel"]}

    def upsert(self, kind, values):
        row = self.tables[kind].setdefault(values["code"], {"active": True})
        row.update(values)
        return dict(row)

    def count_department_uses(self, department):
        return sum(1 for p in self.tables["petition_type"].values() if p["department"] == department)

    # calendar
    def calendar(self, lock=False):
        return self.calendar_data

    def save_calendar(self, data, at):
        self.calendar_data = dict(data)


@pytest.fixture
def store():
    """A fake store holding the demo catalog (seeded through the real use case)."""
    from catalog import handlers

    s = FakeStore()
    handlers.seed(s, AGENCIES, DEPARTMENTS, PETITION_TYPES, CHANNELS)
    s.events.clear()
    return s


@pytest.fixture
def empty_store():
    return FakeStore()
