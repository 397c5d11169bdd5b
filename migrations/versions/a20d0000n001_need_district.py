"""An ESA's needs by index: ``needs.district_id`` (the school's ESA, copied), and partial indexes for the
directors' dashboards

Revision ID: a20d0000n001
Revises: a19s0000k001

At national size (bench/bench_http.py) a Bangkok director's dashboard read every open need of the ESA's
schools (11,000 of them) through the schools join to show the newest 20, counted them, and counted a big
school's open needs beside each waiting match. Now:

- ``needs.district_id``: the school's ESA, filled here from ``schools`` and on every insert by the model;
- ``ix_needs_open_district`` (district_id, created_at, id) over the open needs: an ESA's newest open needs
  are the first rows of this index, and their count an index-only scan;
- ``ix_needs_open_school`` (school_id) over the open needs: a school's open needs counted from the index;
- ``ix_needs_flagged`` (district_id, id) over the needs flagged as suspected duplicates.
"""

import sqlalchemy as sa
from alembic import op

revision = "a20d0000n001"
down_revision = "a19s0000k001"
branch_labels = None
depends_on = None

OPEN = {
    "postgresql": "cancelled IS false AND expired IS false AND committed_quantity < quantity",
    "sqlite": "cancelled IS 0 AND expired IS 0 AND committed_quantity < quantity",
}
FLAGGED = "CAST(possible_duplicates AS VARCHAR) <> '[]'"


def upgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("needs") as batch:
        batch.add_column(sa.Column("district_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_needs_district_id_districts", "districts", ["district_id"], ["id"])
    op.execute(
        "UPDATE needs SET district_id = (SELECT schools.district_id FROM schools WHERE schools.id = needs.school_id)"
    )
    where = OPEN.get(dialect, OPEN["sqlite"])
    op.execute(f"CREATE INDEX ix_needs_open_district ON needs (district_id, created_at, id) WHERE {where}")
    op.execute(f"CREATE INDEX ix_needs_open_school ON needs (school_id) WHERE {where}")
    op.execute(f"CREATE INDEX ix_needs_flagged ON needs (district_id, id) WHERE {FLAGGED}")


def downgrade():
    for name in ("ix_needs_flagged", "ix_needs_open_school", "ix_needs_open_district"):
        op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("needs") as batch:
        batch.drop_constraint("fk_needs_district_id_districts", type_="foreignkey")
        batch.drop_column("district_id")
