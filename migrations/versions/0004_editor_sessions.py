"""editor sessions on the server; login attempts by bucket and state

Sessions were Flask's signed cookie alone: logout ended nothing on the server. Each logged-in
browser now has a row (the hash of its random id); logout, a new password, a new role or a
removed account delete the rows. Login attempts gain the bucket they count in (the world, a
known address, a known browser) and a state ("pending" until the password check is done), so
throttling counts an attempt before it is checked. users.session_version goes: the cookie no
longer carries it, and ending a user's sessions is deleting their rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:50:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'editor_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.Column('user_agent', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_editor_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_editor_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_editor_sessions_token_hash')),
    )
    op.create_index('ix_editor_sessions_user_id', 'editor_sessions', ['user_id'])
    op.create_index('ix_editor_sessions_last_seen_at', 'editor_sessions', ['last_seen_at'])
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bucket', sa.String(length=100), server_default='*',
                                      nullable=False))
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='done',
                                      nullable=False))
        batch_op.create_index('ix_login_attempts_bucket', ['username', 'bucket',
                                                           'attempted_at'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1',
                                      nullable=False))
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_bucket')
        batch_op.drop_column('state')
        batch_op.drop_column('bucket')
    op.drop_index('ix_editor_sessions_last_seen_at', table_name='editor_sessions')
    op.drop_index('ix_editor_sessions_user_id', table_name='editor_sessions')
    op.drop_table('editor_sessions')
