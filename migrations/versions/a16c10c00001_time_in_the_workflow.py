"""Time in the workflow: match deadlines, expiry and escalation; stale and duplicate needs; failed and
backed-off deliveries; LINE as a channel

Revision ID: a16c10c00001
Revises: f0a1b2c3d4e5
"""

import sqlalchemy as sa
from alembic import op

revision = "a16c10c00001"
down_revision = "f0a1b2c3d4e5"
branch_labels = None
depends_on = None

_OLD = (
    "'proposed', 'pledged', 'district_approved', 'approved', 'delivered', 'completed', 'declined', "
    "'rejected', 'withdrawn'"
)
_NEW = _OLD + ", 'expired'"


def upgrade():
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_matches_due_on"), ["due_on"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_matches_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_matches_status"), f"status IN ({_NEW})")
    with op.batch_alter_table("match_transitions", schema=None) as batch_op:
        batch_op.alter_column("actor_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("review_requested_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("expired", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("possible_duplicates", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_index(
            batch_op.f("ix_needs_review_requested_on"), ["review_requested_on"], unique=False
        )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_error", sa.String(300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("email_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("email_claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("line_status", sa.String(10), nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("line_attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("line_error", sa.String(300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("line_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_line_status"), ["line_status"], unique=False)
    op.create_table(
        "line_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("link_code", sa.String(16), nullable=True),
        sa.Column("line_user_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_line_links_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_links")),
        sa.UniqueConstraint("user_id", name=op.f("uq_line_links_user_id")),
        sa.UniqueConstraint("link_code", name=op.f("uq_line_links_link_code")),
        sa.UniqueConstraint("line_user_id", name=op.f("uq_line_links_line_user_id")),
    )
    op.create_table(
        "channel_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("line", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_channel_preferences_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_preferences")),
        sa.UniqueConstraint("user_id", "kind", name="uq_channel_preferences_user_kind"),
    )
    with op.batch_alter_table("channel_preferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_preferences_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("channel_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_preferences_user_id"))
    op.drop_table("channel_preferences")
    op.drop_table("line_links")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_line_status"))
        for col in (
            "line_next_at",
            "line_error",
            "line_attempts",
            "line_status",
            "email_claimed_at",
            "email_next_at",
            "email_error",
        ):
            batch_op.drop_column(col)
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_review_requested_on"))
        for col in ("possible_duplicates", "expired_at", "expired", "review_requested_on", "reviewed_at"):
            batch_op.drop_column(col)
    op.execute("UPDATE matches SET status = 'withdrawn' WHERE status = 'expired'")
    with op.batch_alter_table("match_transitions", schema=None) as batch_op:
        batch_op.alter_column("actor_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("matches", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_matches_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_matches_status"), f"status IN ({_OLD})")
        batch_op.drop_index(batch_op.f("ix_matches_due_on"))
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("due_on")
