"""Persistence of intake: the reports table and the folio sequence."""
import sqlalchemy as sa

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


def next_folio(session) -> int:
    return session.execute(sa.select(folio_seq.next_value())).scalar_one()


def insert_report(session, row: dict) -> None:
    session.execute(sa.insert(reports).values(**row))


def by_folio(session, folio: int):
    return session.execute(sa.select(reports).where(reports.c.folio == folio)).mappings().first()


def by_idempotency_key(session, key: str):
    return session.execute(sa.select(reports).where(reports.c.idempotency_key == key)).mappings().first()
