"""Persistence of citizens (SQLAlchemy Core tables mirroring the migrations)."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = sa.MetaData()

citizens = sa.Table(
    "citizens", metadata,
    sa.Column("number", sa.BigInteger, primary_key=True,
              server_default=sa.text("nextval('citizen_number_seq')")),
    sa.Column("given_names", sa.Text), sa.Column("first_surname", sa.Text), sa.Column("second_surname", sa.Text),
    sa.Column("name_norm", sa.Text), sa.Column("sex", sa.Text), sa.Column("birth_date", sa.Date),
    sa.Column("phones", ARRAY(sa.Text)), sa.Column("email", sa.Text),
    sa.Column("colonia", sa.Text), sa.Column("colonia_norm", sa.Text), sa.Column("street", sa.Text),
    sa.Column("ext_number", sa.Text), sa.Column("postal_code", sa.Text), sa.Column("address_references", sa.Text),
    sa.Column("consent", sa.Boolean), sa.Column("privacy_notice_version", sa.Text), sa.Column("channel", sa.Text),
    sa.Column("created_by", sa.Text), sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("merged_into", sa.BigInteger), sa.Column("merged_at", sa.DateTime(timezone=True)),
    sa.Column("cancelled_at", sa.DateTime(timezone=True)), sa.Column("cancelled_by", sa.Text))

citizen_changes = sa.Table(
    "citizen_changes", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("number", sa.BigInteger),
    sa.Column("kind", sa.Text), sa.Column("author", sa.Text), sa.Column("reason", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)), sa.Column("before", JSONB), sa.Column("after", JSONB))

access_log = sa.Table(
    "personal_data_access_log", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("at", sa.DateTime(timezone=True)),
    sa.Column("username", sa.Text), sa.Column("role", sa.Text), sa.Column("citizen_number", sa.BigInteger),
    sa.Column("action", sa.Text), sa.Column("reason", sa.Text), sa.Column("block_leader_id", sa.BigInteger))

oppositions = sa.Table(
    "citizen_oppositions", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("number", sa.BigInteger),
    sa.Column("scope", sa.Text), sa.Column("reason", sa.Text), sa.Column("author", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True)))

block_leaders = sa.Table(
    "block_leaders", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("kind", sa.Text), sa.Column("block", sa.Text),
    sa.Column("colonia", sa.Text), sa.Column("lat", sa.Float), sa.Column("lon", sa.Float),
    sa.Column("accredited_on", sa.Date), sa.Column("status", sa.Text), sa.Column("full_name", sa.Text),
    sa.Column("phone", sa.Text), sa.Column("email", sa.Text), sa.Column("username", sa.Text),
    sa.Column("citizen_number", sa.BigInteger), sa.Column("created_by", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)), sa.Column("updated_at", sa.DateTime(timezone=True)),
    sa.Column("version", sa.Integer))
