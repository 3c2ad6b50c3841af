"""deadletters' repository: every SQL statement of the service (over a unit of work)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert as pg_insert

from sacinfra.db import Repository

metadata = sa.MetaData()
dead_letters = sa.Table(
    "dead_letters", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("event_type", sa.Text), sa.Column("producer", sa.Text),
    sa.Column("queue", sa.Text, nullable=False), sa.Column("exchange", sa.Text, nullable=False),
    sa.Column("routing_key", sa.Text, nullable=False), sa.Column("reason", sa.Text, nullable=False),
    sa.Column("death_count", sa.Integer, nullable=False),
    sa.Column("first_death_at", sa.DateTime(timezone=True)),
    sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("content_type", sa.Text), sa.Column("content_encoding", sa.Text),
    sa.Column("headers", JSONB), sa.Column("payload", JSONB),
    sa.Column("body", sa.LargeBinary, nullable=False),
)
_d = dead_letters
_ORDER = (_d.c.first_death_at, _d.c.id)  # the order they died in


class Store(Repository):
    def add(self, row: dict) -> bool:
        """Insert one dead letter; False if that death was already stored."""
        done = self.session.execute(pg_insert(_d).values(**row).on_conflict_do_nothing().returning(_d.c.id))
        return done.first() is not None

    def count(self) -> int:
        return self.session.execute(sa.select(sa.func.count()).select_from(_d)).scalar_one()

    def page(self, queue: str | None, event_type: str | None, limit: int, offset: int) -> tuple[list, int]:
        where = [_d.c[name] == value for name, value in (("queue", queue), ("event_type", event_type)) if value]
        total = self.session.execute(sa.select(sa.func.count()).select_from(_d).where(*where)).scalar_one()
        rows = self.session.execute(sa.select(_d).where(*where).order_by(*_ORDER).limit(limit).offset(offset))
        return list(rows.mappings()), total

    def lock_for_replay(self, ids: list[int] | None, limit: int) -> list:
        """The chosen rows (all when ``ids`` is None: the oldest ``limit``), locked until
        the transaction ends so that two administrators cannot replay one twice."""
        query = sa.select(_d).order_by(*_ORDER)
        if ids is None:
            query = query.limit(limit).with_for_update(skip_locked=True)
        else:
            query = query.where(_d.c.id.in_(ids)).with_for_update()
        return list(self.session.execute(query).mappings())

    def delete(self, ids: list[int]) -> None:
        if ids:
            self.session.execute(sa.delete(_d).where(_d.c.id.in_(ids)))
