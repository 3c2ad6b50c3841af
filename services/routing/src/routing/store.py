"""Persistence of routing: its tables and its repository (every write and every
single-report read; ``queries.py`` builds the SQL of the report lists).

``Repository`` is the interface the use cases in ``handlers`` see (no SQL in it, so the
unit tests give them an in-memory one); ``SqlRepository`` is the real one over a sacinfra
``UnitOfWork``: ``with repo:`` is the use case's transaction (commit at the end of the
block, rollback when it raises), and the outbox and processed-message claims travel in it.
"""
from __future__ import annotations

import math
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import BYTEA, JSONB, insert as pg_insert

metadata = sa.MetaData()

assignments = sa.Table(
    "assignments", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("petition_type", sa.Text),
    sa.Column("channel", sa.Text), sa.Column("agency", sa.Text), sa.Column("department", sa.Text),
    sa.Column("status", sa.Text), sa.Column("colonia", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)), sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("assigned_at", sa.DateTime(timezone=True)), sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer), sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("reassign_count", sa.Integer),
    # 0003 (queries)
    sa.Column("citizen_number", sa.BigInteger), sa.Column("kind", sa.Text), sa.Column("street", sa.Text),
    sa.Column("lat", sa.Float), sa.Column("lon", sa.Float), sa.Column("created_by", sa.Text),
    sa.Column("colonia_norm", sa.Text), sa.Column("street_norm", sa.Text),
    # 0006 (geography)
    sa.Column("zone", sa.Text), sa.Column("colonia_key", sa.Text),
    # 0007 (duplicates)
    sa.Column("duplicate_of", sa.BigInteger))

history = sa.Table(
    "history", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("kind", sa.Text), sa.Column("from_status", sa.Text), sa.Column("to_status", sa.Text),
    sa.Column("agency", sa.Text), sa.Column("department", sa.Text), sa.Column("author", sa.Text),
    sa.Column("text", sa.Text), sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("intervention_id", sa.BigInteger), sa.Column("version", sa.Integer))

interventions = sa.Table(
    "interventions", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("folio", sa.BigInteger),
    sa.Column("author", sa.Text), sa.Column("agency", sa.Text), sa.Column("department", sa.Text),
    sa.Column("kind", sa.Text), sa.Column("text", sa.Text), sa.Column("at", sa.DateTime(timezone=True)))

shares = sa.Table(
    "shares", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("agency", sa.Text),
    sa.Column("department", sa.Text, primary_key=True), sa.Column("shared_by", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)))

evidence = sa.Table(
    "evidence", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("intervention_id", sa.BigInteger),
    sa.Column("folio", sa.BigInteger), sa.Column("filename", sa.Text), sa.Column("content_type", sa.Text),
    sa.Column("size", sa.Integer), sa.Column("sha256", sa.Text), sa.Column("content", BYTEA),
    sa.Column("uploaded_by", sa.Text), sa.Column("at", sa.DateTime(timezone=True)))

#: 0005: routing's projection of catalog's departments (catalog.department_changed, bootstrap RPC)
departments = sa.Table(
    "departments", metadata,
    sa.Column("code", sa.Text, primary_key=True), sa.Column("agency", sa.Text), sa.Column("name", sa.Text),
    sa.Column("active", sa.Boolean), sa.Column("changed_at", sa.DateTime(timezone=True)))

#: 0006: routing rules by zone, their audit trail, and the nearby radius per petition type
zone_rules = sa.Table(
    "zone_rules", metadata,
    sa.Column("selector_kind", sa.Text, primary_key=True), sa.Column("selector", sa.Text, primary_key=True),
    sa.Column("zone", sa.Text, primary_key=True), sa.Column("agency", sa.Text), sa.Column("department", sa.Text),
    sa.Column("updated_by", sa.Text), sa.Column("updated_at", sa.DateTime(timezone=True)))
zone_rule_changes = sa.Table(
    "zone_rule_changes", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("selector_kind", sa.Text),
    sa.Column("selector", sa.Text), sa.Column("zone", sa.Text), sa.Column("author", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)), sa.Column("before", JSONB), sa.Column("after", JSONB))
nearby_radii = sa.Table(
    "nearby_radii", metadata,
    sa.Column("petition_type", sa.Text, primary_key=True), sa.Column("meters", sa.Integer),
    sa.Column("updated_by", sa.Text), sa.Column("updated_at", sa.DateTime(timezone=True)))
#: the open statuses, as the partial index assignments_nearby_idx (0006) names them
NEARBY_STATUSES = ("captured", "in_progress")
EARTH_RADIUS_M = 6_371_008.8
#: written as literals, so the planner matches the partial index's predicate whatever the plan
_OPEN_LITERAL = sa.text("assignments.status IN (" + ", ".join(f"'{s}'" for s in NEARBY_STATUSES) + ")")

EVIDENCE_METADATA = ("id", "intervention_id", "filename", "content_type", "size", "sha256")


class Repository:
    """What the use cases need from storage. ``with repo:`` is one transaction. Rows are
    plain dicts (column name → value)."""

    def __enter__(self):
        raise NotImplementedError

    def __exit__(self, exc_type, exc, tb):
        raise NotImplementedError


def repository(uow) -> Repository:
    """The repository of a worker's unit of work (a ``Repository`` passes through: the
    unit tests' in-memory one)."""
    return uow if isinstance(uow, Repository) else SqlRepository(uow)


class SqlRepository(Repository):
    """Routing's tables on PostgreSQL, in the transaction of a sacinfra ``UnitOfWork``."""

    def __init__(self, uow):
        self.uow = uow

    # -- the transaction, the outbox, idempotent consumers
    def __enter__(self) -> "SqlRepository":
        self.uow.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        return self.uow.__exit__(exc_type, exc, tb)

    def add_event(self, event_type: str, data: dict) -> dict:
        return self.uow.add_event(event_type, data)

    def add_events(self, events: list) -> list[dict]:
        return self.uow.add_events(events)

    def add_routed_events(self, exchange: str, events: list[dict]) -> list[dict]:
        return self.uow.add_routed_events(exchange, events)

    def claim(self, consumer: str, message_id: str) -> bool:
        return self.uow.claim(consumer, message_id)

    def claim_many(self, consumer: str, message_ids: list[str]) -> set[str]:
        return self.uow.claim_many(consumer, message_ids)

    def _all(self, stmt) -> list[dict]:
        return [dict(r) for r in self.uow.session.execute(stmt).mappings()]

    # -- assignments
    def insert_assignments(self, rows: list[dict]) -> dict[int, datetime]:
        """New assignments (a folio already there is skipped): {folio: assigned_at} of those inserted."""
        a = assignments  # executemany: compiled once and cached (``.values(rows)`` has no cache key)
        return {r.folio: r.assigned_at for r in self.uow.session.execute(
            pg_insert(a).on_conflict_do_nothing().returning(a.c.folio, a.c.assigned_at), rows)}

    def assignment(self, folio: int) -> dict | None:
        row = self.uow.session.execute(sa.select(assignments).where(assignments.c.folio == folio)).mappings().first()
        return dict(row) if row is not None else None

    def assignments(self, folios: list[int]) -> list[dict]:
        a = assignments
        return self._all(sa.select(a).where(a.c.folio == sa.any_(sa.literal(folios, sa.ARRAY(sa.BigInteger))))
                         .order_by(a.c.folio)) if folios else []

    def update_assignment(self, folio: int, version: int, values: dict) -> bool:
        """Optimistic locking: the change applies only if the row still has ``version``."""
        a = assignments
        return self.uow.session.execute(sa.update(a).where(a.c.folio == folio, a.c.version == version)
                                        .values(**values)).rowcount == 1

    def count_overdue(self, now: datetime, open_statuses) -> int:
        a = assignments
        return self.uow.session.execute(sa.select(sa.func.count()).select_from(a).where(
            a.c.status.in_(sorted(open_statuses)), a.c.due_at < now)).scalar_one()

    # -- shares
    def shares(self, folios: list[int]) -> list[dict]:
        s = shares
        return self._all(sa.select(s).where(s.c.folio.in_(folios)).order_by(s.c.folio, s.c.at, s.c.department)) \
            if folios else []

    def insert_share(self, **values) -> None:
        self.uow.session.execute(sa.insert(shares).values(**values))

    def delete_share(self, folio: int, department: str) -> None:
        self.uow.session.execute(sa.delete(shares).where(shares.c.folio == folio, shares.c.department == department))

    # -- history
    def insert_history(self, rows: list[dict]) -> None:
        self.uow.session.execute(sa.insert(history), rows)

    def history(self, folio: int) -> list[dict]:
        return self._all(sa.select(history).where(history.c.folio == folio).order_by(history.c.id))

    # -- interventions and their evidence
    def insert_intervention(self, **values) -> int:
        return self.uow.session.execute(sa.insert(interventions).values(**values)
                                        .returning(interventions.c.id)).scalar_one()

    def intervention(self, intervention_id: int) -> dict:
        i = interventions
        return dict(self.uow.session.execute(sa.select(i).where(i.c.id == intervention_id)).mappings().one())

    def interventions(self, folios: list[int]) -> list[dict]:
        """The interventions of ``folios``, oldest first."""
        i = interventions
        return self._all(sa.select(i).where(i.c.folio == sa.any_(sa.literal(folios, sa.ARRAY(sa.BigInteger))))
                         .order_by(i.c.id)) if folios else []

    def interventions_count(self, folio: int) -> int:
        i = interventions
        return self.uow.session.execute(sa.select(sa.func.count()).select_from(i).where(i.c.folio == folio)
                                        ).scalar_one()

    def insert_evidence(self, rows: list[dict]) -> list[int]:
        if not rows:
            return []
        return list(self.uow.session.execute(sa.insert(evidence).values(rows).returning(evidence.c.id)).scalars())

    def evidence_metadata(self, intervention_ids: list[int]) -> list[dict]:
        e = evidence
        return self._all(sa.select(*(e.c[c] for c in EVIDENCE_METADATA))
                         .where(e.c.intervention_id.in_(intervention_ids)).order_by(e.c.id)) \
            if intervention_ids else []

    def evidence_file(self, folio: int, evidence_id: int) -> dict | None:
        e = evidence
        row = self.uow.session.execute(sa.select(e).where(e.c.id == evidence_id, e.c.folio == folio)
                                       ).mappings().first()
        return dict(row) if row is not None else None

    # -- public status notes (Open311)
    def status_notes(self, folios: list[int]) -> list[dict]:
        """Per assigned folio: status, last change, the last intervention's text and the
        last not-viable reason."""
        a, h, i = assignments, history, interventions
        last_note = (sa.select(i.c.text).where(i.c.folio == a.c.folio).order_by(i.c.id.desc()).limit(1)
                     .correlate(a).scalar_subquery())
        last_reason = (sa.select(h.c.text).where(h.c.folio == a.c.folio, h.c.kind == "not_viable")
                       .order_by(h.c.id.desc()).limit(1).correlate(a).scalar_subquery())
        return self._all(sa.select(a.c.folio, a.c.status, a.c.updated_at, a.c.assigned_at, a.c.created_at,
                                   last_note.label("note"), last_reason.label("reason"))
                         .where(a.c.folio.in_(folios)).order_by(a.c.folio)) if folios else []

    # -- the departments' projection
    def department(self, code: str) -> dict | None:
        row = self.uow.session.execute(sa.select(departments).where(departments.c.code == code)).mappings().first()
        return dict(row) if row is not None else None

    def upsert_departments(self, rows: list[dict]) -> int:
        """Last write wins by ``changed_at``: a row replaces the stored one only if it is
        newer (or the stored one has no time) and says something else (so the periodic
        refresh from catalog's list writes nothing when nothing changed). Returns how many
        rows changed."""
        if not rows:
            return 0
        d = departments
        stmt = pg_insert(d).values(rows)
        return len(self.uow.session.execute(stmt.on_conflict_do_update(
            index_elements=[d.c.code],
            set_={"agency": stmt.excluded.agency, "name": stmt.excluded.name, "active": stmt.excluded.active,
                  "changed_at": stmt.excluded.changed_at},
            where=sa.and_(sa.or_(d.c.changed_at.is_(None), d.c.changed_at < stmt.excluded.changed_at),
                          sa.tuple_(d.c.agency, d.c.name, d.c.active).is_distinct_from(
                              sa.tuple_(stmt.excluded.agency, stmt.excluded.name, stmt.excluded.active))))
            .returning(d.c.code)).all())

    # -- zone rules (0006)
    def zone_rules_for(self, pairs: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], dict]:
        """The rules matching any of ``pairs`` (selector_kind, selector, zone), by that key."""
        if not pairs:
            return {}
        z = zone_rules
        rows = self._all(sa.select(z).where(sa.tuple_(z.c.selector_kind, z.c.selector, z.c.zone).in_(pairs)))
        return {(r["selector_kind"], r["selector"], r["zone"]): r for r in rows}

    def zone_rules(self, agency: str | None = None) -> list[dict]:
        z = zone_rules
        q = sa.select(z).order_by(z.c.zone, z.c.selector_kind, z.c.selector)
        return self._all(q.where(z.c.agency == agency) if agency else q)

    def zone_rule(self, selector_kind: str, selector: str, zone: str, lock: bool = False) -> dict | None:
        z = zone_rules
        q = sa.select(z).where(z.c.selector_kind == selector_kind, z.c.selector == selector, z.c.zone == zone)
        row = self.uow.session.execute(q.with_for_update() if lock else q).mappings().first()
        return dict(row) if row is not None else None

    def save_zone_rule(self, row: dict) -> None:
        stmt = pg_insert(zone_rules).values(**row)
        self.uow.session.execute(stmt.on_conflict_do_update(
            index_elements=["selector_kind", "selector", "zone"],
            set_={k: stmt.excluded[k] for k in ("agency", "department", "updated_by", "updated_at")}))

    def delete_zone_rule(self, selector_kind: str, selector: str, zone: str) -> None:
        z = zone_rules
        self.uow.session.execute(sa.delete(z).where(z.c.selector_kind == selector_kind, z.c.selector == selector,
                                                    z.c.zone == zone))

    def add_zone_rule_change(self, **values) -> None:
        self.uow.session.execute(sa.insert(zone_rule_changes).values(**values))

    def zone_rule_changes(self, agency: str | None = None, limit: int = 500) -> list[dict]:
        c = zone_rule_changes
        q = sa.select(c).order_by(c.c.id.desc()).limit(limit)
        if agency:
            q = q.where(sa.or_(c.c.before["agency"].astext == agency, c.c.after["agency"].astext == agency))
        return self._all(q)

    # -- nearby reports (0006)
    def nearby_radius(self, petition_type: str) -> int | None:
        return self.uow.session.execute(sa.select(nearby_radii.c.meters)
                                        .where(nearby_radii.c.petition_type == petition_type)).scalar()

    def save_nearby_radius(self, petition_type: str, meters: int, author: str, at) -> None:
        stmt = pg_insert(nearby_radii).values(petition_type=petition_type, meters=meters, updated_by=author,
                                              updated_at=at)
        self.uow.session.execute(stmt.on_conflict_do_update(
            index_elements=["petition_type"],
            set_={"meters": stmt.excluded.meters, "updated_by": author, "updated_at": at}))

    def nearby(self, petition_type: str, lat: float, lon: float, meters: int, limit: int) -> list[dict]:
        """Open reports of ``petition_type`` within ``meters`` of (lat, lon), closest first,
        with ``distance_m``: a lat/lon box on assignments_nearby_idx, then the exact
        haversine distance on the rows in the box."""
        a = assignments
        dlat = math.degrees(meters / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
        rlat, rlon = sa.func.radians(a.c.lat), sa.func.radians(a.c.lon)
        hav = (sa.func.power(sa.func.sin((rlat - math.radians(lat)) / 2), 2)
               + math.cos(math.radians(lat)) * sa.func.cos(rlat)
               * sa.func.power(sa.func.sin((rlon - math.radians(lon)) / 2), 2))
        distance = (2 * EARTH_RADIUS_M * sa.func.asin(sa.func.sqrt(sa.func.least(hav, 1.0)))).label("distance_m")
        inner = (sa.select(a.c.folio, a.c.petition_type, a.c.status, a.c.colonia, a.c.zone, a.c.lat, a.c.lon,
                           a.c.created_at, a.c.due_at, distance)
                 .where(a.c.petition_type == petition_type, _OPEN_LITERAL, a.c.duplicate_of.is_(None),
                        a.c.lat.between(lat - dlat, lat + dlat), a.c.lon.between(lon - dlon, lon + dlon))
                 .subquery())
        return self._all(sa.select(inner).where(inner.c.distance_m <= meters)
                         .order_by(inner.c.distance_m, inner.c.folio).limit(limit))

    # -- duplicates (0007)
    def duplicates(self, folio: int) -> list[int]:
        """The folios marked as duplicates of ``folio``."""
        a = assignments
        return list(self.uow.session.execute(sa.select(a.c.folio).where(a.c.duplicate_of == folio)
                                             .order_by(a.c.folio)).scalars())
