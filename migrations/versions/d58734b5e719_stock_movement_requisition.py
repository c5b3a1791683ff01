"""a transfer names the requisition it fulfilled in a column, not in its note

Revision ID: d58734b5e719
Revises: c41f0d2e7b19
Create Date: 2026-11-24 10:30:00

"""
import re

import sqlalchemy as sa
from alembic import op

revision = 'd58734b5e719'
down_revision = 'c41f0d2e7b19'
branch_labels = None
depends_on = None

# Written out rather than imported: the model may change, this migration must not.
ONLY_ON_A_TRANSFER = "requisition_id IS NULL OR kind = 'transfer'"
# The note the code wrote on a requisition's transfer before this column, and the only one it read back.
LINK_NOTE = re.compile(r"#(\d+)")

movement = sa.table('stock_movement', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                    sa.column('note', sa.Text), sa.column('requisition_id', sa.Integer))
requisition = sa.table('requisition', sa.column('id', sa.Integer))


def upgrade():
    with op.batch_alter_table('stock_movement') as batch_op:
        batch_op.add_column(sa.Column('requisition_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_stock_movement_requisition_id_requisition'), 'requisition',
                                    ['requisition_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_stock_movement_requisition_id'), ['requisition_id'])
        batch_op.create_check_constraint(op.f('ck_stock_movement_requisition_only_on_a_transfer'),
                                         ONLY_ON_A_TRANSFER)
    link_transfers_from_their_notes(op.get_bind())


def link_transfers_from_their_notes(connection) -> None:
    """A transfer's note "#12" becomes requisition 12 and no note. Any other note stays as written, as does
    one naming a requisition that does not exist or that an earlier transfer already names (one transfer
    per requisition): the old page showed those as plain notes too, or cannot have written them."""
    existing = set(connection.scalars(sa.select(requisition.c.id)))
    links, linked = [], set()
    candidates = connection.execute(
        sa.select(movement.c.id, movement.c.note)
        .where(movement.c.kind == 'transfer', movement.c.note.like('#%')).order_by(movement.c.id))
    for movement_id, note in candidates:
        match = LINK_NOTE.fullmatch(note)
        requisition_id = match and int(match[1])
        if requisition_id in existing and requisition_id not in linked:
            linked.add(requisition_id)
            links.append({'movement': movement_id, 'requisition': requisition_id})
    if links:
        connection.execute(movement.update().where(movement.c.id == sa.bindparam('movement'))
                           .values(requisition_id=sa.bindparam('requisition'), note=None), links)


def downgrade():
    # Back to the note the earlier code reads; a transfer with a note of its own keeps the note.
    op.execute(movement.update()
               .where(movement.c.requisition_id.is_not(None), movement.c.note.is_(None))
               .values(note=sa.literal('#', sa.Text) + sa.cast(movement.c.requisition_id, sa.Text)))
    with op.batch_alter_table('stock_movement') as batch_op:
        batch_op.drop_constraint(op.f('ck_stock_movement_requisition_only_on_a_transfer'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_stock_movement_requisition_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_stock_movement_requisition_id_requisition'), type_='foreignkey')
        batch_op.drop_column('requisition_id')
