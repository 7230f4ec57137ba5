"""Sharing between the collectives of a network (issue 9): the listings shared with the network, and which
collectives an exchange or a visiting member reaches.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "network_listings",
        sa.Column("listing_id", sa.String(64), primary_key=True),
        sa.Column("network_id", sa.String(64), nullable=False),
        sa.Column("collective_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.create_index("network_listings_network", "network_listings", ["network_id", "status"])
    op.create_index("network_listings_member", "network_listings", ["member_id"])
    op.create_table(
        "network_reach",
        sa.Column("subject_id", sa.String(64), primary_key=True),
        sa.Column("collective_id", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("network_reach")
    op.drop_index("network_listings_member", "network_listings")
    op.drop_index("network_listings_network", "network_listings")
    op.drop_table("network_listings")
