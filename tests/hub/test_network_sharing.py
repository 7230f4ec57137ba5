"""Sharing between collectives (issue 9): two collectives of one network, three kiosks (A1, A2 of A; B1 of B),
a real hub over HTTP on SQLite and PostgreSQL. Each test makes its own network, so the shares of one never
reach the collectives of another test on the session's hub."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import insert, select

from hub import admin
from hub import schema as t
from hub.network_api import LOOKUPS_PER_MINUTE
from hub.network_outbox import hub_kiosk_id
from hub.util import iso, utcnow
from kiosk.domain import Consent, ListingKind, ListingStatus, Role
from sync_client.engine import read_link
from sync_client.network import HUB_UNAVAILABLE, UNKNOWN_CARD, NetworkDirectory
from tests.hub.kiosks import HubHandle, Kiosk, record_exchange
from tests.hub.servers import free_port


@dataclass
class Network:
    id: str
    a: str  # collective ids
    b: str
    a_name: str
    a1: Kiosk
    a2: Kiosk
    b1: Kiosk

    def close(self) -> None:
        for kiosk in (self.a1, self.a2, self.b1):
            kiosk.close()


def new_network(hub: HubHandle) -> str:
    network_id = "reseau-" + uuid.uuid4().hex[:8]
    with hub.db.write() as conn:
        conn.execute(
            insert(t.networks).values(
                id=network_id, name="Réseau test", card_key=None, created_at=iso(utcnow())
            )
        )
    return network_id


def two_collectives(hub: HubHandle, tmp_path: Path) -> Network:
    network_id = new_network(hub)
    a = admin.add_collective(hub.db, "Savoirs de Belleville", "Belleville", network_id)
    b = admin.add_collective(hub.db, "Savoirs de la Goutte d’Or", "Goutte d’Or", network_id)
    kiosks = []
    for name, collective in (("a1", a.id), ("a2", a.id), ("b1", b.id)):
        kiosk = Kiosk(tmp_path / name, collective, name=name.upper())
        kiosk.pair(hub, collective)
        kiosks.append(kiosk)
    return Network(network_id, a.id, b.id, a.name, *kiosks)


def board(kiosk: Kiosk) -> dict[str, Any]:
    return {listing.title: listing for listing in kiosk.services.listings.search()}


def offer(kiosk: Kiosk, member_id: str, title: str, *, shared: bool) -> str:
    listing = kiosk.services.listings.publish(
        member_id, ListingKind.OFFER, "cuisine.quotidien", title, "le samedi", network_visible=shared
    )
    return listing.id


def members_from_elsewhere(kiosk: Kiosk, collective_id: str) -> dict[str, tuple[Any, ...]]:
    rows = kiosk.store.conn.execute(
        "SELECT id, pseudonym, quartier, home_collective, contact, erased_at FROM members"
        " WHERE collective_id = ?",
        (collective_id,),
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_a_listing_marked_visible_reaches_the_other_collective_and_leaves_it(
    hub: HubHandle, tmp_path: Path
) -> None:
    net = two_collectives(hub, tmp_path)
    try:
        a1, a2, b1 = net.a1, net.a2, net.b1
        fanny = a1.member("Fanny", Role.LIBRARIAN)
        shared = offer(a1, fanny, "Tartes salées", shared=True)
        offer(a1, fanny, "Confitures maison", shared=False)
        a1.sync()
        b1.sync()
        seen = board(b1)
        assert set(seen) == {"Tartes salées"}  # the unmarked listing stays home
        # B1's welcome screen counts B's own offers only: a listing shared from A is not one
        assert b1.services.stats.overview().active_offers == 0
        assert a1.services.stats.overview().active_offers == 2
        tartes = seen["Tartes salées"]
        assert (tartes.pseudonym, tartes.quartier, tartes.home_collective) == (
            "Fanny",
            "Belleville",
            net.a_name,
        )
        assert b1.services.listings.get(shared).network_visible
        # at home it is an ordinary listing of the collective
        a2.sync()
        assert set(board(a2)) == {"Tartes salées", "Confitures maison"}
        assert board(a2)["Tartes salées"].home_collective is None

        # withdrawn by its owner at A2: gone from B1's board after sync
        a2.services.listings.withdraw(shared, fanny)
        a2.sync()
        b1.sync()
        assert board(b1) == {}
        assert b1.services.listings.get(shared).status is ListingStatus.WITHDRAWN

        # hidden by A's librarian: off B1's board; restored: back on it
        again = offer(a1, fanny, "Pain au levain", shared=True)
        a1.sync()
        b1.sync()
        assert set(board(b1)) == {"Pain au levain"}
        a1.services.listings.hide(again, fanny, "doublon")
        a1.sync()
        b1.sync()
        assert board(b1) == {}
        a1.services.listings.restore(again, fanny)
        a1.sync()
        b1.sync()
        assert set(board(b1)) == {"Pain au levain"}

        # a collective that joins later gets what is shared now, not what was withdrawn
        late = admin.add_collective(hub.db, "Savoirs de la Chapelle", "La Chapelle", net.id)
        c1 = Kiosk(tmp_path / "c1", late.id, name="C1")
        try:
            c1.pair(hub, late.id)
            c1.sync()
            assert set(board(c1)) == {"Pain au levain"}
            assert board(c1)["Pain au levain"].home_collective == net.a_name
        finally:
            c1.close()

        # B1 holds nothing of A but the shared listings' owner, as the board shows her
        assert members_from_elsewhere(b1, net.a) == {fanny: ("Fanny", "Belleville", net.a_name, None, None)}
        a_kiosks = (a1.kiosk_id, a2.kiosk_id)
        crossed = b1.store.conn.execute(
            f"SELECT count(*) FROM journal WHERE kiosk_id IN ({', '.join('?' * len(a_kiosks))})", a_kiosks
        ).fetchone()[0]
        assert crossed == 0
        assert b1.store.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
        hub_made = b1.store.conn.execute("SELECT DISTINCT type FROM journal WHERE origin = 'remote'")
        assert {row[0] for row in hub_made} == {"network.listing_shared", "network.listing_unshared"}

        # the owner's erasure at A2 blanks her listing and her name at B1, in its board and its journal
        a2.sync()
        a2.services.members.erase(fanny, fanny)
        a2.sync()
        b1.sync()
        assert board(b1) == {}
        assert members_from_elsewhere(b1, net.a)[fanny][0] != "Fanny"
        journal = b1.store.conn.execute("SELECT payload FROM journal").fetchall()
        assert not any("Fanny" in row[0] or "Pain au levain" in row[0] for row in journal)
        with hub.db.read() as conn:  # and the hub's copies for the other collectives
            copies = conn.execute(
                select(t.events.c.payload).where(
                    t.events.c.collective_id == net.b, t.events.c.type == "network.listing_shared"
                )
            ).all()
        assert copies and not any("Fanny" in row.payload for row in copies)
    finally:
        net.close()


def test_a_visitor_is_recognised_online_and_their_exchange_counts_in_both_collectives(
    hub: HubHandle, tmp_path: Path
) -> None:
    net = two_collectives(hub, tmp_path)
    try:
        a1, a2, b1 = net.a1, net.a2, net.b1
        nadia = a1.member("Nadia")
        uid = a1.card(nadia)
        a1.services.members.register(
            "Discrète", "Belleville", contact="discrete@example.org", consent=Consent("v1", iso(utcnow()))
        )
        a1.sync()
        bob = b1.member("Bob")
        b1.sync()

        card = b1.services.cards.read(uid)
        assert b1.services.cards.identify(card).member is None  # not enrolled here
        link = read_link(b1.store.conn)
        assert link is not None
        directory = NetworkDirectory.for_link(link)
        try:
            found = directory.card(card.uid_hash).found
            unknown = directory.card("0" * 64)
        finally:
            directory.close()
        assert found is not None and unknown.code == UNKNOWN_CARD
        assert (found.pseudonym, found.quartier, found.home_collective_name) == (
            "Nadia",
            "Belleville",
            net.a_name,
        )
        raw = requests.get(
            f"{hub.url}/api/v1/network/cards/{card.uid_hash}",
            headers={"Authorization": f"Bearer {link.token}"},
            timeout=10,
        ).json()
        assert set(raw) == {
            "member_id",
            "pseudonym",
            "quartier",
            "home_collective_id",
            "home_collective_name",
        }

        visitor = b1.services.network.welcome(found.model_dump())
        assert visitor is not None and visitor.home_collective == net.a_name
        exchange = record_exchange(b1, bob, nadia)  # Bob teaches, Nadia learns, both confirm here
        b1.sync()

        a2.sync()  # A's kiosks get the exchange, and who Bob is
        status = a2.store.conn.execute("SELECT status FROM exchanges WHERE id = ?", (exchange,)).fetchone()
        assert status == ("confirmed",)
        counted = a2.store.conn.execute(
            "SELECT role, exchanges, minutes FROM member_recognition WHERE member_id = ?", (nadia,)
        ).fetchall()
        assert counted == [("learner", 1, 60)]
        assert members_from_elsewhere(a2, net.b) == {
            bob: ("Bob", "Belleville", "Savoirs de la Goutte d’Or", None, None)
        }
        with hub.db.read() as conn:  # the hub knows each side's collective: the exchange counts in both
            homes = dict(conn.execute(select(t.members.c.id, t.members.c.collective_id)).all())
            reach = conn.execute(
                select(t.network_reach.c.collective_id).where(t.network_reach.c.subject_id == exchange)
            ).scalars()
            relayed = conn.execute(
                select(t.events.c.payload).where(
                    t.events.c.collective_id == net.a, t.events.c.type == "network.relayed"
                )
            ).scalars()
            relayed_ids = [json.loads(text)["event"]["payload"].get("exchange_id") for text in relayed]
        assert (homes[nadia], homes[bob]) == (net.a, net.b)
        assert set(reach) == {net.a, net.b}
        assert relayed_ids == [exchange]

        # nothing else of A at B1: the visitor, as the hub told her; no card, no other member, no contact
        assert members_from_elsewhere(b1, net.a) == {nadia: ("Nadia", "Belleville", net.a_name, None, None)}
        assert b1.store.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0
    finally:
        net.close()


def test_offline_the_tap_is_recorded_and_the_hub_resolves_it_across_collectives(
    hub: HubHandle, tmp_path: Path
) -> None:
    net = two_collectives(hub, tmp_path)
    try:
        a2, b1 = net.a2, net.b1
        omar = a2.member("Omar")
        uid = a2.card(omar)  # enrolled at A2, which has not synced yet
        card = b1.services.cards.read(uid)
        link = read_link(b1.store.conn)
        assert link is not None
        nowhere = NetworkDirectory(f"http://127.0.0.1:{free_port()}", link.token)  # no hub listens there
        try:
            assert nowhere.card(card.uid_hash).code == HUB_UNAVAILABLE
        finally:
            nowhere.close()
        assert b1.services.cards.record_unknown_tap(card.uid_hash)
        b1.sync()
        with hub.db.read() as conn:
            tap = conn.execute(select(t.unknown_taps).where(t.unknown_taps.c.uid_hash == card.uid_hash)).one()
        assert tap.resolved_member_id is None
        a2.sync()
        with hub.db.read() as conn:
            tap = conn.execute(select(t.unknown_taps).where(t.unknown_taps.c.uid_hash == card.uid_hash)).one()
        assert tap.resolved_member_id == omar
    finally:
        net.close()


def test_look_ups_stay_in_the_network_and_are_bounded(hub: HubHandle, tmp_path: Path) -> None:
    net = two_collectives(hub, tmp_path)
    other_network = new_network(hub)
    elsewhere = admin.add_collective(hub.db, "Collectif d’un autre réseau", "Ailleurs", other_network)
    stranger = Kiosk(tmp_path / "x1", elsewhere.id, name="X1")
    try:
        stranger.pair(hub, elsewhere.id)
        nadia = net.a1.member("Nadia")
        uid_hash = net.a1.services.cards.read(net.a1.card(nadia)).uid_hash
        net.a1.sync()
        client = stranger.client()
        link = read_link(stranger.store.conn)
        assert link is not None
        directory = NetworkDirectory.for_link(link)
        try:  # the same card hash asked from another network: unknown there
            assert directory.card(uid_hash).code == UNKNOWN_CARD
            codes = [directory.card(uid_hash).code for _ in range(LOOKUPS_PER_MINUTE)]
        finally:
            directory.close()
            client.close()
        assert codes[-1] == "too_many_attempts" and codes[0] == UNKNOWN_CARD
        no_token = requests.get(f"{hub.url}/api/v1/network/cards/{uid_hash}", timeout=10)
        assert no_token.status_code == 401
    finally:
        stranger.close()
        net.close()


def test_hub_made_events_come_from_no_kiosk(hub: HubHandle, tmp_path: Path) -> None:
    """A kiosk may not push the hub's own types, and the hub's events name a kiosk id no kiosk has."""
    net = two_collectives(hub, tmp_path)
    try:
        fanny = net.a1.member("Fanny")
        offer(net.a1, fanny, "Tartes salées", shared=True)
        net.a1.sync()
        with hub.db.read() as conn:
            made = conn.execute(
                select(t.events.c.kiosk_id, t.events.c.kiosk_seq, t.events.c.seq).where(
                    t.events.c.collective_id == net.b
                )
            ).all()
        assert [(row.kiosk_id, row.kiosk_seq == row.seq) for row in made] == [(hub_kiosk_id(net.b), True)]
        client = net.b1.client()
        try:
            now = net.b1.clock.now().isoformat(timespec="milliseconds")
            kiosk_id = net.b1.kiosk_id
            answer = client.push(
                [
                    {
                        "id": str(uuid.uuid4()),
                        "type": "network.listing_shared",
                        "schema": 1,
                        "kiosk_id": kiosk_id,
                        "seq": 999_999,
                        "occurred_at": now,
                        "hlc": f"{int(net.b1.clock.now().timestamp() * 1000):013d}-00000-{kiosk_id}",
                        "clock_synced": False,
                        "payload": {"listing_id": str(uuid.uuid4())},
                    }
                ]
            )
        finally:
            client.close()
        assert [(r.status, r.reason) for r in answer.results] == [("rejected", "unsupported")]
    finally:
        net.close()
