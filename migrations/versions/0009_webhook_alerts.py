"""alert_subscriptions, alert_deliveries, alert_attempts: webhook price-change alerts

A subscription (a model, a provider or any model; some kinds of change) fires only once its
endpoint echoed a verification request; each message is a delivery row retried with
backoff, every try an attempt row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'alert_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=40), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('kinds', sa.JSON(), nullable=True),
        sa.Column('secret', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('challenge', sa.String(length=64), nullable=False),
        sa.Column('created_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', ratecard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_event_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'],
                                name=op.f('fk_alert_subscriptions_model_id_models'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'],
                                name=op.f('fk_alert_subscriptions_provider_id_providers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_subscriptions')),
        sa.UniqueConstraint('public_id', name=op.f('uq_alert_subscriptions_public_id')),
    )
    op.create_index(op.f('ix_alert_subscriptions_model_id'), 'alert_subscriptions',
                    ['model_id'])
    op.create_index(op.f('ix_alert_subscriptions_provider_id'), 'alert_subscriptions',
                    ['provider_id'])
    op.create_index(op.f('ix_alert_subscriptions_status'), 'alert_subscriptions', ['status'])
    op.create_table(
        'alert_deliveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=40), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', ratecard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', ratecard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['subscription_id'], ['alert_subscriptions.id'],
                                name=op.f('fk_alert_deliveries_subscription_id_alert_subscriptions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_deliveries')),
        sa.UniqueConstraint('message_id', name=op.f('uq_alert_deliveries_message_id')),
    )
    op.create_index(op.f('ix_alert_deliveries_subscription_id'), 'alert_deliveries',
                    ['subscription_id'])
    op.create_index('ix_alert_deliveries_due', 'alert_deliveries', ['status', 'next_attempt_at'])
    op.create_table(
        'alert_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('attempted_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['alert_deliveries.id'],
                                name=op.f('fk_alert_attempts_delivery_id_alert_deliveries'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_attempts')),
    )
    op.create_index(op.f('ix_alert_attempts_delivery_id'), 'alert_attempts', ['delivery_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_alert_attempts_delivery_id'), table_name='alert_attempts')
    op.drop_table('alert_attempts')
    op.drop_index('ix_alert_deliveries_due', table_name='alert_deliveries')
    op.drop_index(op.f('ix_alert_deliveries_subscription_id'), table_name='alert_deliveries')
    op.drop_table('alert_deliveries')
    op.drop_index(op.f('ix_alert_subscriptions_status'), table_name='alert_subscriptions')
    op.drop_index(op.f('ix_alert_subscriptions_provider_id'), table_name='alert_subscriptions')
    op.drop_index(op.f('ix_alert_subscriptions_model_id'), table_name='alert_subscriptions')
    op.drop_table('alert_subscriptions')
