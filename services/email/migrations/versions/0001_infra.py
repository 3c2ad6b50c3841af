"""Infrastructure tables: outbox and processed messages.

Revision ID: 0001
"""
from alembic import op

from sacinfra.db import create_infra_tables, drop_infra_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    create_infra_tables(op)


def downgrade():
    drop_infra_tables(op)
