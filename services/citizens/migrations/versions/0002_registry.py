"""Citizen registry: citizens (number from a sequence, normalised name for search and
duplicate checks), rectification history, personal-data access log.

``name_norm`` and ``colonia_norm`` are computed in Python at write time (lower case, no
accents, single spaces: ``citizens.normalize``), so the trigram index needs no
``unaccent()`` (not immutable) in its expression; queries are normalised the same way.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE SEQUENCE citizen_number_seq START 1")
    op.create_table(
        "citizens",
        sa.Column("number", sa.BigInteger, primary_key=True,
                  server_default=sa.text("nextval('citizen_number_seq')")),
        sa.Column("given_names", sa.Text, nullable=False),
        sa.Column("first_surname", sa.Text, nullable=False),
        sa.Column("second_surname", sa.Text),
        sa.Column("name_norm", sa.Text, nullable=False),
        sa.Column("sex", sa.Text),
        sa.Column("birth_date", sa.Date),
        sa.Column("phones", ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")),
        sa.Column("email", sa.Text),
        sa.Column("colonia", sa.Text),
        sa.Column("colonia_norm", sa.Text),
        sa.Column("street", sa.Text),
        sa.Column("ext_number", sa.Text),
        sa.Column("postal_code", sa.Text),
        sa.Column("address_references", sa.Text),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("privacy_notice_version", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("merged_into", sa.BigInteger, sa.ForeignKey("citizens.number")),
        sa.Column("merged_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("sex IN ('female', 'male', 'nonbinary', 'unspecified')", name="sex_known"),
        sa.CheckConstraint("postal_code ~ '^[0-9]{5}$'", name="postal_code_5_digits"),
        sa.CheckConstraint("merged_into IS NULL OR merged_into <> number", name="not_merged_into_itself"),
    )
    op.execute("ALTER SEQUENCE citizen_number_seq OWNED BY citizens.number")
    op.execute("CREATE INDEX citizens_name_norm_trgm ON citizens USING gin (name_norm gin_trgm_ops)")
    op.execute("CREATE INDEX citizens_phones_gin ON citizens USING gin (phones)")
    op.create_index("citizens_name_colonia_idx", "citizens", ["name_norm", "colonia_norm"])
    op.create_index("citizens_merged_into_idx", "citizens", ["merged_into"],
                    postgresql_where=sa.text("merged_into IS NOT NULL"))
    op.create_table(
        "citizen_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("number", sa.BigInteger, sa.ForeignKey("citizens.number"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("before", JSONB, nullable=False),
        sa.Column("after", JSONB, nullable=False),
        sa.CheckConstraint("kind IN ('rectification', 'merge')", name="change_kind_known"),
    )
    op.create_index("citizen_changes_number_idx", "citizen_changes", ["number", "id"])
    op.create_table(
        "personal_data_access_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("citizen_number", sa.BigInteger),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("access_log_citizen_idx", "personal_data_access_log", ["citizen_number", "at"])
    op.create_index("access_log_username_idx", "personal_data_access_log", ["username", "at"])
    op.create_index("access_log_at_idx", "personal_data_access_log", ["at"])


def downgrade():
    op.drop_table("personal_data_access_log")
    op.drop_table("citizen_changes")
    op.drop_table("citizens")
