"""Agencies, departments, petition types, channels, calendar and change history.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from sacinfra.db import create_infra_tables, drop_infra_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_infra_tables(op)
    op.create_table(
        "agencies",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "departments",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("agency", sa.Text, sa.ForeignKey("agencies.code"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "petition_types",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("sla_amount", sa.Integer, nullable=False),
        sa.Column("sla_unit", sa.Text, nullable=False),
        sa.Column("agency", sa.Text, sa.ForeignKey("agencies.code"), nullable=False),
        sa.Column("department", sa.Text, sa.ForeignKey("departments.code"), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("attributes", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("sla_amount >= 0", name="sla_amount_non_negative"),
        sa.CheckConstraint("sla_unit IN ('calendar_days','business_days','business_hours')", name="sla_unit_known"),
    )
    op.create_table(
        "channels",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "calendar",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "petition_type_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("before", JSONB),
        sa.Column("after", JSONB, nullable=False),
    )


def downgrade():
    for t in ("petition_type_changes", "calendar", "channels", "petition_types", "departments", "agencies"):
        op.drop_table(t)
    drop_infra_tables(op)
