"""Coordinators' accounts: who may read which collective's pages, and their Argon2 password hashes.

A `collective` coordinator sees one collective; a `network` coordinator sees every collective of a network.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from hub import schema as t
from hub.db import Database
from hub.util import iso, utcnow

Role = Literal["collective", "network"]
MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()

# Verifying against this hash when the e-mail is unknown costs the same time as a wrong password: the
# answer's delay does not tell which e-mails have an account.
_DUMMY_HASH = _hasher.hash("pas un vrai mot de passe, seulement pour le temps de calcul")


@dataclass(frozen=True)
class Coordinator:
    id: str
    email: str
    role: Role
    network_id: str
    collective_id: str | None

    def sees(self, network_id: str, collective_id: str | None) -> bool:
        """Whether this coordinator may read the pages of that collective (or of the whole network)."""
        if self.role == "network":
            return network_id == self.network_id
        return collective_id is not None and collective_id == self.collective_id


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _from_row(row: object) -> Coordinator:
    return Coordinator(
        row.id,  # type: ignore[attr-defined]
        row.email,  # type: ignore[attr-defined]
        row.role,  # type: ignore[attr-defined]
        row.network_id,  # type: ignore[attr-defined]
        row.collective_id,  # type: ignore[attr-defined]
    )


def add_coordinator(
    db: Database,
    email: str,
    password: str,
    *,
    collective_id: str | None = None,
    network_id: str | None = None,
) -> Coordinator:
    """A new account for one collective (`collective_id`) or for a whole network (`network_id`)."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise ValueError(f"Adresse e-mail invalide : « {email} ».")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins.")
    if (collective_id is None) == (network_id is None):
        raise ValueError("Indiquez soit un collectif (--collective), soit un réseau (--network).")
    with db.write() as conn:
        if conn.execute(select(t.coordinators.c.id).where(t.coordinators.c.email == email)).first():
            raise ValueError(f"Un compte existe déjà pour {email}.")
        role: Role
        if collective_id is not None:
            row = conn.execute(
                select(t.collectives.c.network_id).where(t.collectives.c.id == collective_id)
            ).first()
            if row is None:
                raise ValueError(f"Collectif inconnu : « {collective_id} ».")
            role, network = "collective", str(row.network_id)
        else:
            assert network_id is not None
            if conn.execute(select(t.networks.c.id).where(t.networks.c.id == network_id)).first() is None:
                raise ValueError(f"Réseau inconnu : « {network_id} ».")
            role, network = "network", network_id
        coordinator = Coordinator(str(uuid.uuid4()), email, role, network, collective_id)
        conn.execute(
            insert(t.coordinators).values(
                id=coordinator.id,
                email=email,
                password_hash=_hasher.hash(password),
                role=role,
                network_id=network,
                collective_id=collective_id,
                created_at=iso(utcnow()),
            )
        )
    return coordinator


def list_coordinators(db: Database) -> list[Coordinator]:
    with db.read() as conn:
        rows = conn.execute(select(t.coordinators).order_by(t.coordinators.c.email)).all()
    return [_from_row(row) for row in rows]


def remove_coordinator(db: Database, email: str) -> bool:
    """The account and its sessions: a removed coordinator is signed out at once."""
    email = normalise_email(email)
    with db.write() as conn:
        row = conn.execute(select(t.coordinators.c.id).where(t.coordinators.c.email == email)).first()
        if row is None:
            return False
        conn.execute(delete(t.coordinator_sessions).where(t.coordinator_sessions.c.coordinator_id == row.id))
        conn.execute(delete(t.coordinators).where(t.coordinators.c.id == row.id))
    return True


def coordinator_by_id(conn: Connection, coordinator_id: str) -> Coordinator | None:
    row = conn.execute(select(t.coordinators).where(t.coordinators.c.id == coordinator_id)).first()
    return _from_row(row) if row else None


def check_password(db: Database, email: str, password: str) -> Coordinator | None:
    """The coordinator when the password is right, else None (unknown e-mail or wrong password alike).
    A hash made with older Argon2 parameters is replaced by one made with the current ones."""
    email = normalise_email(email)
    with db.read() as conn:
        row = conn.execute(select(t.coordinators).where(t.coordinators.c.email == email)).first()
    stored = row.password_hash if row else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(stored):
        with db.write() as conn:
            conn.execute(
                update(t.coordinators)
                .where(t.coordinators.c.id == row.id)
                .values(password_hash=_hasher.hash(password))
            )
    return _from_row(row)
