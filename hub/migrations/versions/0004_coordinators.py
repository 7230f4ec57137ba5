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


def upgrade() -> None:
    # Events the kiosk had not yet had confirmed by the hub, as it said in its last request (X-Kiosk-Pending).
    op.add_column("kiosks", sa.Column("pending_events", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("kiosks", "pending_events")
