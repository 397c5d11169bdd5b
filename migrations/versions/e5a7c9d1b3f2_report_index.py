"""A covering index for the report figures: every need's school, category, status and amounts

The dashboards aggregate all needs (100,000 and more) several times a page; with this index PostgreSQL
reads a few megabytes in an index-only scan instead of the whole needs table and its long texts.

Revision ID: e5a7c9d1b3f2
Revises: c4d8e2f1a7b3
"""

from alembic import op

revision = "e5a7c9d1b3f2"
down_revision = "c4d8e2f1a7b3"
branch_labels = None
depends_on = None

COLUMNS = ["school_id", "category", "cancelled", "estimated_cost_thb", "budget_thb", "id"]


def upgrade():
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index("ix_needs_report", COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index("ix_needs_report")
