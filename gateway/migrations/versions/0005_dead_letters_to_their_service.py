"""Dead letters are kept by the deadletters service (services/deadletters, its own
database) since the gateway went back to being an edge: the gateway's table goes.
The migration refuses to drop a table that still holds dead letters (they would be lost):
replay them first with the gateway of before (POST /v1/admin/dead-letters/replay
{"all": true}); those that fail again land in sac.dead-letter, which the new service keeps.

Revision ID: 0005
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM dead_letters")).scalar_one()
    if waiting:
        raise RuntimeError(f"La tabla dead_letters del gateway aún tiene {waiting} mensajes muertos: reenvíelos "
                           "antes de migrar (POST /v1/admin/dead-letters/replay con {\"all\": true}).")
    op.drop_table("dead_letters")


def downgrade():  # the table of 0003, empty
    spec = importlib.util.spec_from_file_location("gateway_0003", Path(__file__).with_name("0003_dead_letters.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.upgrade()
