"""Pairing a kiosk with the hub (`kiosk pair HUB_URL CODE`, and the librarian screen later).

The hub adopts the kiosk's own id (already in every journal event), gives it a token, its collective and the
network's card key. A kiosk with enrolled cards keeps its key; the hub refuses a pairing that would orphan
them (`card_key_mismatch`) without using up the code.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.store import Store
from sync_client.client import HubClient, HubRefused
from sync_client.engine import read_link
from sync_client.protocol import PairRequest


class AlreadyPaired(HubRefused):
    pass


@dataclass(frozen=True)
class Paired:
    kiosk_id: str
    collective_id: str
    collective_name: str
    card_key_changed: bool
    hub_time: str


def pair_kiosk(
    store: Store,
    client: HubClient,
    code: str,
    kiosk_name: str,
    *,
    configured_card_key: bytes | None = None,
) -> Paired:
    link = read_link(store.conn)
    if link is not None:
        raise AlreadyPaired(
            f"Cette borne est déjà appairée à {link.hub_url} (collectif {link.collective_id}).",
            "already_paired",
        )
    kiosk_id, card_key = store.conn.execute(
        "SELECT kiosk_id, card_key FROM kiosk_state WHERE id = 1"
    ).fetchone()
    has_cards = store.conn.execute("SELECT 1 FROM cards LIMIT 1").fetchone() is not None
    answer = client.pair(
        PairRequest(
            code=code,
            kiosk_name=kiosk_name[:80] or "Borne",
            kiosk_id=kiosk_id,
            card_key=card_key,
            keep_card_key=has_cards or configured_card_key is not None,
        )
    )
    if answer.kiosk_id != kiosk_id:
        raise HubRefused("Le hub a attribué un autre identifiant à la borne : hub incompatible.", "kiosk_id")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO hub_link (id, hub_url, token, kiosk_name, collective_id, network_id, paired_at)"
            " VALUES (1, ?, ?, ?, ?, ?, ?)",
            (
                client.base_url,
                answer.token,
                kiosk_name,
                answer.collective_id,
                answer.network_id,
                answer.hub_time,
            ),
        )
        changed = (
            answer.card_key != card_key and conn.execute("SELECT 1 FROM cards LIMIT 1").fetchone() is None
        )
        if changed:  # no card enrolled yet: take the network's key, so cards work in every quartier
            conn.execute("UPDATE kiosk_state SET card_key = ? WHERE id = 1", (answer.card_key,))
        # During a card key rotation the hub gives the next key too: taps are hashed with both from now on.
        conn.execute(
            "UPDATE kiosk_state SET next_card_key = ? WHERE id = 1 AND card_key = ?",
            (answer.next_card_key, answer.card_key),
        )
    client.token = answer.token
    return Paired(kiosk_id, answer.collective_id, answer.collective_name, changed, answer.hub_time)
