"""The channel's own data (sacchannel.tables): contacts (the only place a citizen's
address on this medium lives), the reports it filed or is pending to file, and every
outgoing message with its delivery state.

Revision ID: 0002
"""
from alembic import op

from sacchannel.tables import create_channel_tables, drop_channel_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    create_channel_tables(op)


def downgrade():
    drop_channel_tables(op)
