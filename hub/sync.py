"""Pairing, pull, and `authenticate` for the declared routes (push is in `hub.ingest`, the token check in
`hub.auth`)."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from json.encoder import encode_basestring as _text  # a JSON string, non-ASCII kept (as pydantic writes it)
from typing import Any

from anyio import to_thread
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import NoResultFound, OperationalError

from hub import network as network_sharing
from hub import schema as t
from hub.auth import KioskAuth, bearer_token, kiosk_of, kiosk_state
from hub.db import Database
from hub.errors import HubError
from hub.recent_changes import StoredChange
from hub.sql import Sql, marks
from hub.util import iso, new_token, secret_hash, utcnow
from hub.wire import change_json
from sync_client.protocol import (
    HUB_ONLY_SCHEMAS,
    Change,
    Envelope,
    ErrorCode,
    PairRequest,
    PairResponse,
    PullResponse,
    normalise_code,
)

PAIR_WINDOW_MS = 10 * 60 * 1000
PAIR_MAX_FAILURES = 10  # per client address and window: a 50-bit code cannot be guessed at that pace


def authenticate(db: Database, authorization: str | None) -> KioskAuth:
    """The kiosk whose token `authorization` ("Bearer …") carries, or 401."""
    token = bearer_token(authorization)
    with db.read() as conn:
        return kiosk_of(conn, token)


def pull(db: Database, kiosk: KioskAuth, cursor: int, limit: int) -> PullResponse:
    """The collective's events from other kiosks after `cursor`, in hub sequence order."""
    rows, next_cursor, has_more = _pull_rows(db, kiosk, cursor, limit)
    return PullResponse(
        changes=[_change(row) for row in rows], cursor=next_cursor, has_more=has_more, hub_time=iso(utcnow())
    )


def pull_json(db: Database, kiosk: KioskAuth, cursor: int, limit: int) -> str:
    """`pull`'s answer as `PullResponse` JSON, joined from each event's stored change text (hub/wire.py).

    Decoding rows into models and encoding them again was most of a pull's cost on the hub (200 kiosks
    pulling at once). A test checks that both give the same `PullResponse`.
    """
    with db.read() as conn:
        rows, next_cursor, has_more = _wire_rows(conn, kiosk, cursor, limit, None)
    missing = [row[0] for row in rows if row[-1] is None]
    return _pull_answer(
        rows, _rebuild_changes(db, missing) if missing else {}, next_cursor, has_more
    ).decode()


async def pull_for_token(
    db: Database, token: str, cursor: int, limit: int, check: Callable[[KioskAuth], None]
) -> bytes:
    """`pull_json` for the kiosk of `token` (401 otherwise; then `check`, which may refuse it), read in
    the same transaction as its changes, from the event loop (`Database.read_async`), as UTF-8 bytes: the
    changes kept by hub/recent_changes.py are bytes already (encoded once, where each pull encoded its
    answer of a few hundred kilobytes)."""

    def read(conn: Connection) -> tuple[list[tuple[Any, ...]], int, bool]:
        kiosk, last, redactions = kiosk_state(conn, token)  # the high-water mark first (see _wire_rows)
        check(kiosk)
        changes = db.recent_changes.between(
            kiosk.collective_id, redactions, cursor, last, lambda low, high: _changes(conn, kiosk, low, high)
        )
        if changes is None:
            return _wire_rows(conn, kiosk, cursor, limit, last)
        return _kiosk_page(changes, kiosk, limit, last)

    rows, next_cursor, has_more = await db.read_async(read)
    missing = [row[0] for row in rows if row[-1] is None]
    rebuilt = await to_thread.run_sync(_rebuild_changes, db, missing) if missing else {}
    return _pull_answer(rows, rebuilt, next_cursor, has_more)


def _pull_answer(
    rows: list[tuple[Any, ...]], rebuilt: dict[int, str], next_cursor: int, has_more: bool
) -> bytes:
    """The `PullResponse` JSON of `rows` (pk first, change text last: str, bytes, or None, then `rebuilt`).

    Made by ONE join: `head + joined + tail` copied the answer (300 KB for 450 changes) twice more, and
    took a pull 440 µs where the join alone takes 60."""
    texts = [row[-1] if isinstance(row[-1], bytes) else (row[-1] or rebuilt[row[0]]).encode() for row in rows]
    more = "true" if has_more else "false"
    tail = f'],"cursor":{int(next_cursor)},"has_more":{more},"hub_time":{_text(iso(utcnow()))}}}'.encode()
    if not texts:
        return b'{"changes":[' + tail
    texts[0] = b'{"changes":[' + texts[0]
    texts[-1] += tail
    return b",".join(texts)


_HIDDEN = list(HUB_ONLY_SCHEMAS)
_WIRE_SQL = (
    "SELECT pk, seq, change_json FROM events WHERE collective_id = ? AND seq > ? AND seq <= ?"
    f" AND kiosk_id <> ? AND type NOT IN ({marks(len(_HIDDEN))}) ORDER BY seq LIMIT ?"
)


def _wire_rows(
    conn: Connection, kiosk: KioskAuth, cursor: int, limit: int, last: int | None
) -> tuple[list[tuple[Any, ...]], int, bool]:
    """`_pull_rows` in hand-written SQL, for `pull_json` (the test compares the two answers).
    `last`: the collective's `last_seq`, when already read in this transaction."""
    sql = Sql(conn)
    if last is None:
        # Read the high-water mark first: every sequence up to it is committed (see ingest._store).
        found = sql.first("SELECT last_seq FROM collectives WHERE id = ?", (kiosk.collective_id,))
        if found is None:
            raise NoResultFound(f"collective {kiosk.collective_id}")
        last = int(found[0])
    rows = sql.rows(_WIRE_SQL, (kiosk.collective_id, cursor, last, kiosk.kiosk_id, *_HIDDEN, limit + 1))
    has_more = len(rows) > limit
    rows = rows[:limit]
    return rows, rows[-1][1] if has_more else last, has_more


_CHANGES_SQL = (
    "SELECT pk, seq, kiosk_id, type, change_json FROM events WHERE collective_id = ? AND seq > ? AND seq <= ?"
    " ORDER BY seq"
)


def _changes(conn: Connection, kiosk: KioskAuth, low: int, high: int) -> list[StoredChange] | None:
    """The collective's changes of sequence in (low, high], every kiosk's, for hub/recent_changes.py; None
    when one has no text yet (stored before revision 0002, or redacted since: `pull_json` builds those)."""
    rows = Sql(conn).rows(_CHANGES_SQL, (kiosk.collective_id, low, high))
    if any(row[4] is None for row in rows):
        return None
    return [StoredChange(pk, seq, kiosk_id, kind, text.encode()) for pk, seq, kiosk_id, kind, text in rows]


def _kiosk_page(
    changes: list[StoredChange], kiosk: KioskAuth, limit: int, last: int
) -> tuple[list[tuple[Any, ...]], int, bool]:
    """`_wire_rows`' answer from the collective's changes (`StoredChange`: pk, seq, kiosk, type, text): the
    other kiosks' (hub-only types left out), up to `limit`."""
    own, hidden = kiosk.kiosk_id, HUB_ONLY_SCHEMAS
    # The changes themselves as rows (pk and seq first, text last, as `_wire_rows`' rows): indexes rather
    # than field names, and no tuple made per row, halved this pass (36 against 66 µs for 500 changes).
    rows: list[tuple[Any, ...]] = [c for c in changes if c[2] != own and c[3] not in hidden]
    has_more = len(rows) > limit
    if has_more:
        del rows[limit:]
    return rows, rows[-1][1] if has_more else last, has_more


def _rebuild_changes(db: Database, pks: list[int]) -> dict[int, str]:
    """Change texts of rows stored before revision 0002 or redacted since: built now and kept."""
    with db.read() as conn:
        rows = conn.execute(select(t.events).where(t.events.c.pk.in_(pks))).all()
    texts = {row.pk: change_json(row._mapping) for row in rows}
    keep = (  # unless the row changed meanwhile (another redaction): then next time
        update(t.events)
        .where(t.events.c.pk == bindparam("row_pk"), t.events.c.payload == bindparam("row_payload"))
        .values(change_json=bindparam("row_text"))
    )
    try:
        with db.write() as conn:  # one statement for the page (executemany), not one per row
            conn.execute(
                keep,
                [{"row_pk": row.pk, "row_payload": row.payload, "row_text": texts[row.pk]} for row in rows],
            )
    except OperationalError:  # a busy database: the answer does not depend on keeping them
        pass
    return texts


def _pull_rows(
    db: Database, kiosk: KioskAuth, cursor: int, limit: int, columns: tuple[Any, ...] = (t.events,)
) -> tuple[list[Any], int, bool]:
    with db.read() as conn:
        # Read the high-water mark first: every sequence up to it is committed (see ingest._store).
        last = conn.execute(
            select(t.collectives.c.last_seq).where(t.collectives.c.id == kiosk.collective_id)
        ).scalar_one()
        rows = conn.execute(
            select(*columns)
            .where(
                t.events.c.collective_id == kiosk.collective_id,
                t.events.c.seq > cursor,
                t.events.c.seq <= last,
                t.events.c.kiosk_id != kiosk.kiosk_id,
                t.events.c.type.not_in(list(HUB_ONLY_SCHEMAS)),
            )
            .order_by(t.events.c.seq)
            .limit(limit + 1)
        ).all()
    has_more = len(rows) > limit
    rows = list(rows[:limit])
    return rows, rows[-1].seq if has_more else last, has_more


def _change(row: Any) -> Change:
    event = Envelope.model_construct(
        id=row.id,
        type=row.type,
        schema_=row.schema,
        kiosk_id=row.kiosk_id,
        seq=row.kiosk_seq,
        occurred_at=row.occurred_at,
        hlc=row.hlc,
        clock_synced=bool(row.clock_synced),
        payload=json.loads(row.payload),
    )  # stored rows were validated when pushed: no second validation here
    return Change.model_construct(
        kind="event",
        hub_seq=row.seq,
        event=event,
        received_at=row.received_at,
        corrected_at=row.corrected_at,
        flags=json.loads(row.flags),
    )


def pair(db: Database, request: PairRequest, address: str) -> PairResponse:
    now = utcnow()
    now_ms = int(now.timestamp() * 1000)

    def work(conn: Connection) -> PairResponse | HubError:
        conn.execute(delete(t.pair_failures).where(t.pair_failures.c.at_ms < now_ms - PAIR_WINDOW_MS))
        failures = conn.execute(
            select(func.count()).select_from(t.pair_failures).where(t.pair_failures.c.address == address)
        ).scalar_one()
        if failures >= PAIR_MAX_FAILURES:
            return HubError(
                429,
                ErrorCode.TOO_MANY_ATTEMPTS,
                "Trop d’essais de code d’appairage : patientez dix minutes.",
                retry_after=PAIR_WINDOW_MS // 1000,
            )
        outcome = _pair_with_code(conn, request, iso(now))
        if isinstance(outcome, HubError) and outcome.code in _CODE_FAILURES:
            conn.execute(insert(t.pair_failures).values(address=address, at_ms=now_ms))
        return outcome

    # The failure is committed before it is answered: the next guess counts it, whatever the worker process.
    outcome = db.write_retrying(work)
    if isinstance(outcome, HubError):
        raise outcome
    return outcome


_CODE_FAILURES = (ErrorCode.PAIRING_CODE_INVALID, ErrorCode.PAIRING_CODE_USED, ErrorCode.PAIRING_CODE_EXPIRED)


def _pair_with_code(conn: Connection, request: PairRequest, now: str) -> PairResponse | HubError:
    code_hash = secret_hash(normalise_code(request.code))
    code = conn.execute(select(t.pairing_codes).where(t.pairing_codes.c.code_hash == code_hash)).first()
    if code is None:
        return HubError(403, ErrorCode.PAIRING_CODE_INVALID, "Code d’appairage inconnu : vérifiez-le.")
    if code.used_at is not None:
        return HubError(403, ErrorCode.PAIRING_CODE_USED, "Ce code a déjà servi : demandez-en un nouveau.")
    if code.expires_at <= now:
        return HubError(403, ErrorCode.PAIRING_CODE_EXPIRED, "Ce code a expiré : demandez-en un nouveau.")
    collective = conn.execute(select(t.collectives).where(t.collectives.c.id == code.collective_id)).one()
    network = conn.execute(select(t.networks).where(t.networks.c.id == collective.network_id)).one()
    # The hub adopts the kiosk's own id: its journal already carries it in every event and HLC, and an
    # event is never rewritten. It is a random UUID, so it is unique without the hub issuing it.
    kiosk_id = request.kiosk_id or str(uuid.uuid4())
    if conn.execute(select(t.kiosks.c.id).where(t.kiosks.c.id == kiosk_id)).first() is not None:
        return HubError(
            409,
            ErrorCode.KIOSK_EXISTS,
            "Cette borne est déjà appairée à ce hub (révoquée ou non) : le code n’a pas été utilisé.",
        )
    card_key = network.card_key
    if card_key is None:  # the first kiosk of the network brings its key (or the hub makes one)
        card_key = request.card_key or secrets.token_hex(32)
        conn.execute(update(t.networks).where(t.networks.c.id == network.id).values(card_key=card_key))
    elif request.card_key and request.card_key != card_key and request.keep_card_key:
        return HubError(
            409,
            ErrorCode.CARD_KEY_MISMATCH,
            "Les cartes de cette borne ont été enrôlées avec une autre clé que celle du réseau : "
            "les appairer les rendrait inutilisables. Le code n’a pas été utilisé.",
        )
    used = conn.execute(
        update(t.pairing_codes)
        .where(t.pairing_codes.c.code_hash == code_hash, t.pairing_codes.c.used_at.is_(None))
        .values(used_at=now, kiosk_id=kiosk_id)
    )
    if used.rowcount != 1:
        return HubError(403, ErrorCode.PAIRING_CODE_USED, "Ce code a déjà servi : demandez-en un nouveau.")
    network_sharing.backfill(conn, collective.id, network.id)  # issue 9: listings shared before it joined
    token = new_token()
    conn.execute(
        insert(t.kiosks).values(
            id=kiosk_id,
            collective_id=collective.id,
            name=request.kiosk_name,
            token_hash=secret_hash(token),
            paired_at=now,
            revoked_at=None,
            last_seen_at=now,
        )
    )
    return PairResponse(
        kiosk_id=kiosk_id,
        token=token,
        collective_id=collective.id,
        collective_name=collective.name,
        network_id=network.id,
        card_key=card_key,
        hub_time=now,
        next_card_key=network.next_card_key,  # during a card key rotation (hub/rotation.py)
    )
