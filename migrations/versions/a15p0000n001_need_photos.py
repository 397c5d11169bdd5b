"""A photo on a need

Revision ID: a15p0000n001
Revises: b0merge00001
"""

import sqlalchemy as sa
from alembic import op

revision = "a15p0000n001"
down_revision = "b0merge00001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "need_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("thumb_name", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("thumb_width", sa.Integer(), nullable=False),
        sa.Column("thumb_height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size > 0", name=op.f("ck_need_photos_size")),
        sa.CheckConstraint(
            "width > 0 AND height > 0 AND thumb_width > 0 AND thumb_height > 0",
            name=op.f("ck_need_photos_dims"),
        ),
        sa.ForeignKeyConstraint(["need_id"], ["needs.id"], name=op.f("fk_need_photos_need_id_needs")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_need_photos_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_photos")),
        sa.UniqueConstraint("need_id", name=op.f("uq_need_photos_need_id")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_need_photos_stored_name")),
        sa.UniqueConstraint("thumb_name", name=op.f("uq_need_photos_thumb_name")),
    )


def downgrade():
    op.drop_table("need_photos")
