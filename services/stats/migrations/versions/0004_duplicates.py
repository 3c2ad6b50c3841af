"""A report marked as a duplicate of another (routing.report_duplicate_marked): its fact
keeps the original's folio and counts apart. Existing facts are no duplicates until a
rebuild replays the log (``python -m stats.rebuild``).

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("report_facts", sa.Column("duplicate_of", sa.BigInteger))


def downgrade():
    op.drop_column("report_facts", "duplicate_of")
