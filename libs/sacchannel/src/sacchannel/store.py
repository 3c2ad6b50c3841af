"""The channel's repository over a sacinfra unit of work: the only module that writes SQL."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sqlalchemy.dialects.postgresql import ARRAY

from sacinfra.db import outbox_row, outbox_table

from .tables import access_log, contacts, filings, messages

INTERACTIONS_EXCHANGE = "channels.events"
#: what a pending filing may hold of the citizen's own (the text, the files, the media
#: ids): erased by ARCO cancellation; the files leave once intake has them
PRIVATE_PAYLOAD = ["description", "_attachments", "_media", "_too_large", "_not_evidence"]  # file names too
FILES_PAYLOAD = ["_attachments", "_media"]


class Store:
    """The channel's repository over one unit of work."""

    def __init__(self, uow):
        self.uow = uow
        self.s = uow.session

    # -- contacts -----------------------------------------------------------------
    def contact_for(self, address: str, now: datetime) -> dict:
        """The contact of ``address`` (created on first contact), locked for this transaction."""
        self.s.execute(pg_insert(contacts).values(address=address, conversation_id=secrets.token_hex(12),
                                                  created_at=now)
                       .on_conflict_do_nothing(index_elements=["address"]))
        return dict(self.s.execute(sa.select(contacts).where(contacts.c.address == address)
                                   .with_for_update()).mappings().one())

    def contact(self, contact_id: int) -> dict | None:
        row = self.s.execute(sa.select(contacts).where(contacts.c.id == contact_id)).mappings().first()
        return dict(row) if row else None

    def update_contact(self, contact_id: int, **values) -> None:
        self.s.execute(sa.update(contacts).where(contacts.c.id == contact_id).values(**values))

    def contacts_of_citizens(self, numbers: list[int]) -> list[dict]:
        """Contacts linked to those citizen numbers, directly or by a report filed under them."""
        by_filing = sa.select(filings.c.contact_id).where(
            filings.c.payload["citizen_number"].as_integer().in_(numbers))
        rows = self.s.execute(sa.select(contacts).where(
            sa.or_(contacts.c.citizen_number.in_(numbers), contacts.c.id.in_(by_filing)))
            .order_by(contacts.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def erase_contacts(self, ids: list[int], now: datetime) -> int:
        """ARCO cancellation: the address, the conversation in progress and the text of
        every message to it are erased; folios and delivery states stay (countable)."""
        if not ids:
            return 0
        n = self.s.execute(sa.update(contacts).where(contacts.c.id.in_(ids), contacts.c.erased_at.is_(None))
                           .values(address=None, step=None, data={}, erased_at=now, opted_out_at=now)).rowcount
        self.s.execute(sa.update(messages).where(messages.c.contact_id.in_(ids))
                       .values(body={"erased": True},
                               state=sa.case((messages.c.state == "queued", "failed"), else_=messages.c.state),
                               last_error=sa.case((messages.c.state == "queued", "erased"),
                                                  else_=messages.c.last_error)))
        self.s.execute(sa.update(filings).where(filings.c.contact_id.in_(ids))
                       .values(payload=filings.c.payload.op("-")(sa.cast(PRIVATE_PAYLOAD, ARRAY(sa.Text)))))
        return n

    # -- filings --------------------------------------------------------------------
    def add_filing(self, key: str, contact_id: int, payload: dict) -> None:
        self.s.execute(pg_insert(filings).values(idempotency_key=key, contact_id=contact_id, payload=payload)
                       .on_conflict_do_nothing())

    def pending_filings(self, limit: int = 50, keys: list[str] | None = None) -> list[dict]:
        q = sa.select(filings).where(filings.c.status == "pending")
        if keys is not None:
            q = q.where(filings.c.idempotency_key.in_(keys))
        rows = self.s.execute(q.order_by(filings.c.created_at).limit(limit)
                              .with_for_update(skip_locked=True)).mappings().all()
        return [dict(r) for r in rows]

    def mark_filed(self, key: str, report: dict, now: datetime) -> None:
        self.s.execute(sa.update(filings).where(filings.c.idempotency_key == key).values(
            status="filed", folio=report["folio"], tracking_token=report.get("tracking_token"),
            due_at=str(report.get("due_at") or ""), filed_at=now,
            payload=filings.c.payload.op("-")(sa.cast(FILES_PAYLOAD, ARRAY(sa.Text)))))  # intake keeps the files

    def mark_refused(self, key: str, error: str) -> None:
        self.s.execute(sa.update(filings).where(filings.c.idempotency_key == key)
                       .values(status="refused", error=error[:500]))

    def filing_of_folio(self, folio: int) -> dict | None:
        row = self.s.execute(sa.select(filings).where(filings.c.folio == folio)).mappings().first()
        return dict(row) if row else None

    def last_closed_filing(self, contact_id: int) -> dict | None:
        row = self.s.execute(sa.select(filings).where(filings.c.contact_id == contact_id,
                                                      filings.c.closed_at.is_not(None))
                             .order_by(filings.c.closed_at.desc()).limit(1)).mappings().first()
        return dict(row) if row else None

    def set_closed(self, folio: int, closed_at: datetime | None) -> None:
        self.s.execute(sa.update(filings).where(filings.c.folio == folio).values(closed_at=closed_at))

    def filings_of_contacts(self, ids: list[int]) -> list[dict]:
        rows = self.s.execute(sa.select(filings.c.folio, filings.c.status, filings.c.created_at,
                                        filings.c.contact_id, filings.c.payload, filings.c.error,
                                        filings.c.filed_at, filings.c.closed_at)
                              .where(filings.c.contact_id.in_(ids)).order_by(filings.c.created_at)).mappings()
        return [dict(r) for r in rows]

    # -- outgoing messages ------------------------------------------------------------
    def queue_message(self, contact_id: int, cause: str, kind: str, body: dict, folio: int | None = None,
                      now: datetime | None = None) -> bool:
        """One message per ``cause`` (an event id, an inbound message id…): False if it
        was already queued (a redelivered event changes nothing)."""
        values = dict(contact_id=contact_id, cause=cause, kind=kind, body=body, folio=folio)
        if now is not None:
            values["next_attempt_at"] = now
        stmt = pg_insert(messages).values(**values).on_conflict_do_nothing(index_elements=["cause"])
        return self.s.execute(stmt.returning(messages.c.id)).first() is not None

    def due_messages(self, now: datetime, limit: int) -> list[dict]:
        """Queued messages whose time has come, locked (SKIP LOCKED: replicas share them)."""
        rows = self.s.execute(
            sa.select(messages, contacts.c.address, contacts.c.last_inbound_at)
            .join(contacts, contacts.c.id == messages.c.contact_id)
            .where(messages.c.state == "queued", messages.c.next_attempt_at <= now)
            .order_by(messages.c.id).limit(limit)
            .with_for_update(of=messages, skip_locked=True)).mappings().all()
        return [dict(r) for r in rows]

    def update_message(self, message_id: int, **values) -> None:
        self.s.execute(sa.update(messages).where(messages.c.id == message_id).values(**values))

    def mark_delivery(self, provider_id: str, status: str, now: datetime) -> int:
        values = {"state": "delivered", "delivered_at": now} if status in ("delivered", "read") else \
            {"state": "failed", "last_error": "el proveedor informó que no se entregó"}
        return self.s.execute(sa.update(messages).where(messages.c.provider_id == provider_id,
                                                        messages.c.state.in_(("sent", "delivered")))
                              .values(**values)).rowcount

    def messages_of(self, contact_ids: list[int]) -> list[dict]:
        rows = self.s.execute(sa.select(messages.c.id, messages.c.contact_id, messages.c.folio, messages.c.kind,
                                        messages.c.state,
                                        messages.c.body, messages.c.created_at, messages.c.sent_at,
                                        messages.c.delivered_at)
                              .where(messages.c.contact_id.in_(contact_ids)).order_by(messages.c.id)).mappings()
        return [dict(r) for r in rows]

    def message_states(self) -> dict:
        return dict(self.s.execute(sa.select(messages.c.state, sa.func.count()).group_by(messages.c.state)).all())

    # -- ARCO ---------------------------------------------------------------------------
    def log_access(self, actor: dict, action: str, numbers: list[int], reason: str | None, contacts: int) -> None:
        self.s.execute(sa.insert(access_log).values(actor=actor, action=action, citizen_numbers=numbers,
                                                    reason=reason, contacts=contacts))

    # -- events -----------------------------------------------------------------------
    def add_interaction(self, data: dict) -> None:
        """``channels.channel_interaction_recorded`` through the outbox (producer
        ``channels``, as the statistics contract says)."""
        row = outbox_row("channels", "channel_interaction_recorded", data, exchange=INTERACTIONS_EXCHANGE)
        self.s.execute(sa.insert(outbox_table).values(**row))
