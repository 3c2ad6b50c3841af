"""Who read what the channel holds about a citizen (ARCO access): sacchannel's
``access_log`` (numbers, actor, reason; never an address).

Revision ID: 0003
"""
from alembic import op

from sacchannel.tables import create_channel_tables, drop_access_log

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    create_channel_tables(op)  # creates only what is missing: access_log


def downgrade():
    drop_access_log(op)
