"""An in-memory mirror of the guide, so that a search or the tree reads MongoDB once:
the guide's version.

Why: the MongoDB-compatible server used locally costs ~0.13 ms per index entry a query
visits (measured: 226 ms for the 1,779 offices a two-letter prefix matches in a guide
of 5,000; 8–30 ms to fetch a page of 20 by id), so neither ranking the candidates of a
short prefix in the database nor fetching the page can meet a 20 ms goal there. The
guide is small (thousands of offices of about a kilobyte) and changes rarely, so each
service process keeps the offices and the same normalised prefix tokens it stores in
``offices.tokens``, as sets token → ids, and ranks with set operations.

Freshness: every office write stamps ``touched_at`` and ``$inc``s ``counters.guide``.
A search reads that version; when it moved, the mirror reloads the offices touched
since its previous load minus a minute (a margin for writes in flight while it read,
and for clocks of replicas a little apart) — a few documents, not the guide. Offices
are never deleted (they are deactivated), so nothing is missed. The ``tokens``
multikey index stays the database-side path (``handlers.search_offices`` without an
index) and what a real MongoDB answers fast.
"""
from __future__ import annotations

import datetime as dt
import threading

from . import domain
from .domain import ACRONYM, EXACT_NAME, KEYWORD, NAME_PREFIX, NAME_WORDS
from .store import Store

MARGIN = dt.timedelta(seconds=60)


class SearchIndex:
    def __init__(self):
        self.version: int | None = None
        self.loaded_at: dt.datetime | None = None
        self.docs: dict[str, dict] = {}
        self.tokens: dict[str, set[str]] = {}       # every prefix of every word → ids
        self.name_tokens: dict[str, set[str]] = {}  # prefixes of name and acronym words → ids
        self._of: dict[str, tuple[set[str], set[str]]] = {}  # id → its (tokens, name tokens)
        self.by_name: list[str] = []
        self._lock = threading.Lock()

    # -- loading ------------------------------------------------------------------
    def refresh(self, store: Store) -> None:
        """Bring the mirror up to date (one read when nothing changed)."""
        current = store.guide_version()
        if current == self.version:
            return
        with self._lock:
            if current == self.version:
                return
            started = dt.datetime.now(dt.timezone.utc)
            since = None if self.loaded_at is None else self.loaded_at - MARGIN
            for doc in store.mirror_rows(since):
                self._put(doc)
            self.by_name = sorted(self.docs, key=lambda i: (self.docs[i].get("name_norm", ""), i))
            self.version, self.loaded_at = current, started

    def _put(self, doc: dict) -> None:
        oid = doc["_id"]
        old_all, old_name = self._of.get(oid, (set(), set()))
        name_tokens = {t for w in doc.get("name_words") or [] for t in domain.prefixes(w)}
        all_tokens = name_tokens | {t for w in doc.get("other_words") or [] for t in domain.prefixes(w)}
        for t in old_all - all_tokens:
            self.tokens[t].discard(oid)
        for t in old_name - name_tokens:
            self.name_tokens[t].discard(oid)
        for t in all_tokens - old_all:
            self.tokens.setdefault(t, set()).add(oid)
        for t in name_tokens - old_name:
            self.name_tokens.setdefault(t, set()).add(oid)
        self._of[oid] = (all_tokens, name_tokens)
        self.docs[oid] = doc

    # -- reading ------------------------------------------------------------------
    def _keep(self, doc: dict, level, parent_id, include_inactive: bool) -> bool:
        return ((include_inactive or doc.get("active")) and (not level or doc.get("level") == level)
                and (not parent_id or parent_id in (doc.get("ancestors") or ())))

    def _matching(self, table: dict[str, set[str]], qwords: list[str]) -> set[str]:
        sets = [table.get(w[:domain.MAX_PREFIX], set()) for w in qwords]
        found = set.intersection(*sorted(sets, key=len)) if sets else set()
        long_words = [w for w in qwords if len(w) > domain.MAX_PREFIX]
        if long_words:  # tokens stop at MAX_PREFIX letters: check the rest of the word
            found = {i for i in found if all(any(x.startswith(w) for x in self.docs[i].get("name_words", []) +
                                                 self.docs[i].get("other_words", [])) for w in long_words)}
        return found

    def search(self, query: str, qwords: list[str], level, parent_id, include_inactive: bool,
               limit: int, offset: int) -> tuple[list[tuple[dict, int | None]], int]:
        """``([(office, rank)…] of the page, total)``; rank None without a query. The same
        tiers as ``domain.rank``, computed with set operations."""
        if not qwords:
            ids = [i for i in self.by_name if self._keep(self.docs[i], level, parent_id, include_inactive)]
            return [(self.docs[i], None) for i in ids[offset:offset + limit]], len(ids)
        found = self._matching(self.tokens, qwords)
        in_name = self._matching(self.name_tokens, qwords)
        q = domain.normalize(query)
        q_acronym = q.replace(" ", "")
        scored = []
        for i in found:
            d = self.docs[i]
            if not self._keep(d, level, parent_id, include_inactive):
                continue
            name = d.get("name_norm", "")
            if i not in in_name:
                r = KEYWORD
            elif name == q:
                r = EXACT_NAME
            elif d.get("acronym_norm") and d["acronym_norm"] == q_acronym:
                r = ACRONYM
            elif name.startswith(q):
                r = NAME_PREFIX
            else:
                r = NAME_WORDS
            scored.append((r, name, i))
        scored.sort()
        return [(self.docs[i], r) for r, _, i in scored[offset:offset + limit]], len(scored)

    def nodes(self, level, include_inactive: bool) -> list[dict]:
        """Every office the tree shows (as ``store.tree_nodes`` answers it)."""
        return [d for d in self.docs.values() if (include_inactive or d.get("active"))
                and (not level or d.get("level") == level)]
