"""The use cases that the UI, the CLI and sync call. `open_services` is the one entry point."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.card_keys import CardKeyRing
from kiosk.cardid import new_card_key
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.errors import ErrorKind, KioskError
from kiosk.i18n import N_
from kiosk.ids import new_id
from kiosk.services.admin import AdminAccess
from kiosk.services.cards import Cards
from kiosk.services.context import Context
from kiosk.services.draws import Draws
from kiosk.services.elections import Elections
from kiosk.services.exchanges import Exchanges
from kiosk.services.listings import Listings
from kiosk.services.members import Members
from kiosk.services.network import Network
from kiosk.services.passes import Passes
from kiosk.services.stats import Stats
from kiosk.services.themes import Themes
from kiosk.services.workshops import Workshops
from kiosk.store import Store
from kiosk.themes import Catalogue, load_catalogue

CARD_KEY_MISMATCH = ErrorKind(
    "config.card_key_mismatch",
    N_("La clé de cartes de la configuration diffère de celle avec laquelle les cartes ont été enrôlées."),
    N_("Remettez l’ancienne clé dans la configuration : sinon aucune carte ne serait reconnue."),
)


@dataclass
class Services:
    ctx: Context
    members: Members
    cards: Cards
    listings: Listings
    exchanges: Exchanges
    workshops: Workshops
    passes: Passes
    stats: Stats
    admin: AdminAccess
    draws: Draws
    elections: Elections
    network: Network  # issue 9: members of other collectives visiting
    themes: Themes  # issue 4: the shipped catalogue's and the collective's own, as screens show them

    @property
    def store(self) -> Store:
        return self.ctx.store

    @property
    def kiosk_id(self) -> str:
        row = self.store.conn.execute("SELECT kiosk_id FROM kiosk_state").fetchone()
        return str(row[0])

    def close(self) -> None:
        self.ctx.store.close()


def bootstrap(store: Store, config: Config, clock: Clock, catalogue: Catalogue) -> bytes:
    """First-start identity, config-owned reference rows and the theme catalogue. Returns the card key."""
    with store.transaction() as conn:
        row = conn.execute("SELECT card_key, themes_version FROM kiosk_state").fetchone()
        configured = config.card_key_bytes()
        if row is None:
            key = configured or new_card_key()
            conn.execute(
                "INSERT INTO kiosk_state (id, kiosk_id, next_seq, hlc_ms, hlc_counter, card_key,"
                " created_at) VALUES (1, ?, 1, 0, 0, ?, ?)",
                (new_id(), key.hex(), clock.now().isoformat()),
            )
            themes_version = 0
        else:
            key = bytes.fromhex(row[0])
            themes_version = row[1]
            if configured and configured != key:
                if conn.execute("SELECT 1 FROM cards LIMIT 1").fetchone():
                    raise KioskError(CARD_KEY_MISMATCH)
                key = configured
                conn.execute("UPDATE kiosk_state SET card_key = ?", (key.hex(),))
        conn.execute(
            "INSERT INTO collectives (id, name) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            (config.collective.id, config.collective.name),
        )
        conn.execute(
            "INSERT INTO sites (id, collective_id, name, quartier) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET collective_id = excluded.collective_id,"
            " name = excluded.name, quartier = excluded.quartier",
            (config.site.id, config.collective.id, config.site.name, config.site.quartier),
        )
        if themes_version != catalogue.version:
            # Only the shipped catalogue's rows: a theme the collective added (`collective_id` set, from the
            # hub) keeps its labels even when a newer catalogue ships the same id.
            conn.executemany(
                "INSERT INTO themes (id, parent_id, label_fr, label_en) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id,"
                " label_fr = excluded.label_fr, label_en = excluded.label_en"
                " WHERE themes.collective_id IS NULL",
                [(t.id, t.parent_id, t.label_fr, t.label_en) for t in catalogue.themes],
            )
            conn.execute("UPDATE kiosk_state SET themes_version = ?", (catalogue.version,))
    return key


def open_services(
    config: Config,
    clock: Clock | None = None,
    *,
    store: Store | None = None,
    catalogue: Catalogue | None = None,
) -> Services:
    clock = clock or SystemClock(config.kiosk.timezone)
    catalogue = catalogue or load_catalogue()
    store = store or Store.open(config.database_path)
    try:
        key = bootstrap(store, config, clock, catalogue)
    except BaseException:
        store.close()
        raise
    # Once paired, the kiosk belongs to the hub's collective, whatever the standalone config said.
    paired = store.conn.execute("SELECT collective_id FROM hub_link").fetchone()
    collective_id = str(paired[0]) if paired else config.collective.id
    keys = CardKeyRing(key)
    keys.load(store.conn)  # and the next key, while a card key rotation runs
    ctx = Context(store, clock, collective_id, config.site.id, keys)
    return Services(
        ctx=ctx,
        members=Members(ctx),
        cards=Cards(ctx),
        listings=Listings(ctx),
        exchanges=Exchanges(ctx),
        workshops=Workshops(ctx),
        passes=Passes(ctx),
        stats=Stats(ctx),
        admin=AdminAccess(ctx, config.security.admin_pin_attempts),
        draws=Draws(ctx),
        elections=Elections(ctx),
        network=Network(ctx),
        themes=Themes(ctx, catalogue),
    )
