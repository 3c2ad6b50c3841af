"""Read model of reports built from events.

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
    op.create_table(
        "report_facts",
        sa.Column("folio", sa.BigInteger, primary_key=True),
        sa.Column("petition_type", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("colonia", sa.Text),
        sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("report_facts_petition_idx", "report_facts", ["petition_type"])
    op.create_index("report_facts_status_idx", "report_facts", ["status"])
    op.create_index("report_facts_created_idx", "report_facts", ["created_at"])


def downgrade():
    op.drop_table("report_facts")
    drop_infra_tables(op)
