"""What the `kiosk-hub` commands do, as functions (the tests and the benchmark call them too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, update

from hub import schema as t
from hub.db import Database
from hub.util import iso, new_pairing_code, secret_hash, slug, utcnow

DEFAULT_NETWORK = "reseau"
PAIRING_CODE_TTL = timedelta(minutes=15)


def init(db: Database, network_name: str = "Réseau des collectifs") -> None:
    """Create or upgrade the schema, and the default network the collectives belong to."""
    db.migrate()
    with db.write() as conn:
        if conn.execute(select(t.networks.c.id).where(t.networks.c.id == DEFAULT_NETWORK)).first() is None:
            conn.execute(
                insert(t.networks).values(
                    id=DEFAULT_NETWORK, name=network_name, card_key=None, created_at=iso(utcnow())
                )
            )


@dataclass(frozen=True)
class Collective:
    id: str
    name: str
    quartier: str
    network_id: str


def add_collective(db: Database, name: str, quartier: str, network_id: str = DEFAULT_NETWORK) -> Collective:
    """A new collective; its id is a slug of its name (the kiosk config's `[collective] id`)."""
    name, quartier = name.strip(), quartier.strip()
    if not name:
        raise ValueError("Le nom du collectif est vide.")
    with db.write() as conn:
        if conn.execute(select(t.networks.c.id).where(t.networks.c.id == network_id)).first() is None:
            raise ValueError(f"Réseau inconnu : {network_id} (lancez d’abord « kiosk-hub init »).")
        base = slug(name)
        taken = set(
            conn.execute(select(t.collectives.c.id).where(t.collectives.c.id.like(base + "%"))).scalars()
        )
        collective_id, n = base, 2
        while collective_id in taken:
            collective_id, n = f"{base}-{n}", n + 1
        conn.execute(
            insert(t.collectives).values(
                id=collective_id,
                network_id=network_id,
                name=name,
                quartier=quartier,
                created_at=iso(utcnow()),
                last_seq=0,
            )
        )
    return Collective(collective_id, name, quartier, network_id)


def find_collective(db: Database, key: str) -> Collective | None:
    """By id, or by exact name (what a librarian types)."""
    with db.read() as conn:
        row = conn.execute(
            select(t.collectives).where((t.collectives.c.id == key) | (t.collectives.c.name == key))
        ).first()
    return Collective(row.id, row.name, row.quartier, row.network_id) if row else None


def create_pairing_code(
    db: Database, collective_id: str, ttl: timedelta = PAIRING_CODE_TTL
) -> tuple[str, str]:
    """A one-time code (only its hash is kept) and when it expires."""
    code = new_pairing_code()
    now = utcnow()
    expires_at = iso(now + ttl)
    with db.write() as conn:
        conn.execute(
            insert(t.pairing_codes).values(
                code_hash=secret_hash(code),
                collective_id=collective_id,
                created_at=iso(now),
                expires_at=expires_at,
                used_at=None,
                kiosk_id=None,
            )
        )
    return code, expires_at


def list_kiosks(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(
            select(
                t.kiosks.c.id,
                t.kiosks.c.name,
                t.kiosks.c.collective_id,
                t.kiosks.c.paired_at,
                t.kiosks.c.last_seen_at,
                t.kiosks.c.skew_ms,
                t.kiosks.c.pending_events,
                t.kiosks.c.revoked_at,
            ).order_by(t.kiosks.c.collective_id, t.kiosks.c.paired_at)
        ).all()
    return [dict(row._mapping) for row in rows]


def revoke_kiosk(db: Database, kiosk_id: str) -> bool:
    """Its token stops working at once (401 `kiosk_revoked`); its events stay, they are facts."""
    with db.write() as conn:
        result = conn.execute(
            update(t.kiosks)
            .where(t.kiosks.c.id == kiosk_id, t.kiosks.c.revoked_at.is_(None))
            .values(revoked_at=iso(utcnow()))
        )
        return result.rowcount == 1
