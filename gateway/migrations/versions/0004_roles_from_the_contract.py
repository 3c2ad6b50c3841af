"""A staff user's role is one of contracts/actor/roles.json's ``kind: staff`` roles, which
the gateway checks on every write (``auth.users.check_binding``): the CHECK that listed
the six roles of 2026 becomes one on the contract's shape of a role name, so that adding
a role to the contract needs no migration here.

Revision ID: 0004
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: the role names of 0001 (for the downgrade)
ROLES_0001 = ("operator", "agency_staff", "supervisor", "auditor", "admin", "block_leader")


def upgrade():
    op.drop_constraint("users_role_check", "users", type_="check")
    op.create_check_constraint("users_role_check", "users", "role ~ '^[a-z][a-z0-9_]{1,39}$'")


def downgrade():
    op.drop_constraint("users_role_check", "users", type_="check")
    op.create_check_constraint("users_role_check", "users",
                               "role IN (" + ", ".join(f"'{r}'" for r in ROLES_0001) + ")")
