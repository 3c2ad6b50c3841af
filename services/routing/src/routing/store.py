"""Persistence of routing."""
import sqlalchemy as sa

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
    sa.Column("colonia_norm", sa.Text), sa.Column("street_norm", sa.Text))

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
