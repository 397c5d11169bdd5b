"""Indexes for the needs lists at national scale: a covering index for counts, one per sort order

Revision ID: c4d8e2f1a7b3
Revises: b7e4c1a9d2f0
"""
from alembic import op

revision = "c4d8e2f1a7b3"
down_revision = "b7e4c1a9d2f0"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_needs_list_cover", ["cancelled", "category", "urgency_rank", "school_id", "committed_quantity", "quantity"]),
    ("ix_needs_school_created", ["school_id", "created_at"]),
    ("ix_needs_created", ["created_at", "id"]),
    ("ix_needs_urgency_created", ["urgency_rank", "created_at", "id"]),
    ("ix_needs_value", ["estimated_cost_thb", "id"]),
]


def upgrade():
    with op.batch_alter_table("needs", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table("needs", schema=None) as batch_op:
        for name, _ in reversed(INDEXES):
            batch_op.drop_index(name)
