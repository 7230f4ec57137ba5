"""The wire format against the kiosk core it mirrors, the hub schema against its migrations (no server)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db import Database
from hub.ingest import invalid_reason
from hub.schema import metadata
from kiosk.clock import FixedClock
from kiosk.domain import Consent, ExchangeKind, ListingKind, ParticipantRole, Partner, Role
from kiosk.journal import EVENT_SCHEMAS
from kiosk.services import Services
from sync_client.protocol import EVENT_TYPES, REQUIRED_KEYS, Envelope, redact_payload

ROOT = Path(__file__).resolve().parents[2]


def _journal(services: Services) -> list[dict[str, object]]:
    rows = services.store.query("SELECT * FROM journal ORDER BY pos")
    return [{**dict(row), "payload": json.loads(row["payload"])} for row in rows]


def _every_event_type(services: Services) -> None:
    lib = services.members.register("Bibliothécaire", "Belleville", roles=(Role.LIBRARIAN,))
    ana = services.members.register(
        "Ana", "Belleville", contact="ana@example.org", consent=Consent("v1", "2026-11-25T10:00:00+01:00")
    )
    ben = services.members.register("Ben", "Belleville")
    card = services.cards.read(b"\x04\x01\x02\x03\x04\x05\x06")
    services.cards.enrol(card, ana.id)
    services.cards.revoke(card.uid_hash, "perdue")
    bens = b"\x04\x0b\x0e\x0e\x0f\x00\x01"
    services.cards.enrol(services.cards.read(bens), ben.id)
    with services.store.transaction() as conn:  # a card key rotation's next key, as a pull leaves it
        conn.execute("UPDATE kiosk_state SET next_card_key = ?", ("5a" * 32,))
    services.cards.identify(services.cards.read(bens))  # card.rekeyed
    listing = services.listings.publish(
        ana.id, ListingKind.OFFER, "cuisine.quotidien", "Crêpes", "au sarrasin"
    )
    services.listings.withdraw(listing.id, ana.id)
    bread = services.listings.publish(ben.id, ListingKind.REQUEST, "cuisine.quotidien", "Pain", "au levain")
    services.listings.hide(bread.id, lib.id, "Doublon")
    services.listings.restore(bread.id, lib.id)
    offer = services.listings.publish(ana.id, ListingKind.OFFER, "cuisine.quotidien", "Tartes", "salées")
    services.listings.express_interest(offer.id, ben.id)
    services.listings.mark_interests_seen(ana.id)
    services.cards.record_unknown_tap(services.cards.read(b"\x04\x09\x08\x07\x06\x05\x04").uid_hash)
    visitor = {
        "member_id": "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        "pseudonym": "Nour",
        "quartier": "Goutte d’Or",
    }
    services.network.welcome(
        {**visitor, "home_collective_id": "ailleurs", "home_collective_name": "Ailleurs"}
    )
    partners = [Partner(ParticipantRole.TRANSMITTER, ana.id), Partner(ParticipantRole.LEARNER, ben.id)]
    one = services.exchanges.record(
        ana.id, ExchangeKind.KNOWLEDGE, "cuisine.quotidien", "Crêpes", 30, partners
    )
    services.exchanges.confirm(one.id, ben.id)
    two = services.exchanges.record(
        ana.id, ExchangeKind.SERVICE, "cuisine.quotidien", "Courses", 30, partners
    )
    services.exchanges.decline(two.id, ben.id)
    three = services.exchanges.record(
        ana.id, ExchangeKind.SERVICE, "cuisine.quotidien", "Repas", 30, partners
    )
    services.exchanges.cancel(three.id, lib.id, "erreur")
    start = services.ctx.clock.now() + timedelta(days=2)
    workshop = services.workshops.schedule(
        lib.id, "Atelier pain", "cuisine.quotidien", start, 90, 10, [lib.id]
    )
    services.workshops.register(workshop.id, ben.id)
    services.workshops.unregister(workshop.id, ben.id)
    services.workshops.check_in(workshop.id, ben.id)
    services.passes.issue(ben.id)
    services.passes.revoke(ben.id, lib.id)
    clock = services.ctx.clock
    assert isinstance(clock, FixedClock)
    soon = clock.now() + timedelta(hours=1)
    draw = services.draws.announce(lib.id, "jardinage", "Jardin", 1, soon, "un dé lancé en réunion")
    services.draws.volunteer(draw.id, ana.id, None)
    services.draws.volunteer(draw.id, ben.id, None)
    services.draws.withdraw(draw.id, ben.id)
    hour = timedelta(hours=1)
    election = services.elections.announce(
        lib.id, "Médiation", None, 1, "kiosk", soon, soon + hour, soon + 2 * hour
    )
    services.elections.stand(election.id, ana.id, "Bonjour")
    services.elections.stand(election.id, ben.id)
    services.elections.withdraw_candidacy(election.id, ben.id)
    clock.advance(hours=2)
    services.draws.freeze(lib.id, draw.id)
    services.draws.perform(lib.id, draw.id, "4")
    services.elections.cast(election.id, ben.id, {ana.id: 5})
    clock.advance(hours=1)
    services.elections.close(lib.id, election.id)
    services.members.erase(ana.id, lib.id)


def test_every_event_the_kiosk_writes_is_one_the_hub_keeps(services: Services) -> None:
    _every_event_type(services)
    events = _journal(services)
    assert {e["type"] for e in events} == set(EVENT_SCHEMAS)  # the scenario covers every type
    assert set(REQUIRED_KEYS) == set(EVENT_TYPES)
    for event in events:
        wire = {
            k: event[k] for k in ("id", "type", "schema", "kiosk_id", "seq", "occurred_at", "hlc", "payload")
        }
        envelope = Envelope.model_validate({**wire, "clock_synced": bool(event["clock_synced"])})
        assert invalid_reason(envelope) is None, event["type"]


def test_the_hub_redacts_exactly_as_the_kiosk_journal_does(services: Services) -> None:
    ana = services.members.register(
        "Ana", "Belleville", contact="ana@example.org", consent=Consent("v1", "2026-11-25T10:00:00+01:00")
    )
    services.listings.publish(ana.id, ListingKind.OFFER, "cuisine.quotidien", "Crêpes", "au sarrasin")
    before = {e["id"]: e for e in _journal(services)}
    services.members.erase(ana.id, ana.id)
    after = {e["id"]: e for e in _journal(services)}
    for event_id, event in before.items():
        expected = redact_payload(str(event["type"]), event["payload"])  # type: ignore[arg-type]
        assert after[event_id]["payload"] == expected, event["type"]
    assert any(after[i]["payload"] != before[i]["payload"] for i in before)


def test_the_migrations_create_exactly_the_tables_the_hub_uses(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    db.migrate()
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    db.migrate()  # a second time changes nothing


def test_the_hub_loads_neither_kivy_nor_the_kiosk_services() -> None:
    code = (
        "import sys, hub.app, hub.cli;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('kivy', 'screens', 'hardware')"
        " or m.startswith('kiosk.services') or m == 'kiosk.store'];"
        "assert not bad, bad; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr
