"""A small network for the page tests and scripts/screenshot_hub.py: two collectives, three real kiosks
paired with a real hub, some activity synced, and coordinator accounts. The expected figures are here too,
counted from what the kiosks did (not from the pages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from hub.web.accounts import add_coordinator
from kiosk.domain import ListingKind, Role
from tests.hub.kiosks import HubHandle, Kiosk, OffsetClock, record_exchange

PASSWORD = "un mot de passe assez long"


@dataclass
class World:
    a: str  # collective ids
    b: str
    network: str
    kiosks: dict[str, Kiosk] = field(default_factory=dict)
    coordinators: dict[str, str] = field(default_factory=dict)  # role name -> e-mail

    def close(self) -> None:
        for kiosk in self.kiosks.values():
            kiosk.close()


def build_world(hub: HubHandle, folder: Path, tag: str) -> World:
    """`tag` keeps e-mails and names unique when several worlds share one hub."""
    a = hub.collective(f"Savoirs de Belleville {tag}", "Belleville")
    b = hub.collective(f"Entraide de la Goutte d’Or {tag}", "Goutte d’Or")
    world = World(a, b, "reseau")
    # A1's clock is 120 days behind while Gaspard registers: he then has been quiet for 120 days.
    old = OffsetClock(-timedelta(days=120))
    market = Kiosk(folder / "a1", a, old, name="Borne du marché")
    mjc = Kiosk(folder / "a2", a, name="Borne de la MJC")
    goutte = Kiosk(folder / "b1", b, name="Borne Goutte d’Or")
    world.kiosks = {"market": market, "mjc": mjc, "goutte": goutte}
    for kiosk, collective in ((market, a), (mjc, a), (goutte, b)):
        kiosk.pair(hub, collective)
    market.member("Gaspard")
    old.offset = timedelta(0)

    lea = market.member("Léa", Role.LIBRARIAN)
    ana, ben, chloe = market.member("Ana"), market.member("Ben"), market.member("Chloé")
    listings = market.services.listings
    listings.publish(ana, ListingKind.OFFER, "cuisine.quotidien", "Crêpes", "au sarrasin")
    listings.publish(ana, ListingKind.OFFER, "jardinage.potager", "Semis de tomates", "au balcon")
    bread = listings.publish(ben, ListingKind.REQUEST, "cuisine.quotidien", "Pain au levain", "débutant")
    listings.express_interest(bread.id, ana)
    record_exchange(market, ana, ben)  # 60 min, both present: confirmed
    record_exchange(market, ben, chloe)
    now = market.clock.now()
    workshops = market.services.workshops
    workshop = workshops.schedule(
        lea, "Atelier pain", "cuisine.patisserie", now + timedelta(days=1), 90, 10, [lea]
    )
    workshops.register(workshop.id, ben)
    workshops.register(workshop.id, chloe)
    workshops.check_in(workshop.id, ben)
    draws = market.services.draws
    draw = draws.announce(lea, "jardinage", "Jardin partagé", 2, now + timedelta(days=7), "un dé en réunion")
    draws.volunteer(draw.id, ana, None)
    draws.volunteer(draw.id, chloe, None)
    market.sync()
    mjc.sync()  # pulls A's members; its sync counts in the kiosks' list

    zoe, yanis = goutte.member("Zoé"), goutte.member("Yanis")
    record_exchange(goutte, zoe, yanis)
    goutte.sync()

    scopes: tuple[tuple[str, str | None, str | None], ...] = (
        ("a", a, None),
        ("b", b, None),
        ("network", None, "reseau"),
    )
    for role, collective_id, network_id in scopes:
        email = f"{role}-{tag}@example.org"
        add_coordinator(hub.db, email, PASSWORD, collective_id=collective_id, network_id=network_id)
        world.coordinators[role] = email
    return world
