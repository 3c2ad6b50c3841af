"""A report may come without coordinates (phoned in with colonia and street): ``lat`` and
``lon`` become optional (both or neither, checked on input).

Revision ID: 0005
"""
from alembic import op

revision = "0005"
down_revision = "0004_attachments"
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("reports", "lat", nullable=True)
    op.alter_column("reports", "lon", nullable=True)


def downgrade():
    op.alter_column("reports", "lon", nullable=False)
    op.alter_column("reports", "lat", nullable=False)
