"""Elections and draws (issue 8): elections the hub knows, the sign-in register and the ballot box kept apart,
and the published draw records.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "hub_elections",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("collective_id", sa.String(64), sa.ForeignKey("collectives.id"), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opens_at", sa.String(40), nullable=False),
        sa.Column("closes_at", sa.String(40), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False, server_default="[]"),
    )
    # Who voted: no time, no kiosk, no ballot.
    op.create_table(
        "hub_election_register",
        sa.Column("election_id", sa.String(64), sa.ForeignKey("hub_elections.id"), primary_key=True),
        sa.Column("member_id", sa.String(64), primary_key=True),
    )
    # What was voted: a random id, the grades, nothing else; WITHOUT ROWID on SQLite so that the physical
    # order of the rows follows the random id, not the order of the votes.
    op.create_table(
        "hub_ballot_box",
        sa.Column("ballot_id", sa.String(64), primary_key=True),
        sa.Column("election_id", sa.String(64), sa.ForeignKey("hub_elections.id"), nullable=False),
        sa.Column("grades", sa.Text(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("hub_ballot_box_election", "hub_ballot_box", ["election_id"])
    op.create_table(
        "hub_draw_records",
        sa.Column("draw_id", sa.String(64), primary_key=True),
        sa.Column("collective_id", sa.String(64), sa.ForeignKey("collectives.id"), nullable=False),
        sa.Column("record", sa.Text(), nullable=True),
        sa.Column("frozen", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("hub_draw_records")
    op.drop_index("hub_ballot_box_election", table_name="hub_ballot_box")
    op.drop_table("hub_ballot_box")
    op.drop_table("hub_election_register")
    op.drop_table("hub_elections")
