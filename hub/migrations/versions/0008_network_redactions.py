"""A count of the erasures applied in each network: the pulls' cache of recent changes
(hub/recent_changes.py) is valid only while it has not moved.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("networks", sa.Column("redactions", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("networks") as networks:
        networks.drop_column("redactions")
