"""Ask the hub who tapped a card this kiosk does not know (issue 9): a member of another collective of the
network, visiting. Same token, TLS settings and timeouts as the sync client, with a short read timeout: the
visitor is standing in front of the kiosk. Never raises for the network: the caller records the tap as an
unknown card when the hub cannot say (`LookUp.found` None, `code` says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sync_client.client import HubClient, HubError, HubUnavailable
from sync_client.engine import HubLink
from sync_client.protocol import NetworkMember

LOOKUP_CONNECT_TIMEOUT = 2.0
LOOKUP_READ_TIMEOUT = 5.0
UNKNOWN_CARD = "unknown_card"  # the hub does not know the card in this network (hub/network_api.py)
HUB_UNAVAILABLE = "hub_unavailable"


@dataclass(frozen=True)
class LookUp:
    found: NetworkMember | None
    code: str = ""  # why not: unknown_card, hub_unavailable, too_many_attempts, kiosk_revoked…


@dataclass
class NetworkDirectory(HubClient):
    connect_timeout: float = LOOKUP_CONNECT_TIMEOUT
    read_timeout: float = LOOKUP_READ_TIMEOUT

    @classmethod
    def for_link(
        cls, link: HubLink, hub_url: str | None = None, ca_file: str | None = None
    ) -> NetworkDirectory:
        return cls(hub_url or link.hub_url, link.token, ca_file)

    def card(self, uid_hash: str) -> LookUp:
        try:
            member = self._call("GET", f"/network/cards/{quote(uid_hash, safe='')}", NetworkMember)
        except HubUnavailable as error:
            return LookUp(None, error.code if error.code == "too_many_attempts" else HUB_UNAVAILABLE)
        except HubError as error:
            return LookUp(None, error.code or "refused")
        return LookUp(member)
