"""The network on the hub (issue 9): what each kiosk last said it still had to send, and the coordinators'
accounts and sessions for the web pages (hub/web/).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Events the kiosk had not yet had confirmed by the hub, as it said in its last request (X-Kiosk-Pending).
    op.add_column("kiosks", sa.Column("pending_events", sa.BigInteger(), nullable=True))
    op.create_table(
        "coordinators",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("network_id", sa.String(64), sa.ForeignKey("networks.id"), nullable=False),
        sa.Column("collective_id", sa.String(64), sa.ForeignKey("collectives.id"), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "coordinator_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("coordinator_id", sa.String(36), sa.ForeignKey("coordinators.id"), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("last_seen_at", sa.String(40), nullable=False),
    )
    op.create_index("coordinator_sessions_coordinator", "coordinator_sessions", ["coordinator_id"])
    op.create_table(
        "login_failures",
        sa.Column("pk", BigId, primary_key=True, autoincrement=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("login_failures_address", "login_failures", ["address", "at_ms"])
    op.create_index("login_failures_email", "login_failures", ["email", "at_ms"])


def downgrade() -> None:
    op.drop_index("login_failures_email", table_name="login_failures")
    op.drop_index("login_failures_address", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("coordinator_sessions_coordinator", table_name="coordinator_sessions")
    op.drop_table("coordinator_sessions")
    op.drop_table("coordinators")
    op.drop_column("kiosks", "pending_events")
