"""product lines are one of the catalogue's lines

Revision ID: c41f0d2e7b19
Revises: a2b514ab060e
Create Date: 2026-11-22 19:10:00

"""
from alembic import op

revision = 'c41f0d2e7b19'
down_revision = 'a2b514ab060e'
branch_labels = None
depends_on = None

TABLES = ('product_model', 'part', 'fault_code')
# Written out rather than imported: a later line needs a migration of its own.
KNOWN_LINE = "product_line IN ('aircon', 'water_heater', 'purifier')"


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_check_constraint(op.f(f'ck_{table}_known_product_line'), KNOWN_LINE)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_known_product_line'), type_='check')
