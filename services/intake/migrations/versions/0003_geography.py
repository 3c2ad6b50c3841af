"""Where a report falls on the municipality's map, as catalog derived it at filing: the
colonia (name, official key, postal code), the zone, the text the caller typed, and a
flag for a point outside the boundary accepted by setting.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("colonia_typed", "colonia_key", "postal_code", "zone")


def upgrade():
    for name in COLUMNS:
        op.add_column("reports", sa.Column(name, sa.Text))
    op.add_column("reports", sa.Column("outside_municipality", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column("reports", "outside_municipality")
    for name in reversed(COLUMNS):
        op.drop_column("reports", name)
