"""Members of other collectives of the network at this kiosk (issue 9).

A card this kiosk does not know may be a member of another collective visiting: when the kiosk is online,
the app asks the hub (sync_client/network.py, off the Kivy thread) and, if the hub knows the card in this
network, `welcome` journals `member.visited` — pseudonym, quartier and collective, never contact details nor
the card — so the visitor can record an exchange here, which then counts in both collectives (the hub relays
it to theirs). Offline, the tap is recorded as an unknown card, as before, and the hub resolves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kiosk.domain import Member
from kiosk.errors import KioskError, codes
from kiosk.services.context import Context

VISITOR_KEYS = ("member_id", "pseudonym", "quartier", "home_collective_id", "home_collective_name")


class Network:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def welcome(self, found: Mapping[str, Any]) -> Member | None:
        """The visitor the hub recognised (`found`: the hub's answer, protocol.NetworkMember's fields), as a
        member here; None when they are of this collective (their registration arrives with the next sync)
        or were erased."""
        if found.get("home_collective_id") == self.ctx.collective_id:
            return None
        payload = {key: str(found[key]) for key in VISITOR_KEYS}
        with self.ctx.store.transaction() as conn:
            known = conn.execute("SELECT 1 FROM members WHERE id = ?", (payload["member_id"],)).fetchone()
            if known is None:
                self.ctx.write_in(conn, "member.visited", payload)
        try:
            return self.ctx.member(payload["member_id"])
        except KioskError as error:
            if error.kind is codes.MEMBER_ERASED:
                return None
            raise
