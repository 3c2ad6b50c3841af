"""Persistence of catalog (SQLAlchemy Core tables mirroring the migrations)."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

agencies = sa.Table("agencies", metadata, sa.Column("code", sa.Text, primary_key=True),
                    sa.Column("name", sa.Text), sa.Column("active", sa.Boolean))
departments = sa.Table("departments", metadata, sa.Column("code", sa.Text, primary_key=True),
                       sa.Column("agency", sa.Text), sa.Column("name", sa.Text), sa.Column("active", sa.Boolean))
petition_types = sa.Table(
    "petition_types", metadata,
    sa.Column("code", sa.Text, primary_key=True), sa.Column("name", sa.Text), sa.Column("kind", sa.Text),
    sa.Column("description", sa.Text), sa.Column("sla_amount", sa.Integer), sa.Column("sla_unit", sa.Text),
    sa.Column("agency", sa.Text), sa.Column("department", sa.Text), sa.Column("active", sa.Boolean),
    sa.Column("attributes", JSONB), sa.Column("version", sa.Integer),
    sa.Column("updated_at", sa.DateTime(timezone=True)))
channels = sa.Table("channels", metadata, sa.Column("code", sa.Text, primary_key=True),
                    sa.Column("name", sa.Text), sa.Column("active", sa.Boolean))
calendar = sa.Table("calendar", metadata, sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("data", JSONB), sa.Column("updated_at", sa.DateTime(timezone=True)))
petition_type_changes = sa.Table(
    "petition_type_changes", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("code", sa.Text), sa.Column("version", sa.Integer),
    sa.Column("author", sa.Text), sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("before", JSONB), sa.Column("after", JSONB))
