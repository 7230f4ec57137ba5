"""A visitor is erased by their own collective only (issue 9), on a real hub over HTTP (SQLite and
PostgreSQL): two collectives of one network, kiosks A1, A2 (collective A) and B1 (collective B).

Nadia, of A, was welcomed at B1 (the hub recognised her card). B's librarian may not erase her: B1 refuses
with a clear message, and a `member.erased` from B reaching the hub anyway (an older kiosk without the
refusal) is kept as a fact, flagged, and neither applied nor relayed. Her own collective's erasure still
reaches B."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hub import schema as t
from kiosk.domain import Role
from kiosk.errors import KioskError, codes
from sync_client.engine import read_link
from sync_client.network import NetworkDirectory
from tests.hub.kiosks import HubHandle
from tests.hub.test_network_sharing import Network, offer, two_collectives

REFUSAL = (
    "Ce membre appartient au collectif Savoirs de Belleville : seul son collectif peut l’effacer."
    " Cette personne peut le demander à son collectif : l’effacement arrivera ici aussi."
)


def welcomed_at_b1(net: Network, uid: bytes) -> str:
    """What the card tap does at B1 when online (screens/visitor.py): the hub names the card, B1 welcomes."""
    link = read_link(net.b1.store.conn)
    assert link is not None
    directory = NetworkDirectory.for_link(link)
    try:
        found = directory.card(net.b1.services.cards.read(uid).uid_hash).found
    finally:
        directory.close()
    assert found is not None
    visitor = net.b1.services.network.welcome(found.model_dump())
    assert visitor is not None and visitor.home_collective == net.a_name
    return visitor.id


def erasures(hub: HubHandle, member_id: str) -> list[tuple[str, list[str]]]:
    """(kiosk, flags) of every `member.erased` of this member the hub stored."""
    with hub.db.read() as conn:
        rows = conn.execute(
            select(t.events.c.kiosk_id, t.events.c.flags, t.events.c.payload)
            .where(t.events.c.type == "member.erased")
            .order_by(t.events.c.pk)  # seq is per collective: pk is the order of arrival
        ).all()
    return [(row.kiosk_id, json.loads(row.flags)) for row in rows if member_id in row.payload]


def shared_listing(hub: HubHandle, listing_id: str) -> tuple[str, str]:
    """(status, title) of a listing shared in the network, as the hub keeps it for the other collectives."""
    with hub.db.read() as conn:
        row = conn.execute(
            select(t.network_listings.c.status, t.network_listings.c.card).where(
                t.network_listings.c.listing_id == listing_id
            )
        ).one()
    return row.status, json.loads(row.card)["title"]


def hub_member(hub: HubHandle, member_id: str) -> tuple[str | None, list[str | None]]:
    """(erased_at, revoked_at of each card) as the hub knows them."""
    with hub.db.read() as conn:
        erased_at = conn.execute(select(t.members.c.erased_at).where(t.members.c.id == member_id)).scalar()
        revoked = conn.execute(select(t.cards.c.revoked_at).where(t.cards.c.member_id == member_id)).scalars()
        return erased_at, list(revoked)


def test_a_visitor_is_erased_by_their_own_collective_only(hub: HubHandle, tmp_path: Path) -> None:
    net = two_collectives(hub, tmp_path)
    try:
        a1, a2, b1 = net.a1, net.a2, net.b1
        nadia = a1.member("Nadia")
        uid = a1.card(nadia)
        listing = offer(a1, nadia, "Couscous aux légumes", shared=True)
        a1.sync()
        berenice = b1.member("Bérénice", Role.LIBRARIAN)
        welcomed_at_b1(net, uid)
        b1.sync()

        # at B1: refused, with the reason and what to do, for B's librarian and for Nadia herself
        for actor in (berenice, nadia):
            with pytest.raises(KioskError) as refused:
                b1.services.members.erase(nadia, actor)
            assert refused.value.kind is codes.OTHER_COLLECTIVE_MEMBER
            assert refused.value.text(language="fr") == REFUSAL
        with pytest.raises(KioskError) as previewed:  # the librarian's screen asks this first
            b1.services.members.erasure_preview(nadia)
        assert previewed.value.kind is codes.OTHER_COLLECTIVE_MEMBER
        journal = b1.store.conn.execute("SELECT count(*) FROM journal WHERE type = 'member.erased'")
        assert journal.fetchone()[0] == 0
        assert b1.services.members.get(nadia).erased_at is None

        # An older kiosk of B, without that refusal, journals the erasure anyway (a kiosk at this version
        # cannot produce it: its service refuses, so the event is written the way that service wrote it).
        b1.services.members.ctx.write("member.erased", {"member_id": nadia, "by": berenice})
        report = b1.sync()
        assert report.rejected == () and report.pushed == 1  # a fact: stored, not refused
        assert erasures(hub, nadia) == [(b1.kiosk_id, [f"other_collective:{nadia}"])]
        erased_at, revoked = hub_member(hub, nadia)
        assert erased_at is None and revoked == [None]  # not applied: her card still works everywhere
        with hub.db.read() as conn:
            registered = conn.execute(
                select(t.events.c.payload, t.events.c.redacted).where(
                    t.events.c.type == "member.registered", t.events.c.member_id == nadia
                )
            ).one()
        assert "Nadia" in registered.payload and not registered.redacted
        assert shared_listing(hub, listing) == ("shared", "Couscous aux légumes")  # still on every board
        a2.sync()  # nor relayed to her collective
        assert a2.services.members.get(nadia).erased_at is None
        relayed = a2.store.conn.execute("SELECT count(*) FROM journal WHERE type = 'network.relayed'")
        assert relayed.fetchone()[0] == 0
        # the hub still knows her card: she is still recognised at a kiosk of B
        link = read_link(b1.store.conn)
        assert link is not None
        directory = NetworkDirectory.for_link(link)
        try:
            assert directory.card(b1.services.cards.read(uid).uid_hash).found is not None
        finally:
            directory.close()

        # her own collective erases her (at A2): applied on the hub, and relayed to B, where she was welcomed
        a2.services.members.erase(nadia, nadia)
        a2.sync()
        erased_at, revoked = hub_member(hub, nadia)
        assert erased_at is not None and None not in revoked
        assert [flags for _kiosk, flags in erasures(hub, nadia)] == [[f"other_collective:{nadia}"], []]
        assert shared_listing(hub, listing) == ("gone", "")
        b1.sync()
        relayed_here = b1.store.conn.execute(
            "SELECT payload FROM journal WHERE type = 'network.relayed' AND origin = 'remote'"
        ).fetchall()
        inner = [json.loads(row[0])["event"] for row in relayed_here]
        assert [(e["type"], e["payload"]["member_id"]) for e in inner] == [("member.erased", nadia)]
        assert b1.services.members.get(nadia).erased_at is not None
    finally:
        net.close()


def test_a_collective_still_erases_its_own_members(hub: HubHandle, tmp_path: Path) -> None:
    """The refusal is about visitors only: B's librarian erases a member of B, at B1, as before."""
    net = two_collectives(hub, tmp_path)
    try:
        b1 = net.b1
        berenice = b1.member("Bérénice", Role.LIBRARIAN)
        omar = b1.member("Omar")
        b1.card(omar)
        b1.sync()
        b1.services.members.erase(omar, berenice)
        b1.sync()
        assert erasures(hub, omar) == [(b1.kiosk_id, [])]
        erased_at, revoked = hub_member(hub, omar)
        assert erased_at is not None and None not in revoked
    finally:
        net.close()
