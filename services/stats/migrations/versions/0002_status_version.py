"""The assignment version a fact reflects, so status events applied out of order never
move a report back; when it was closed.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("report_facts", sa.Column("version", sa.Integer, nullable=False, server_default="0"))
    op.add_column("report_facts", sa.Column("closed_at", sa.DateTime(timezone=True)))


def downgrade():
    op.drop_column("report_facts", "closed_at")
    op.drop_column("report_facts", "version")
