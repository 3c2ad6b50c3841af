"""Reports as received, the folio sequence, outbox and processed messages.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from sacinfra.db import create_infra_tables, drop_infra_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_infra_tables(op)
    op.execute("CREATE SEQUENCE folio_seq START WITH 1 CACHE 1")
    op.create_table(
        "reports",
        sa.Column("folio", sa.BigInteger, primary_key=True),
        sa.Column("petition_type", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("citizen_number", sa.BigInteger),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("colonia", sa.Text, nullable=False),
        sa.Column("street", sa.Text, nullable=False),
        sa.Column("number", sa.Text),
        sa.Column("references", sa.Text),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("sla_amount", sa.Integer, nullable=False),
        sa.Column("sla_unit", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.Text, unique=True),
        sa.Column("tracking_token", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text),
    )
    op.create_index("reports_created_at_idx", "reports", ["created_at"])
    op.create_index("reports_citizen_idx", "reports", ["citizen_number"])


def downgrade():
    op.drop_table("reports")
    op.execute("DROP SEQUENCE folio_seq")
    drop_infra_tables(op)
