"""Citizens who must not be surveyed or contacted: the opt-out list kept from citizens'
``citizen_opposed`` and ``citizen_cancelled`` events (numbers only).

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opt_outs",
        sa.Column("citizen_number", sa.BigInteger, primary_key=True),
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("scope IN ('surveys', 'contact', 'cancelled')", name="opt_out_scope_known"),
    )


def downgrade():
    op.drop_table("opt_outs")
