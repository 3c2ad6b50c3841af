"""Persistence of surveys (SQLAlchemy Core tables mirroring the migrations)."""
import sqlalchemy as sa

metadata = sa.MetaData()

opt_outs = sa.Table(
    "opt_outs", metadata,
    sa.Column("citizen_number", sa.BigInteger, primary_key=True), sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True)), sa.Column("event_id", sa.Text),
    sa.Column("recorded_at", sa.DateTime(timezone=True)))
