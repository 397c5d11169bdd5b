"""Notifications gain a kind, the need / offer / partnership they concern, and a once-only key

Revision ID: f0a1b2c3d4e5
Revises: e5a7c9d1b3f2
"""

import sqlalchemy as sa
from alembic import op

revision = "f0a1b2c3d4e5"
down_revision = "e5a7c9d1b3f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(30), nullable=False, server_default="match_changed"))
        batch_op.add_column(sa.Column("need_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("offer_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("partnership_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(120), nullable=True))
        batch_op.create_index("ix_notifications_need_id", ["need_id"], unique=False)
        batch_op.create_index("ix_notifications_offer_id", ["offer_id"], unique=False)
        batch_op.create_index("ix_notifications_partnership_id", ["partnership_id"], unique=False)
        batch_op.create_index("ix_notifications_user_created", ["user_id", "created_at"], unique=False)
        batch_op.create_unique_constraint("uq_notifications_user_dedupe", ["user_id", "dedupe_key"])


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notifications_user_dedupe", type_="unique")
        batch_op.drop_index("ix_notifications_user_created")
        batch_op.drop_index("ix_notifications_partnership_id")
        batch_op.drop_index("ix_notifications_offer_id")
        batch_op.drop_index("ix_notifications_need_id")
        for col in ("dedupe_key", "partnership_id", "offer_id", "need_id", "kind"):
            batch_op.drop_column(col)
