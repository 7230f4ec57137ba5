"""The network card key rotation (issue 9): two collectives, real kiosks (stores, services, sync client) and a
real hub over HTTP, on SQLite and PostgreSQL. Each test makes its own network: its rotation touches no other.

Cards enrolled before the rotation are re-keyed at their next tap at any kiosk of their collective, the hub
counts them, and after the switch they are recognised everywhere while a card never tapped is unknown; a
kiosk paired during the rotation gets both keys; no UID is stored anywhere, on the hub or in a kiosk.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from hub import admin, rotation
from hub import schema as t
from hub.cli import main as hub_cli
from hub.util import iso, utcnow
from kiosk.cardid import uid_hash
from kiosk.domain import Identified, Role
from sync_client.engine import read_link
from sync_client.network import UNKNOWN_CARD, NetworkDirectory
from tests.hub.kiosks import HubHandle, Kiosk, record_exchange


@dataclass
class Network:
    id: str
    a: str
    b: str
    a1: Kiosk
    a2: Kiosk
    b1: Kiosk

    @property
    def kiosks(self) -> list[Kiosk]:
        return [self.a1, self.a2, self.b1]


@pytest.fixture
def net(hub: HubHandle, tmp_path: Path) -> Iterator[Network]:
    network_id = "rotation-" + uuid.uuid4().hex[:8]
    with hub.db.write() as conn:
        conn.execute(insert(t.networks).values(id=network_id, name="Réseau", created_at=iso(utcnow())))
    a = admin.add_collective(hub.db, "Savoirs de Belleville", "Belleville", network_id).id
    b = admin.add_collective(hub.db, "Savoirs de la Goutte d’Or", "Goutte d’Or", network_id).id
    kiosks = []
    for name, collective in (("a1", a), ("a2", a), ("b1", b)):
        kiosk = Kiosk(tmp_path / name, collective, name=name.upper())
        kiosk.pair(hub, collective)
        kiosks.append(kiosk)
    made = Network(network_id, a, b, *kiosks)
    yield made
    for kiosk in made.kiosks:
        kiosk.close()


def keys(hub: HubHandle, network_id: str) -> tuple[bytes, bytes | None]:
    with hub.db.read() as conn:
        row = conn.execute(select(t.networks).where(t.networks.c.id == network_id)).one()
    return bytes.fromhex(row.card_key), bytes.fromhex(row.next_card_key) if row.next_card_key else None


def tap(kiosk: Kiosk, uid: bytes) -> Any:
    """A tap as the app handles it: hashed with the kiosk's keys of now, then identified."""
    services = kiosk.services
    return services.cards.identify(services.cards.read(uid))


def rekeyed_events(kiosk: Kiosk) -> list[dict[str, Any]]:
    """The re-keyings this kiosk wrote (not those it pulled)."""
    rows = kiosk.store.conn.execute(
        "SELECT payload FROM journal WHERE type = 'card.rekeyed' AND origin = 'local' ORDER BY pos"
    ).fetchall()
    return [json.loads(row[0]) for row in rows]


def sync_all(*kiosks: Kiosk) -> None:
    for kiosk in (*kiosks, *kiosks):  # twice: each kiosk's pushes reach the others
        kiosk.sync()


def hub_cards(hub: HubHandle, network_id: str) -> dict[str, tuple[str, str | None]]:
    with hub.db.read() as conn:
        rows = conn.execute(select(t.cards).where(t.cards.c.network_id == network_id)).all()
    return {row.uid_hash: (row.member_id, row.next_uid_hash) for row in rows}


def assert_no_uid_stored(hub: HubHandle, kiosks: list[Kiosk], uids: list[bytes]) -> None:
    """No UID in any hub table nor in any kiosk table (journal included), in hex of either case."""
    needles = [form for uid in uids for form in (uid.hex(), uid.hex().upper())]
    with hub.db.read() as conn:
        for table in t.metadata.sorted_tables:
            text = repr(conn.execute(select(table)).all())
            assert not [n for n in needles if n in text], table.name
    for kiosk in kiosks:
        conn = kiosk.store.conn
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            rows = conn.execute(f'SELECT * FROM "{name}"').fetchall()
            text = repr([tuple(row) for row in rows])
            assert not [n for n in needles if n in text], (kiosk.name, name)
            assert not [uid for uid in uids for row in rows if uid in tuple(row)], (kiosk.name, name)


def test_cards_are_rekeyed_at_their_next_tap_and_kept_through_the_switch(
    hub: HubHandle, net: Network, tmp_path: Path
) -> None:
    a1, a2, b1 = net.a1, net.a2, net.b1
    karim, lea, omar = a1.member("Karim"), a1.member("Léa"), a1.member("Omar")
    nour = b1.member("Nour")
    uid_karim, uid_lea, uid_omar = a1.card(karim), a1.card(lea), a1.card(omar)
    uid_nour = b1.card(nour)
    sync_all(*net.kiosks)
    old_key, _none = keys(hub, net.id)

    started = rotation.start(hub.db, net.id)
    assert (started.in_progress, started.active_cards, started.rekeyed, started.remaining) == (True, 4, 0, 4)
    with pytest.raises(rotation.RotationError):
        rotation.start(hub.db, net.id)  # one rotation at a time
    current, following = keys(hub, net.id)
    assert current == old_key and following is not None and following != old_key

    assert a2.services.cards.read(uid_karim).next_uid_hash is None  # not pulled yet: one key
    sync_all(*net.kiosks)
    for kiosk in net.kiosks:  # every kiosk of the network pulled the next key
        row = kiosk.store.conn.execute("SELECT card_key, next_card_key FROM kiosk_state").fetchone()
        assert (row[0], row[1]) == (old_key.hex(), following.hex())

    # Karim, enrolled at A1, taps at A2: recognised as usual, and re-keyed (once)
    seen = tap(a2, uid_karim)
    assert seen.outcome is Identified.MEMBER and seen.member.id == karim
    assert rekeyed_events(a2) == [
        {
            "member_id": karim,
            "uid_hash": uid_hash(old_key, uid_karim),
            "next_uid_hash": uid_hash(following, uid_karim),
        }
    ]
    assert tap(a2, uid_karim).member.id == karim
    assert len(rekeyed_events(a2)) == 1
    assert tap(b1, uid_nour).member.id == nour  # the other collective's own card
    assert tap(a1, uid_lea).member.id == lea
    # Zoé enrolled during the rotation: with both hashes
    zoe = a1.member("Zoé")
    uid_zoe = a1.card(zoe)
    enrolled = a1.store.conn.execute(
        "SELECT payload FROM journal WHERE type = 'card.enrolled' ORDER BY pos DESC LIMIT 1"
    ).fetchone()
    assert json.loads(enrolled[0])["next_uid_hash"] == uid_hash(following, uid_zoe)
    sync_all(*net.kiosks)

    progress = rotation.status(hub.db, net.id)
    assert (progress.active_cards, progress.rekeyed, progress.remaining) == (5, 4, 1)  # Omar never tapped
    assert hub_cards(hub, net.id)[uid_hash(old_key, uid_karim)] == (karim, uid_hash(following, uid_karim))
    # A1 learnt Karim's next hash from A2's event: no second re-keying when he taps there
    assert tap(a1, uid_karim).member.id == karim
    assert [event["member_id"] for event in rekeyed_events(a1)] == [lea]

    # A kiosk paired during the rotation gets both keys at pairing, before its first pull
    a3 = Kiosk(tmp_path / "a3", net.a, name="A3")
    try:
        a3.pair(hub, net.a)
        row = a3.store.conn.execute("SELECT card_key, next_card_key FROM kiosk_state").fetchone()
        assert (row[0], row[1]) == (old_key.hex(), following.hex())
        assert a3.services.cards.read(uid_lea).next_uid_hash == uid_hash(following, uid_lea)
        a3.sync()
        assert tap(a3, uid_lea).member.id == lea

        finished = rotation.finish(hub.db, net.id)
        assert (finished.kept, finished.forgotten) == (4, 1)
        assert keys(hub, net.id) == (following, None)
        assert set(hub_cards(hub, net.id)) == {
            uid_hash(following, u) for u in (uid_karim, uid_lea, uid_nour, uid_zoe)
        }
        sync_all(*net.kiosks, a3)

        everyone = [*net.kiosks, a3]
        for kiosk in everyone:
            row = kiosk.store.conn.execute("SELECT card_key, next_card_key FROM kiosk_state").fetchone()
            assert (row[0], row[1]) == (following.hex(), None)
            hashes = {r[0] for r in kiosk.store.conn.execute("SELECT uid_hash FROM cards")}
            assert not hashes & {uid_hash(old_key, u) for u in (uid_karim, uid_lea, uid_omar, uid_nour)}
        for kiosk in (a1, a2, a3):  # re-keyed cards recognised everywhere in their collective
            assert tap(kiosk, uid_karim).member.id == karim
            assert tap(kiosk, uid_lea).member.id == lea
            assert tap(kiosk, uid_zoe).member.id == zoe
            assert tap(kiosk, uid_omar).outcome is Identified.UNKNOWN  # never tapped: enrol again
        assert tap(b1, uid_nour).member.id == nour
        # …and in the other collective through the hub's look-up, under the new key only
        assert tap(b1, uid_karim).outcome is Identified.UNKNOWN  # not a card of B
        link = read_link(b1.store.conn)
        assert link is not None
        directory = NetworkDirectory.for_link(link)
        try:
            found = directory.card(uid_hash(following, uid_karim)).found
            stale = directory.card(uid_hash(old_key, uid_karim))
        finally:
            directory.close()
        assert found is not None and found.member_id == karim and stale.code == UNKNOWN_CARD

        # Omar is enrolled again by a librarian, for the same member: a new card under the new key
        a1.services.cards.enrol(a1.services.cards.read(uid_omar), omar)
        assert tap(a1, uid_omar).member.id == omar
        assert_no_uid_stored(hub, everyone, [uid_karim, uid_lea, uid_omar, uid_nour, uid_zoe])
    finally:
        a3.close()


def test_a_kiosk_offline_for_the_whole_rotation_catches_up(hub: HubHandle, net: Network) -> None:
    a1, a2, b1 = net.a1, net.a2, net.b1
    karim, lea = a1.member("Karim", Role.LIBRARIAN), a1.member("Léa")
    uid_karim, uid_lea = a1.card(karim), a1.card(lea)
    sync_all(*net.kiosks)

    rotation.start(hub.db, net.id)
    sync_all(a1, b1)  # A2 stays offline from here to the end
    assert tap(a1, uid_karim).member.id == karim  # re-keyed at A1
    # A2, offline: identifies with the old key only, records an exchange, enrols a card
    assert a2.services.cards.read(uid_lea).next_uid_hash is None
    assert tap(a2, uid_lea).member.id == lea and rekeyed_events(a2) == []
    exchange = record_exchange(a2, karim, lea)
    sami = a2.member("Sami")
    uid_sami = a2.card(sami)
    a1.sync()
    _old, following = keys(hub, net.id)
    assert following is not None
    finished = rotation.finish(hub.db, net.id)
    assert (finished.kept, finished.forgotten) == (1, 1)  # Karim kept; Léa never re-keyed (Sami unknown yet)

    report = a2.sync()  # back online: its facts are accepted, then it learns the switch
    assert report.rejected == ()
    with hub.db.read() as conn:
        stored = conn.execute(select(t.events.c.payload).where(t.events.c.type == "exchange.recorded")).all()
    assert exchange in {json.loads(row.payload)["exchange_id"] for row in stored}
    row = a2.store.conn.execute("SELECT card_key, next_card_key FROM kiosk_state").fetchone()
    assert (row[0], row[1]) == (following.hex(), None)
    assert tap(a2, uid_karim).member.id == karim  # re-keyed elsewhere, known here after the pull
    assert tap(a2, uid_lea).outcome is Identified.UNKNOWN
    assert tap(a2, uid_sami).outcome is Identified.UNKNOWN  # enrolled with the old key only
    assert a2.services.ctx.member(sami).pseudonym == "Sami"  # the member stays; the card is enrolled again


def test_the_command_line_starts_follows_and_finishes(
    hub: HubHandle, net: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    karim = net.a1.member("Karim")
    net.a1.card(karim)
    net.a1.sync()

    def run(step: str) -> dict[str, Any]:
        code = hub_cli(["network", "rotate-card-key", step, net.id, "--json", "--db", hub.db.url])
        out = capsys.readouterr()
        assert code == 0, out.err
        answer: dict[str, Any] = json.loads(out.out)
        return answer

    assert run("status")["in_progress"] is False
    assert run("start") | {"started_at": None} == {
        "network_id": net.id,
        "in_progress": True,
        "started_at": None,
        "active_cards": 1,
        "rekeyed": 0,
        "remaining": 1,
    }
    assert hub_cli(["network", "rotate-card-key", "start", net.id, "--db", hub.db.url]) == 2
    assert "déjà en cours" in capsys.readouterr().err
    finished = run("finish")
    assert (finished["in_progress"], finished["kept"], finished["forgotten"]) == (False, 0, 1)
    assert hub_cli(["network", "rotate-card-key", "finish", net.id, "--db", hub.db.url]) == 2
    assert "Aucun changement" in capsys.readouterr().err
