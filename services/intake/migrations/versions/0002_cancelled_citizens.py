"""Citizen numbers whose holder exercised ARCO cancellation: no new report is filed with
them (the person registers again, with a new number). Numbers only, no personal data.

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
        "cancelled_citizens",
        sa.Column("number", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("cancelled_citizens")
