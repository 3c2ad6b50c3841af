"""Assignments (current agency/department and status) and their history.

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
        "assignments",
        sa.Column("folio", sa.BigInteger, primary_key=True),
        sa.Column("petition_type", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("colonia", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("assignments_agency_status_idx", "assignments", ["agency", "department", "status", "created_at"])
    op.create_table(
        "history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("folio", sa.BigInteger, sa.ForeignKey("assignments.folio"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text),
        sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("history_folio_idx", "history", ["folio", "id"])


def downgrade():
    op.drop_table("history")
    op.drop_table("assignments")
    drop_infra_tables(op)
