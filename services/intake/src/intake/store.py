"""Persistence of intake: the reports table and the folio sequence."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

metadata = sa.MetaData()

reports = sa.Table(
    "reports", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True),
    sa.Column("petition_type", sa.Text), sa.Column("channel", sa.Text),
    sa.Column("description", sa.Text), sa.Column("citizen_number", sa.BigInteger),
    sa.Column("lat", sa.Float), sa.Column("lon", sa.Float),
    sa.Column("colonia", sa.Text), sa.Column("street", sa.Text),
    sa.Column("number", sa.Text), sa.Column("references", sa.Text),
    sa.Column("agency", sa.Text), sa.Column("department", sa.Text),
    sa.Column("sla_amount", sa.Integer), sa.Column("sla_unit", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)), sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("idempotency_key", sa.Text), sa.Column("tracking_token", sa.Text),
    sa.Column("created_by", sa.Text),
)

folio_seq = sa.Sequence("folio_seq")

#: numbers whose holder exercised ARCO cancellation (see rights.py): no new reports
cancelled_citizens = sa.Table(
    "cancelled_citizens", metadata,
    sa.Column("number", sa.BigInteger, primary_key=True), sa.Column("at", sa.DateTime(timezone=True)),
)


def cancelled_among(session, numbers) -> set[int]:
    """Which of ``numbers`` belong to a cancelled citizen (one indexed query)."""
    c = cancelled_citizens
    return set(session.execute(sa.select(c.c.number).where(c.c.number.in_(list(numbers)))).scalars())


def next_folios(session, n: int) -> list[int]:
    """``n`` folios from the sequence, ascending, in one round trip."""
    if n == 0:
        return []
    return list(session.execute(sa.text("SELECT nextval('folio_seq') FROM generate_series(1, :n) ORDER BY 1"),
                                {"n": n}).scalars())


def insert_reports(session, rows: list[dict]) -> set[int]:
    """Insert in one executemany (SQLAlchemy batches it into multi-row statements and
    caches the compiled form); returns the folios inserted (a row whose idempotency key
    another transaction stored first is skipped)."""
    if not rows:
        return set()
    stmt = (pg_insert(reports).on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(reports.c.folio))
    return set(session.execute(stmt, rows).scalars())


def by_folio(session, folio: int):
    return session.execute(sa.select(reports).where(reports.c.folio == folio)).mappings().first()


def by_idempotency_keys(session, keys) -> dict:
    rows = session.execute(sa.select(reports).where(reports.c.idempotency_key.in_(list(keys)))).mappings()
    return {r["idempotency_key"]: r for r in rows}
