"""Staff users, revoked tokens, failed logins and the audit log.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROLES = ("operator", "agency_staff", "supervisor", "auditor", "admin", "block_leader")


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="users_role_check"),
        sa.CheckConstraint("username = lower(username)", name="users_username_lower"),
        sa.CheckConstraint("(role = 'agency_staff') = (agency IS NOT NULL)", name="users_agency_staff_agency"),
        sa.CheckConstraint("department IS NULL OR role = 'agency_staff'", name="users_department_staff_only"),
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.Text, primary_key=True),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("revoked_tokens_expires_idx", "revoked_tokens", ["expires_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("username", sa.Text, nullable=False),
        sa.Column("ip", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("login_failures_key_idx", "login_failures", ["username", "ip", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor_id", sa.BigInteger),
        sa.Column("actor", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("ip", sa.Text),
        sa.Column("detail", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.create_index("audit_log_at_idx", "audit_log", ["at"])
    op.create_index("audit_log_actor_idx", "audit_log", ["actor", "at"])
    op.create_index("audit_log_action_idx", "audit_log", ["action", "at"])
    # the audit trail is append-only: no UPDATE or DELETE, even by a buggy gateway
    op.execute("""
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
        CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
    """)


def downgrade():
    op.execute("DROP TRIGGER audit_log_no_change ON audit_log; DROP FUNCTION audit_log_append_only()")
    op.drop_table("audit_log")
    op.drop_table("login_failures")
    op.drop_table("revoked_tokens")
    op.drop_table("users")
