"""Persistence of stats: read models only, built from events."""
import sqlalchemy as sa

metadata = sa.MetaData()

report_facts = sa.Table(
    "report_facts", metadata,
    sa.Column("folio", sa.BigInteger, primary_key=True), sa.Column("petition_type", sa.Text),
    sa.Column("channel", sa.Text), sa.Column("colonia", sa.Text), sa.Column("agency", sa.Text),
    sa.Column("department", sa.Text), sa.Column("status", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)), sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)), sa.Column("version", sa.Integer),
    sa.Column("closed_at", sa.DateTime(timezone=True)))
