"""Persistence on MongoDB (pymongo): the only module that talks to the database.

Collections:

- ``offices``: one document per office, ``_id`` its clave, with the derived search
  fields of ``domain.search_fields`` and ``ancestors`` (every office above it).
- ``office_history``: one document per version (``_id`` ``<clave>:<version>``).
- ``counters``: ``attention_number`` (the Número de Atención, ``$inc`` atomically).
- ``log``: every consult and print (channel, user, time) — also the outbox of the
  events ``directory_consulted``/``ticket_printed``: each entry carries its envelope
  and ``published``; the relay publishes unpublished entries with publisher confirms.
- ``daily_counts``: consulted/printed per local day, office and channel, ``$inc``'d
  with every entry, so that statistics never scan the log.

Everything queried is indexed (the MongoDB-compatible server used locally scans slowly);
no text index (it has none): search uses the ``tokens`` multikey index.
"""
from __future__ import annotations

import datetime as dt

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

ATTENTION = "attention_number"
GUIDE = "guide"  # the guide's version: $inc'd by every office write (search_index reloads on change)
#: fields a search result or list carries (never the token arrays)
LIST_FIELDS = {"tokens": 0, "ancestors": 0, "touched_at": 0}
SEARCH_PROJECTION = LIST_FIELDS


class Store:
    def __init__(self, db: Database):
        self.db = db
        self.offices = db["offices"]
        self.history = db["office_history"]
        self.counters = db["counters"]
        self.log = db["log"]
        self.daily = db["daily_counts"]

    # -- set-up -----------------------------------------------------------------
    def ensure_indexes(self) -> None:
        self.offices.create_index("tokens")
        self.offices.create_index("parent_id")
        self.offices.create_index("ancestors")
        self.offices.create_index("level")
        self.offices.create_index("name_norm")
        self.offices.create_index("touched_at")
        self.history.create_index([("office_id", ASCENDING), ("version", ASCENDING)])
        self.log.create_index("published")
        self.log.create_index("counted")
        self.log.create_index("at")
        self.log.create_index("office_id")
        self.daily.create_index("day")
        for counter in (ATTENTION, GUIDE):
            try:  # counters exist before their first $inc: concurrent upserts are not atomic everywhere
                self.counters.insert_one({"_id": counter, "value": 0})
            except DuplicateKeyError:
                pass

    # -- offices ----------------------------------------------------------------
    def guide_version(self) -> int:
        doc = self.counters.find_one({"_id": GUIDE})
        return int(doc["value"]) if doc else 0

    def bump_guide_version(self) -> None:
        self.counters.update_one({"_id": GUIDE}, {"$inc": {"value": 1}}, upsert=True)

    def mirror_rows(self, since: dt.datetime | None) -> list[dict]:
        """Offices touched since ``since`` (all when None), for search_index."""
        query = {} if since is None else {"touched_at": {"$gte": since}}
        return list(self.offices.find(query, {"tokens": 0}))

    def get(self, office_id: str, projection: dict | None = None) -> dict | None:
        return self.offices.find_one({"_id": office_id}, projection or LIST_FIELDS)

    def get_full(self, office_id: str) -> dict | None:
        return self.offices.find_one({"_id": office_id})

    def exists(self, office_ids) -> set[str]:
        ids = list(set(office_ids))
        if not ids:
            return set()
        return {d["_id"] for d in self.offices.find({"_id": {"$in": ids}}, {"_id": 1})}

    def insert(self, doc: dict) -> bool:
        doc["touched_at"] = dt.datetime.now(dt.timezone.utc)
        try:
            self.offices.insert_one(doc)
        except DuplicateKeyError:
            return False
        self.bump_guide_version()
        return True

    def replace_if_version(self, doc: dict, version: int) -> bool:
        """Replace the office if it still is at ``version`` (optimistic concurrency)."""
        doc["touched_at"] = dt.datetime.now(dt.timezone.utc)
        done = self.offices.replace_one({"_id": doc["_id"], "version": version}, doc).matched_count == 1
        if done:
            self.bump_guide_version()
        return done

    def set_ancestors(self, updates: list[tuple[str, list[str]]]) -> None:
        if updates:
            touched = dt.datetime.now(dt.timezone.utc)
            self.offices.bulk_write([UpdateOne({"_id": i}, {"$set": {"ancestors": a, "touched_at": touched}})
                                     for i, a in updates], ordered=False)
            self.bump_guide_version()

    def descendants(self, office_id: str) -> list[dict]:
        return list(self.offices.find({"ancestors": office_id}, {"_id": 1, "ancestors": 1, "parent_id": 1}))

    def candidates(self, token: str, filters: dict, limit: int) -> list[dict]:
        query = {"tokens": token} | filters
        return list(self.offices.find(query, SEARCH_PROJECTION).limit(limit))

    def find(self, filters: dict, projection: dict | None = None, sort=("name_norm", 1), limit: int = 0,
             skip: int = 0) -> list[dict]:
        cursor = self.offices.find(filters, projection or LIST_FIELDS).sort([sort])
        if skip:
            cursor = cursor.skip(skip)
        if limit:
            cursor = cursor.limit(limit)
        return list(cursor)

    def count(self, filters: dict) -> int:
        return self.offices.count_documents(filters)

    def tree_nodes(self, filters: dict) -> list[dict]:
        return list(self.offices.find(filters, {"_id": 1, "name": 1, "acronym": 1, "level": 1, "parent_id": 1,
                                                "active": 1, "name_norm": 1}))

    def all_for_import(self) -> dict[str, dict]:
        return {d["_id"]: d for d in self.offices.find({}, {"tokens": 0})}

    # -- history ------------------------------------------------------------------
    def put_history(self, entry: dict) -> None:
        """Written before the office itself (``_id`` ``<clave>:<version>``): a version
        whose office write failed is overwritten by the next edit and never listed,
        because ``history_of`` reads only up to the office's current version."""
        self.history.replace_one({"_id": entry["_id"]}, entry, upsert=True)

    def drop_history(self, entry_id: str, token: str) -> None:
        self.history.delete_one({"_id": entry_id, "token": token})

    def history_of(self, office_id: str, up_to_version: int) -> list[dict]:
        return list(self.history.find({"office_id": office_id, "version": {"$lte": up_to_version}},
                                      {"token": 0}).sort([("version", ASCENDING)]))

    # -- attention numbers ----------------------------------------------------------
    def next_attention_number(self) -> int:
        doc = self.counters.find_one_and_update({"_id": ATTENTION}, {"$inc": {"value": 1}},
                                                return_document=ReturnDocument.AFTER)
        if doc is None:  # indexes not ensured yet (a fresh database): create, then take
            self.ensure_indexes()
            return self.next_attention_number()
        return int(doc["value"])

    # -- the consult and print log (and outbox) -------------------------------------
    def add_log(self, entry: dict) -> None:
        self.log.insert_one(entry)

    def count_entry(self, entry: dict) -> None:
        """Add the entry to its day's counters, then mark it counted (the relay counts
        an entry left uncounted by a crash between the two)."""
        field = "consulted" if entry["kind"] == "consulted" else "printed"
        key = f"{entry['day']}|{entry['office_id']}|{entry['channel']}"
        update = {"$inc": {field: 1},
                  "$setOnInsert": {"day": entry["day"], "office_id": entry["office_id"], "channel": entry["channel"]}}
        try:
            self.daily.update_one({"_id": key}, update, upsert=True)
        except DuplicateKeyError:  # two first entries of the day raced: the bucket exists now
            self.daily.update_one({"_id": key}, update)
        self.log.update_one({"_id": entry["_id"]}, {"$set": {"counted": True}})

    def uncounted(self, before: dt.datetime, limit: int = 500) -> list[dict]:
        return list(self.log.find({"counted": False, "at": {"$lt": before}}).limit(limit))

    def unpublished(self, limit: int) -> list[dict]:
        return list(self.log.find({"published": False}, {"_id": 1, "envelope": 1, "event_type": 1})
                    .sort([("at", ASCENDING)]).limit(limit))

    def mark_published(self, ids: list[str], when: dt.datetime) -> None:
        self.log.update_many({"_id": {"$in": ids}}, {"$set": {"published": True, "published_at": when}})

    def pending_events(self) -> int:
        return self.log.count_documents({"published": False})

    def log_entries(self, start: dt.datetime, end: dt.datetime, office_id: str | None, limit: int,
                    skip: int) -> tuple[list[dict], int]:
        query: dict = {"at": {"$gte": start, "$lt": end}}
        if office_id:
            query["office_id"] = office_id
        projection = {"envelope": 0, "published": 0, "counted": 0, "published_at": 0}
        rows = list(self.log.find(query, projection).sort([("at", -1)]).skip(skip).limit(limit))
        return rows, self.log.count_documents(query)

    def daily_counts(self, first_day: str, last_day: str) -> list[dict]:
        return list(self.daily.find({"day": {"$gte": first_day, "$lte": last_day}}))

    def names(self, office_ids) -> dict[str, dict]:
        return {d["_id"]: d for d in self.offices.find({"_id": {"$in": list(set(office_ids))}},
                                                       {"_id": 1, "name": 1, "level": 1, "acronym": 1})}
