"""One sync cycle on a kiosk store: push the journal's pending events, then pull the collective's changes.

Every step is idempotent by event id, so a cycle cut anywhere (network, hub restart, kiosk power cut) is
simply run again: an event the hub stored but whose answer was lost comes back as `duplicate`; a pulled page
is applied and its cursor saved in one transaction, so the first pull resumes where it stopped.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from kiosk import projections
from kiosk.clock import Clock, HlcState, SystemClock, parse_hlc, to_ms
from kiosk.journal import INSERT_SQL, Event, journal_row, merge_remote_clock, pending_count
from kiosk.store import Store
from sync_client.client import HubClient, HubRefused
from sync_client.protocol import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, Envelope, Outcome

PUSH_BYTES_BUDGET = MAX_BATCH_BYTES - 64 * 1024  # room for the JSON around the events
ENVELOPE_OVERHEAD = 320  # bytes of a wire envelope besides its payload (ids, times, hlc, keys)
CLOCK_TRUSTED_MS = 10_000  # a kiosk clock within this of the hub's counts as checked


class KioskTooOld(Exception):
    """The hub sent an event type this kiosk cannot apply: the kiosk software needs an update."""


@dataclass(frozen=True)
class Rejection:
    event_id: str
    type: str
    reason: str
    detail: str


@dataclass(frozen=True)
class HubLink:
    hub_url: str
    token: str
    kiosk_name: str
    collective_id: str
    network_id: str
    paired_at: str
    pull_cursor: int
    initial_pull_done: bool
    last_success_at: str | None
    clock_skew_ms: int | None


@dataclass(frozen=True)
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    rejected: tuple[Rejection, ...] = ()
    pulled: int = 0
    already_known: int = 0
    apply_errors: int = 0
    pending: int = 0
    skew_ms: int | None = None
    cursor: int = 0

    def describe(self) -> str:
        lines = [
            f"Envoyés : {self.pushed} (déjà sur le hub : {self.duplicates}).",
            f"Reçus : {self.pulled} (déjà connus : {self.already_known}).",
            f"Restant à envoyer : {self.pending}.",
        ]
        if self.skew_ms is not None:
            lines.append(f"Décalage de l’horloge avec le hub : {self.skew_ms / 1000:+.1f} s.")
        for rejection in self.rejected:
            lines.append(
                f"REFUSÉ par le hub : {rejection.type} {rejection.event_id} — "
                f"{rejection.reason} {rejection.detail}"
            )
        if self.apply_errors:
            lines.append(
                f"{self.apply_errors} évènement(s) reçu(s) non appliqué(s) (voir sync_apply_errors)."
            )
        return "\n".join(lines)


def read_link(conn: sqlite3.Connection) -> HubLink | None:
    row = conn.execute(
        "SELECT hub_url, token, kiosk_name, collective_id, network_id, paired_at, pull_cursor,"
        " initial_pull_done, last_success_at, clock_skew_ms FROM hub_link WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    url, token, name, collective_id, network_id, paired_at, cursor, done, success, skew = row
    return HubLink(url, token, name, collective_id, network_id, paired_at, cursor, bool(done), success, skew)


@dataclass
class _Tally:
    pushed: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    pulled: int = 0
    known: int = 0
    errors: int = 0
    skew_ms: int | None = None


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: HubClient,
        clock: Clock,
        *,
        batch_events: int = MAX_BATCH_EVENTS,
        pull_limit: int = 1000,
    ) -> None:
        self.store = store
        self.client = client
        self.clock = clock
        self.batch_events = batch_events
        self.pull_limit = pull_limit

    def sync_once(self) -> SyncReport:
        """Push then pull (our facts reach the hub before we learn others'); raises what stops the cycle."""
        tally = _Tally()
        self.push(tally)
        cursor = self.pull(tally)
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE hub_link SET last_success_at = ?, clock_skew_ms = coalesce(?, clock_skew_ms)"
                " WHERE id = 1",
                (self.clock.now().isoformat(timespec="seconds"), tally.skew_ms),
            )
        self._trust_clock(tally.skew_ms)
        return SyncReport(
            pushed=tally.pushed,
            duplicates=tally.duplicates,
            rejected=tuple(tally.rejected),
            pulled=tally.pulled,
            already_known=tally.known,
            apply_errors=tally.errors,
            pending=pending_count(self.store.conn),
            skew_ms=tally.skew_ms,
            cursor=cursor,
        )

    # Push ------------------------------------------------------------------------------------------

    def push(self, tally: _Tally) -> None:
        limit = self.batch_events
        while True:
            batch = self._pending(limit)
            if not batch:
                return
            try:
                remaining = pending_count(self.store.conn) - len(batch)
                answer = self.client.push(
                    [wire for _, wire in batch], kiosk_time=self.clock.now(), remaining=max(0, remaining)
                )
            except HubRefused as error:
                if error.status not in (413, 422):
                    raise
                # Too large for the hub, or an event it cannot even parse: halve the batch until the culprit
                # is alone, refuse that one for good, and go on with the others (one bad event must not
                # block the kiosk's journal for ever).
                if len(batch) > 1:
                    limit = max(1, len(batch) // 2)
                    continue
                event_id, wire = batch[0]
                reason = "too_large" if error.status == 413 else "invalid"
                self._record([(event_id, wire["type"], "rejected", reason, error.message)], tally)
                limit = self.batch_events
                continue
            by_id = {result.id: result for result in answer.results}
            if set(by_id) != {event_id for event_id, _ in batch}:
                raise HubRefused(
                    "Le hub a répondu pour d’autres évènements que ceux envoyés.", "bad_response"
                )
            tally.skew_ms = answer.skew_ms
            self._record(
                [
                    (
                        event_id,
                        wire["type"],
                        by_id[event_id].status,
                        by_id[event_id].reason or "",
                        by_id[event_id].detail,
                    )
                    for event_id, wire in batch
                ],
                tally,
            )

    def _pending(self, limit: int) -> list[tuple[str, dict[str, Any]]]:
        rows = self.store.conn.execute(
            "SELECT id, type, schema, kiosk_id, seq, occurred_at, hlc, clock_synced, payload FROM journal"
            " WHERE origin = 'local' AND pushed = 0 ORDER BY pos LIMIT ?",
            (limit,),
        ).fetchall()
        batch: list[tuple[str, dict[str, Any]]] = []
        size = 0
        for event_id, event_type, schema, kiosk_id, seq, occurred_at, hlc, synced, payload in rows:
            size += len(payload.encode()) + ENVELOPE_OVERHEAD
            if batch and size > PUSH_BYTES_BUDGET:
                break
            batch.append(
                (
                    event_id,
                    {
                        "id": event_id,
                        "type": event_type,
                        "schema": schema,
                        "kiosk_id": kiosk_id,
                        "seq": seq,
                        "occurred_at": occurred_at,
                        "hlc": hlc,
                        "clock_synced": bool(synced),
                        "payload": json.loads(payload),
                    },
                )
            )
        return batch

    def _record(self, outcomes: list[tuple[str, str, str, str, str]], tally: _Tally) -> None:
        now = self.clock.now().isoformat(timespec="seconds")
        with self.store.transaction() as conn:
            for event_id, event_type, status, reason, detail in outcomes:
                if status in (Outcome.ACCEPTED, Outcome.DUPLICATE):
                    conn.execute("UPDATE journal SET pushed = 1 WHERE id = ?", (event_id,))
                    if status == Outcome.ACCEPTED:
                        tally.pushed += 1
                    else:
                        tally.duplicates += 1
                    continue
                # A definite refusal: never resent (pushed = 2), kept for the librarian to see.
                conn.execute("UPDATE journal SET pushed = 2 WHERE id = ?", (event_id,))
                conn.execute(
                    "INSERT OR REPLACE INTO sync_rejections (event_id, reason, detail, rejected_at)"
                    " VALUES (?, ?, ?, ?)",
                    (event_id, reason, detail, now),
                )
                tally.rejected.append(Rejection(event_id, event_type, reason, detail))

    # Pull ------------------------------------------------------------------------------------------

    def pull(self, tally: _Tally) -> int:
        link = read_link(self.store.conn)
        if link is None:
            raise HubRefused("Cette borne n’est pas appairée à un hub.", "not_paired")
        cursor = link.pull_cursor
        while True:
            page = self.client.pull(cursor, self.pull_limit, kiosk_time=self.clock.now())
            with self.store.transaction() as conn:
                newest: HlcState | None = None
                for change in page.changes:
                    outcome = apply_remote(conn, change.event, self.clock.now().isoformat(timespec="seconds"))
                    tally.pulled += outcome == "applied"
                    tally.known += outcome == "known"
                    tally.errors += outcome == "error"
                    stamp = parse_hlc(change.event.hlc)[0]
                    newest = (
                        stamp
                        if newest is None or (stamp.ms, stamp.counter) > (newest.ms, newest.counter)
                        else newest
                    )
                if newest is not None:
                    merge_remote_clock(conn, newest, to_ms(self.clock.now()))
                conn.execute(
                    "UPDATE hub_link SET pull_cursor = ?, initial_pull_done = initial_pull_done OR ?"
                    " WHERE id = 1",
                    (page.cursor, int(not page.has_more)),
                )
            cursor = page.cursor
            if not page.has_more:
                return cursor

    def _trust_clock(self, skew_ms: int | None) -> None:
        """The hub confirmed our clock: events recorded from now on say `clock_synced`."""
        if isinstance(self.clock, SystemClock) and skew_ms is not None:
            self.clock.hub_checked = abs(skew_ms) <= CLOCK_TRUSTED_MS


def apply_remote(conn: sqlite3.Connection, envelope: Envelope, now: str) -> str:
    """Journal another kiosk's event (origin 'remote') and project it: 'applied', 'known' or 'error'.

    A projection that fails on our state (say, the same pseudonym registered offline at two kiosks) must
    not jam the sync for ever: the event is still journaled, as the fact it is, and the failure is kept
    in `sync_apply_errors` for the maintainer.
    """
    if conn.execute("SELECT 1 FROM journal WHERE id = ?", (envelope.id,)).fetchone():
        return "known"
    if envelope.type not in projections.known_types():
        raise KioskTooOld(f"Type d’évènement inconnu de cette borne : {envelope.type} (mettez-la à jour).")
    event = Event(
        envelope.id,
        envelope.type,
        envelope.schema_,
        envelope.kiosk_id,
        envelope.seq,
        envelope.occurred_at,
        envelope.hlc,
        envelope.clock_synced,
        envelope.payload,
    )
    row = journal_row(event, origin="remote", pushed=True)
    conn.execute("SAVEPOINT remote_event")
    try:
        conn.execute(INSERT_SQL, row)
        projections.apply(conn, event)
    except (sqlite3.IntegrityError, KeyError, TypeError, ValueError) as error:
        conn.execute("ROLLBACK TO remote_event")
        conn.execute(INSERT_SQL, row)
        conn.execute(
            "INSERT OR REPLACE INTO sync_apply_errors (event_id, error, at) VALUES (?, ?, ?)",
            (event.id, f"{error.__class__.__name__}: {error}", now),
        )
        conn.execute("RELEASE remote_event")
        return "error"
    conn.execute("RELEASE remote_event")
    return "applied"
