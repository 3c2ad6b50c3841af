"""A report marked as a duplicate of another (the original, never itself a duplicate).

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("assignments", sa.Column("duplicate_of", sa.BigInteger, sa.ForeignKey("assignments.folio")))
    op.create_index("assignments_duplicate_of_idx", "assignments", ["duplicate_of"],
                    postgresql_where=sa.text("duplicate_of IS NOT NULL"))


def downgrade():
    op.drop_index("assignments_duplicate_of_idx", "assignments")
    op.drop_column("assignments", "duplicate_of")
