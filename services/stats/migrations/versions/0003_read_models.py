"""Every statistic from events: the append-only log of consumed events, the full fact row
per report, pre-aggregated counts, interventions, follow-up calls, channel interactions,
directory consults, monthly closures and indicators.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "event_log",
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),  # <producer>.<event>
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("occurred_at", TS),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("received_at", TS, nullable=False, server_default=sa.func.now()),
    )
    # the log is append-only: the database refuses to change or delete a row of it
    op.execute("""CREATE FUNCTION stats_event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN RAISE EXCEPTION 'event_log es de solo anexado'; END $$""")
    op.execute("""CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log
                  FOR EACH ROW EXECUTE FUNCTION stats_event_log_append_only()""")

    for col in (sa.Column("kind", sa.Text), sa.Column("zone", sa.Text), sa.Column("lat", sa.Float),
                sa.Column("lon", sa.Float), sa.Column("created_by", sa.Text), sa.Column("started_at", TS),
                sa.Column("finished_at", TS), sa.Column("status_at", TS),
                sa.Column("viability", sa.Text, nullable=False, server_default="viable"),
                sa.Column("reassign_count", sa.Integer, nullable=False, server_default="0"),
                sa.Column("shared_count", sa.Integer, nullable=False, server_default="0"),
                sa.Column("reopen_count", sa.Integer, nullable=False, server_default="0"),
                sa.Column("survey_score", sa.Float), sa.Column("survey_resolved", sa.Boolean),
                sa.Column("survey_at", TS), sa.Column("hours_to_close", sa.Float),
                sa.Column("bhours_to_close", sa.Float), sa.Column("on_time", sa.Boolean),
                sa.Column("from_intake", sa.Boolean, nullable=False, server_default="false")):
        op.add_column("report_facts", col)
    op.alter_column("report_facts", "petition_type", nullable=True)
    op.alter_column("report_facts", "channel", nullable=True)
    op.alter_column("report_facts", "status", nullable=True)      # a fact seen first through a survey
    op.alter_column("report_facts", "created_at", nullable=True)  # or routing: intake fills these in
    op.drop_index("report_facts_petition_idx", "report_facts")
    op.drop_index("report_facts_status_idx", "report_facts")
    op.create_index("report_facts_open_due_idx", "report_facts", ["due_at"],
                    postgresql_where=sa.text("status IN ('captured', 'in_progress')"))
    op.create_index("report_facts_agency_created_idx", "report_facts", ["agency", "created_at"])
    op.create_index("report_facts_survey_idx", "report_facts", ["survey_at"],
                    postgresql_where=sa.text("survey_score IS NOT NULL"))

    # pre-aggregated figures: one row per family (c: counts, x: closed reports, h: histograms
    # of hours to close, g: sums of coordinates), dimension, scope ('*' or an agency), grain
    # (d: day, m: month), period, key and measure; the primary key is the index every query uses
    op.create_table(
        "agg_counts",
        sa.Column("family", sa.CHAR(1), nullable=False),
        sa.Column("dim", sa.Text, nullable=False), sa.Column("scope", sa.Text, nullable=False),
        sa.Column("grain", sa.CHAR(1), nullable=False), sa.Column("period", sa.Date, nullable=False),
        sa.Column("key", sa.Text, nullable=False), sa.Column("measure", sa.Text, nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("on_time", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("sum_h", sa.Float, nullable=False, server_default="0"),
        sa.Column("sum_bh", sa.Float, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("family", "dim", "scope", "grain", "period", "key", "measure"),
    )
    op.create_table(
        "interventions",
        sa.Column("intervention_id", sa.BigInteger, primary_key=True),
        sa.Column("folio", sa.BigInteger, nullable=False), sa.Column("kind", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False), sa.Column("agency", sa.Text),
        sa.Column("department", sa.Text), sa.Column("at", TS, nullable=False),
    )
    op.create_index("interventions_at_idx", "interventions", ["at"])
    op.create_table(
        "follow_up_calls",
        sa.Column("call_id", sa.BigInteger, primary_key=True), sa.Column("folio", sa.BigInteger),
        sa.Column("kind", sa.Text, nullable=False), sa.Column("logged_at", TS, nullable=False),
    )
    op.create_index("follow_up_calls_at_idx", "follow_up_calls", ["logged_at"])
    op.create_table(
        "channel_interactions",
        sa.Column("event_id", sa.Text, primary_key=True), sa.Column("channel", sa.Text, nullable=False),
        sa.Column("option", sa.Text, nullable=False), sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("conversation_id", sa.Text), sa.Column("occurred_at", TS, nullable=False),
    )
    op.create_index("channel_interactions_at_idx", "channel_interactions", ["occurred_at"])
    op.create_table(
        "directory_uses",
        sa.Column("event_id", sa.Text, primary_key=True), sa.Column("kind", sa.Text, nullable=False),
        sa.Column("office_id", sa.Text, nullable=False), sa.Column("channel", sa.Text, nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("directory_uses_at_idx", "directory_uses", ["at"])
    op.create_table(
        "names",  # display names of agencies and departments (catalog.department_changed)
        sa.Column("code", sa.Text, primary_key=True), sa.Column("agency", sa.Text),
        sa.Column("name", sa.Text, nullable=False), sa.Column("active", sa.Boolean),
    )
    op.create_table(
        "settings",  # what stats learnt from other services by RPC (the municipal calendar)
        sa.Column("key", sa.Text, primary_key=True), sa.Column("value", JSONB, nullable=False),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "monthly_closures",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("agency", sa.Text, nullable=False), sa.Column("month", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False), sa.Column("reason", sa.Text),
        sa.Column("figures", JSONB, nullable=False), sa.Column("generated_by", sa.Text, nullable=False),
        sa.Column("generated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("agency", "month", "version"),
    )
    op.execute("""CREATE FUNCTION stats_closure_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN RAISE EXCEPTION 'un cierre mensual no se modifica: se publica una nueva versión'; END $$""")
    op.execute("""CREATE TRIGGER monthly_closures_frozen BEFORE UPDATE OR DELETE ON monthly_closures
                  FOR EACH ROW EXECUTE FUNCTION stats_closure_frozen()""")
    op.create_table(
        "indicators",
        sa.Column("code", sa.Text, primary_key=True), sa.Column("name", sa.Text, nullable=False),
        sa.Column("formula", sa.Text, nullable=False), sa.Column("params", JSONB, nullable=False,
                                                                  server_default=sa.text("'{}'::jsonb")),
        sa.Column("frequency", sa.Text, nullable=False, server_default="monthly"),
        sa.Column("baseline", sa.Float), sa.Column("goal", sa.Float),
        sa.Column("goal_direction", sa.Text, nullable=False, server_default="at_least"),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.execute("""INSERT INTO indicators (code, name, formula, params, baseline, goal) VALUES
      ('atendidas_recibidas', 'Solicitudes atendidas / recibidas', 'attended_over_received', '{}', 0.80, 0.90),
      ('llamadas_seguimiento', 'Llamadas de seguimiento', 'count_follow_up_calls', '{"kind": "follow_up"}', 100, 150)""")


def downgrade():
    for t in ("indicators", "monthly_closures", "settings", "names", "directory_uses", "channel_interactions",
              "follow_up_calls", "interventions", "agg_counts"):
        op.drop_table(t)
    op.execute("DROP FUNCTION stats_closure_frozen() CASCADE")
    op.drop_table("event_log")
    op.execute("DROP FUNCTION stats_event_log_append_only() CASCADE")
    for name in ("report_facts_open_due_idx", "report_facts_agency_created_idx", "report_facts_survey_idx"):
        op.drop_index(name, "report_facts")
    for col in ("kind", "zone", "lat", "lon", "created_by", "started_at", "finished_at", "status_at", "viability",
                "reassign_count", "shared_count", "reopen_count", "survey_score", "survey_resolved", "survey_at",
                "hours_to_close", "bhours_to_close", "on_time", "from_intake"):
        op.drop_column("report_facts", col)
    op.create_index("report_facts_petition_idx", "report_facts", ["petition_type"])
    op.create_index("report_facts_status_idx", "report_facts", ["status"])
