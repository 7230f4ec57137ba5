"""The network card key rotation (issue 9), on the hub: start, progress, finish.

A card is known by uid_hash = HMAC(network card key, UID), and nobody keeps a UID: a new key cannot be applied
to the cards already enrolled, only to cards as they are tapped. So a rotation has two ends:
- start: the hub makes the next key and tells every collective of the network (`network.card_key_next`, a
  hub-made event pulled by each kiosk). Kiosks then hash each tap with both keys, and a known card tapped
  anywhere in its collective gets its next hash (`card.rekeyed`, recorded here by `record`);
- finish (when the coordinator decides): the next key becomes the network's key (`network.card_key_switched`);
  each card is known under its next hash only, and a card never re-keyed is forgotten: at its next tap it is
  an unknown card, which a librarian enrols again.
A kiosk offline for the whole rotation keeps identifying with the old key until it syncs; what it records
meanwhile still syncs; cards it enrols meanwhile are forgotten at the switch, like any card not re-keyed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from hub.db import Database
from hub.network_outbox import Outbox, fact_id
from hub.sql import Sql
from hub.util import iso, utcnow
from sync_client.protocol import card_key_id

NEXT_EVENT = "network.card_key_next"
SWITCHED_EVENT = "network.card_key_switched"


class RotationError(ValueError):
    """A rotation that cannot start or finish now, said in French for the coordinator."""


@dataclass(frozen=True)
class RotationStatus:
    network_id: str
    network_name: str
    in_progress: bool
    started_at: str | None
    active_cards: int  # cards of the network not revoked
    rekeyed: int  # of those, known under the next key already
    has_key: bool  # a network gets its key with its first kiosk: before that there is nothing to rotate

    @property
    def remaining(self) -> int:
        return self.active_cards - self.rekeyed

    def as_dict(self) -> dict[str, Any]:
        return {
            "network_id": self.network_id,
            "in_progress": self.in_progress,
            "started_at": self.started_at,
            "active_cards": self.active_cards,
            "rekeyed": self.rekeyed,
            "remaining": self.remaining,
        }


@dataclass(frozen=True)
class Finished:
    network_id: str
    kept: int  # cards known under the new key (revoked ones included)
    forgotten: int  # cards no kiosk re-keyed: unknown at their next tap


def _status(sql: Sql, network_id: str) -> RotationStatus:
    network = sql.first(
        "SELECT name, card_key, next_card_key, rotation_started_at FROM networks WHERE id = ?", (network_id,)
    )
    if network is None:
        raise RotationError(f"Réseau inconnu : « {network_id} ».")
    counts = sql.first(
        "SELECT count(*), count(next_uid_hash) FROM cards WHERE network_id = ? AND revoked_at IS NULL",
        (network_id,),
    )
    assert counts is not None
    name, key, following, started_at = network
    return RotationStatus(
        network_id, name, following is not None, started_at, int(counts[0]), int(counts[1]), key is not None
    )


def status(db: Database, network_id: str) -> RotationStatus:
    with db.read() as conn:
        return _status(Sql(conn), network_id)


def _lock_collectives(sql: Sql, network_id: str) -> list[str]:
    """The network's collectives, their rows locked in id order (as a push's delivery locks them)."""
    locked = " FOR UPDATE" if sql.postgres else ""
    rows = sql.rows("SELECT id FROM collectives WHERE network_id = ? ORDER BY id" + locked, (network_id,))
    return [row[0] for row in rows]


def _announce(sql: Sql, collectives: list[str], event_type: str, payload: dict[str, Any], *name: str) -> None:
    outbox = Outbox()
    for collective_id in collectives:
        outbox.add(collective_id, fact_id(event_type, collective_id, *name), event_type, payload, None)
    outbox.deliver(sql)


def start(db: Database, network_id: str) -> RotationStatus:
    """Make the network's next card key and tell every collective; refused when one already runs."""

    def work(conn: Connection) -> RotationStatus:
        sql = Sql(conn)
        collectives = _lock_collectives(sql, network_id)
        now = _status(sql, network_id)
        if now.in_progress:
            raise RotationError(f"Un changement de clé est déjà en cours depuis le {now.started_at}.")
        current = sql.first("SELECT card_key FROM networks WHERE id = ?", (network_id,))
        if current is None or current[0] is None:
            raise RotationError("Ce réseau n’a pas encore de clé : aucune borne n’y a été appairée.")
        following, started_at = secrets.token_hex(32), iso(utcnow())
        sql.run(
            "UPDATE networks SET next_card_key = ?, rotation_started_at = ? WHERE id = ?",
            (following, started_at, network_id),
        )
        payload = {
            "network_id": network_id,
            "replaces": card_key_id(bytes.fromhex(current[0])),
            "next_card_key": following,
            "started_at": started_at,
        }
        _announce(sql, collectives, NEXT_EVENT, payload, started_at)
        return _status(sql, network_id)

    return db.write_retrying(work)


def finish(db: Database, network_id: str) -> Finished:
    """The next key becomes the network's: cards keep their next hash, the others are forgotten."""

    def work(conn: Connection) -> Finished:
        sql = Sql(conn)
        collectives = _lock_collectives(sql, network_id)
        row = sql.first("SELECT card_key, next_card_key FROM networks WHERE id = ?", (network_id,))
        if row is None:
            raise RotationError(f"Réseau inconnu : « {network_id} ».")
        current, following = row
        if following is None:
            raise RotationError("Aucun changement de clé n’est en cours dans ce réseau.")
        forgotten = sql.run(
            "DELETE FROM cards WHERE network_id = ? AND next_uid_hash IS NULL AND revoked_at IS NULL",
            (network_id,),
        )
        sql.run("DELETE FROM cards WHERE network_id = ? AND next_uid_hash IS NULL", (network_id,))
        kept = sql.run(
            "UPDATE cards SET uid_hash = next_uid_hash, next_uid_hash = NULL"
            " WHERE network_id = ? AND next_uid_hash IS NOT NULL",
            (network_id,),
        )
        sql.run(
            "UPDATE networks SET card_key = next_card_key, next_card_key = NULL, rotation_started_at = NULL"
            " WHERE id = ?",
            (network_id,),
        )
        new_id = card_key_id(bytes.fromhex(following))
        payload = {
            "network_id": network_id,
            "replaced": card_key_id(bytes.fromhex(current)),
            "card_key_id": new_id,
            "switched_at": iso(utcnow()),
        }
        _announce(sql, collectives, SWITCHED_EVENT, payload, new_id)
        return Finished(network_id, kept, forgotten)

    return db.write_retrying(work)


# What pushes tell the hub during (and just after) a rotation: hub/effects.py calls `record` once a batch's
# cards are written. Events that name a card's next hash: `card.rekeyed`, and `card.enrolled` / `card.revoked`
# at a kiosk that knew the next key.
_NAMING_NEXT = ("card.rekeyed", "card.enrolled", "card.revoked")


def record(conn: Connection, collective_id: str, network_id: str, batch: list[Any]) -> None:
    news = [
        n for n in batch if n.event.type in _NAMING_NEXT and isinstance(n.payload.get("next_uid_hash"), str)
    ]
    if not news:
        return
    sql = Sql(conn)
    found = sql.first("SELECT next_card_key FROM networks WHERE id = ?", (network_id,))
    rotating = found is not None and found[0] is not None
    for new in news:
        p, at = new.payload, new.row["corrected_at"]
        old, following = p["uid_hash"], p["next_uid_hash"]
        if new.event.type == "card.revoked":  # pushed after the switch: the card is known by its next hash
            sql.run(
                "UPDATE cards SET revoked_at = ?"
                " WHERE network_id = ? AND uid_hash = ? AND revoked_at IS NULL",
                (at, network_id, following),
            )
        elif rotating:
            sql.run(
                "UPDATE cards SET next_uid_hash = ? WHERE network_id = ? AND uid_hash = ?",
                (following, network_id, old),
            )
            _known_under(sql, network_id, collective_id, new, following, at, rotating=True)
        else:  # pushed after the switch: the card is known under the key it was given
            if not _exists(sql, network_id, following):
                sql.run(
                    "UPDATE cards SET uid_hash = ?, next_uid_hash = NULL"
                    " WHERE network_id = ? AND uid_hash = ?",
                    (following, network_id, old),
                )
            _known_under(sql, network_id, collective_id, new, following, at, rotating=False)


def _exists(sql: Sql, network_id: str, uid_hash: str) -> bool:
    found = sql.first(
        "SELECT 1 FROM cards WHERE network_id = ? AND (uid_hash = ? OR next_uid_hash = ?)",
        (network_id, uid_hash, uid_hash),
    )
    return found is not None


def _known_under(
    sql: Sql, network_id: str, collective_id: str, new: Any, following: str, at: str, *, rotating: bool
) -> None:
    """A re-keyed card the hub no longer (or never) had under its old hash: kept under its next one."""
    if new.event.type != "card.rekeyed" or _exists(sql, network_id, following):
        return
    sql.insert(
        "cards",
        (
            "network_id",
            "uid_hash",
            "member_id",
            "collective_id",
            "enrolled_at",
            "revoked_at",
            "next_uid_hash",
        ),
        [
            (
                network_id,
                following,
                new.payload["member_id"],
                collective_id,
                at,
                None,
                following if rotating else None,
            )
        ],
    )
