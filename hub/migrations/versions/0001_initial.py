"""Initial hub schema: networks, collectives, kiosks, pairing codes, events and what flags them.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("card_key", sa.String(64), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "collectives",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("network_id", sa.String(64), sa.ForeignKey("networks.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quartier", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "kiosks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("collective_id", sa.String(64), sa.ForeignKey("collectives.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("paired_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("last_seen_at", sa.String(40), nullable=True),
        sa.Column("skew_ms", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "pairing_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("collective_id", sa.String(64), sa.ForeignKey("collectives.id"), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("used_at", sa.String(40), nullable=True),
        sa.Column("kiosk_id", sa.String(36), nullable=True),
    )
    op.create_table(
        "pair_failures",
        sa.Column("pk", BigId, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("pair_failures_address", "pair_failures", ["address", "at_ms"])
    op.create_table(
        "events",
        sa.Column("pk", BigId, primary_key=True, autoincrement=True),
        sa.Column("collective_id", sa.String(64), sa.ForeignKey("collectives.id"), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("schema", sa.Integer, nullable=False),
        sa.Column("kiosk_id", sa.String(36), nullable=False),
        sa.Column("kiosk_seq", sa.BigInteger, nullable=False),
        sa.Column("occurred_at", sa.String(40), nullable=False),
        sa.Column("hlc", sa.String(64), nullable=False),
        sa.Column("clock_synced", sa.Boolean, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("skew_ms", sa.BigInteger, nullable=True),
        sa.Column("corrected_at", sa.String(40), nullable=False),
        sa.Column("flags", sa.Text, nullable=False, server_default="[]"),
        sa.Column("member_id", sa.String(36), nullable=True),
        sa.Column("redacted", sa.Boolean, nullable=False, server_default="0"),
        sa.UniqueConstraint("collective_id", "seq", name="events_collective_seq"),
        sa.UniqueConstraint("kiosk_id", "kiosk_seq", name="events_kiosk_seq"),
    )
    op.create_index("events_member", "events", ["member_id"])
    op.create_table(
        "members",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("collective_id", sa.String(64), nullable=False),
        sa.Column("erased_at", sa.String(40), nullable=True),
    )
    op.create_table(
        "cards",
        sa.Column("network_id", sa.String(64), primary_key=True),
        sa.Column("uid_hash", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("collective_id", sa.String(64), nullable=False),
        sa.Column("enrolled_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
    )
    op.create_index("cards_member", "cards", ["member_id"])
    op.create_table(
        "unknown_taps",
        sa.Column("event_id", sa.String(36), sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("network_id", sa.String(64), nullable=False),
        sa.Column("uid_hash", sa.String(64), nullable=False),
        sa.Column("tapped_at", sa.String(40), nullable=False),
        sa.Column("resolved_member_id", sa.String(36), nullable=True),
        sa.Column("resolved_at", sa.String(40), nullable=True),
    )
    op.create_index("unknown_taps_card", "unknown_taps", ["network_id", "uid_hash"])
