"""The unit tier: routing's use cases on an in-memory repository (no database, no broker).

``FakeRepository`` keeps routing's tables as lists of dicts and behaves as the SQL one
does where the use cases can tell: ``with repo:`` commits, or restores what the block
changed when it raises; ids and server defaults (assigned_at, version 1, reassign_count
0) are filled in as PostgreSQL would; the department copy is last-write-wins."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from routing import store

TABLES = ("assignments", "shares", "history", "interventions", "evidence", "departments", "events", "routed",
          "claimed")


class FakeRepository(store.Repository):
    def __init__(self, now: datetime | None = None):
        self.now = now or datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
        self.data = {"assignments": {}, "shares": [], "history": [], "interventions": [], "evidence": [],
                     "departments": {}, "events": [], "routed": [], "claimed": set()}
        self.commits = self.rollbacks = 0
        self._before = None

    # -- the transaction
    def __enter__(self):
        assert self._before is None, "use cases do not nest transactions"
        self._before = copy.deepcopy(self.data)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.commits += 1
        else:
            self.data, self.rollbacks = self._before, self.rollbacks + 1
        self._before = None
        return False

    def _in_transaction(self):
        assert self._before is not None, "storage touched outside 'with repo:'"

    # -- outbox, claims
    def add_event(self, event_type, data):
        self._in_transaction()
        self.data["events"].append((event_type, copy.deepcopy(data)))

    def add_events(self, events):
        for event_type, data, _trace in events:
            self.add_event(event_type, data)

    def add_routed_events(self, exchange, events):
        self._in_transaction()
        self.data["routed"].extend((exchange, copy.deepcopy(e)) for e in events)
        return events

    def claim(self, consumer, message_id):
        return bool(self.claim_many(consumer, [message_id]))

    def claim_many(self, consumer, message_ids):
        self._in_transaction()
        fresh = {m for m in message_ids if (consumer, m) not in self.data["claimed"]}
        self.data["claimed"] |= {(consumer, m) for m in fresh}
        return fresh

    # -- assignments
    def insert_assignments(self, rows):
        self._in_transaction()
        out = {}
        for row in rows:
            if row["folio"] not in self.data["assignments"]:
                self.data["assignments"][row["folio"]] = {
                    "assigned_at": self.now, "updated_at": self.now, "version": 1, "reassign_count": 0,
                    "closed_at": None, **row}
                out[row["folio"]] = self.now
        return out

    def assignment(self, folio):
        self._in_transaction()
        row = self.data["assignments"].get(folio)
        return dict(row) if row else None

    def assignments(self, folios):
        return [self.assignment(f) for f in sorted(set(folios)) if f in self.data["assignments"]]

    def update_assignment(self, folio, version, values):
        self._in_transaction()
        row = self.data["assignments"].get(folio)
        if row is None or row["version"] != version:
            return False
        row.update(values)
        return True

    def count_overdue(self, now, open_statuses):
        self._in_transaction()
        return sum(1 for a in self.data["assignments"].values() if a["status"] in open_statuses and a["due_at"] < now)

    # -- shares, history
    def shares(self, folios):
        self._in_transaction()
        return sorted((dict(s) for s in self.data["shares"] if s["folio"] in folios),
                      key=lambda s: (s["folio"], s["at"], s["department"]))

    def insert_share(self, **values):
        self._in_transaction()
        self.data["shares"].append(values)

    def delete_share(self, folio, department):
        self._in_transaction()
        self.data["shares"] = [s for s in self.data["shares"] if (s["folio"], s["department"]) != (folio, department)]

    def insert_history(self, rows):
        self._in_transaction()
        for row in rows:
            self.data["history"].append({"id": len(self.data["history"]) + 1, "from_status": None, "to_status": None,
                                         "text": None, "intervention_id": None, "version": None, "at": self.now,
                                         **row})

    def history(self, folio):
        self._in_transaction()
        return [dict(h) for h in self.data["history"] if h["folio"] == folio]

    # -- interventions, evidence
    def insert_intervention(self, **values):
        self._in_transaction()
        iid = len(self.data["interventions"]) + 1
        self.data["interventions"].append({"id": iid, **values})
        return iid

    def intervention(self, intervention_id):
        self._in_transaction()
        return dict(self.data["interventions"][intervention_id - 1])

    def interventions(self, folios):
        self._in_transaction()
        return [dict(i) for i in self.data["interventions"] if i["folio"] in folios]

    def interventions_count(self, folio):
        return len(self.interventions([folio]))

    def insert_evidence(self, rows):
        self._in_transaction()
        ids = []
        for row in rows:
            ids.append(len(self.data["evidence"]) + 1)
            self.data["evidence"].append({"id": ids[-1], **row})
        return ids

    def evidence_metadata(self, intervention_ids):
        self._in_transaction()
        return [{k: e[k] for k in store.EVIDENCE_METADATA} for e in self.data["evidence"]
                if e["intervention_id"] in intervention_ids]

    def evidence_file(self, folio, evidence_id):
        self._in_transaction()
        return next((dict(e) for e in self.data["evidence"] if (e["id"], e["folio"]) == (evidence_id, folio)), None)

    # -- departments
    def duplicates(self, folio):
        self._in_transaction()
        return sorted(f for f, a in self.data["assignments"].items() if a.get("duplicate_of") == folio)

    def department(self, code):
        self._in_transaction()
        row = self.data["departments"].get(code)
        return dict(row) if row else None

    def upsert_departments(self, rows):
        self._in_transaction()
        changed = 0
        for row in rows:
            old = self.data["departments"].get(row["code"])
            newer = old is None or old["changed_at"] is None or old["changed_at"] < row["changed_at"]
            if newer and (old is None or [old[k] for k in ("agency", "name", "active")] !=
                          [row[k] for k in ("agency", "name", "active")]):
                self.data["departments"][row["code"]] = dict(row)
                changed += 1
        return changed

    # -- what tests look at
    def event_types(self) -> list[str]:
        return [t for t, _ in self.data["events"]]


@pytest.fixture
def repo():
    return FakeRepository()
