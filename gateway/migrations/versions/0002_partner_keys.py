"""Partner API keys: channel keys (a partner app or chatbot files reports of one channel)
and department keys (a department's own system reads and writes back its reports).
Only a SHA-256 of the secret is stored; the secret is shown once, when the key is made.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCOPES = ("reports:create", "reports:read", "reports:write", "open311")


def upgrade():
    op.create_table(
        "api_keys",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("channel", sa.Text),
        sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("scopes", ARRAY(sa.Text), nullable=False),
        sa.Column("rate_limit", sa.Integer, nullable=False),
        sa.Column("key_prefix", sa.Text, nullable=False),
        sa.Column("key_hash", sa.Text, nullable=False, unique=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_by", sa.Text),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("kind IN ('channel', 'department')", name="api_keys_kind_check"),
        sa.CheckConstraint("name = lower(name)", name="api_keys_name_lower"),
        sa.CheckConstraint("(kind = 'channel') = (channel IS NOT NULL)", name="api_keys_channel_binding"),
        sa.CheckConstraint("(kind = 'department') = (agency IS NOT NULL AND department IS NOT NULL)",
                           name="api_keys_department_binding"),
        sa.CheckConstraint("kind = 'department' OR (agency IS NULL AND department IS NULL)",
                           name="api_keys_channel_no_department"),
        sa.CheckConstraint("scopes <@ ARRAY[" + ", ".join(f"'{s}'" for s in SCOPES) + "]::text[]",
                           name="api_keys_scopes_check"),
        sa.CheckConstraint("rate_limit > 0", name="api_keys_rate_limit_positive"),
        sa.CheckConstraint("active OR revoked_at IS NOT NULL", name="api_keys_revoked_when_inactive"),
    )


def downgrade():
    op.drop_table("api_keys")
