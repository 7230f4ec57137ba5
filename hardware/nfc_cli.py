"""`kiosk tap [--timeout S]`: wait for the next card on any reader and print one JSON line.

For the person installing a kiosk or enrolling cards by hand: it proves the whole chain (reader, pcscd,
pyscard, our monitor) and shows the UID, its keyed hash as the kiosk stores it, and the card type.
Output: ``{"reader", "uid", "uid_hash", "card_type", "random_uid"}``; exit 0 after a card, 1 when no card
came in time, 2 when pcscd or the reader is missing (with a sentence saying what to check).
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import sys
import time
from typing import TextIO

from hardware.events import CardReadError, CardRefused, CardTapped, HardwareEvent, ReaderState, ReaderStatus
from hardware.nfc import NfcSettings, PcscNfcReader
from hardware.pcsc import PcscUnavailable, pcscd_installed
from kiosk.cardid import is_random_uid, uid_hash
from kiosk.config import Config
from kiosk.store import read_only_uri

EXIT_OK = 0
EXIT_NO_CARD = 1
EXIT_CHECK_SETUP = 2

NO_PYSCARD = (
    "La bibliothèque pyscard (ou libpcsclite) n’est pas installée : lancez `make setup`, "
    "ou `sudo apt install pcscd libpcsclite1`."
)
NOT_INSTALLED = "Le service pcscd n’est pas installé : lancez `sudo apt install pcscd`, puis réessayez."
NO_SERVICE = "Le service pcscd ne répond pas : lancez `sudo systemctl start pcscd`, puis réessayez."
NO_READER = (
    "Aucun lecteur de cartes n’est branché (ou pcscd ne le reconnaît pas) : vérifiez son câble USB, "
    "puis lancez `kiosk doctor`."
)
NO_KEY = (
    "Note : la borne n’a pas encore de clé de cartes (premier lancement à venir) ; "
    "uid_hash ne peut pas être calculé."
)


def resolve_card_key(config: Config) -> bytes | None:
    """The key the kiosk hashes UIDs with: the configured network key, else the one the kiosk made itself.

    Read-only: `kiosk tap` must not create or migrate the database just to print a hash.
    """
    configured = config.card_key_bytes()
    if configured:
        return configured
    path = config.database_path
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(read_only_uri(path), uri=True)) as conn:
            row = conn.execute("SELECT card_key FROM kiosk_state").fetchone()
    except sqlite3.Error:
        return None
    return bytes.fromhex(row[0]) if row and row[0] else None


def tap_line(reader: str, uid: bytes, card_type: str, card_key: bytes | None) -> str:
    return json.dumps(
        {
            "reader": reader,
            "uid": uid.hex().upper(),
            "uid_hash": uid_hash(card_key, uid) if card_key else None,
            "card_type": card_type,
            "random_uid": is_random_uid(uid),
        },
        ensure_ascii=False,
    )


def tap_command(
    config: Config,
    timeout: float | None = 30.0,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    settings: NfcSettings | None = None,
) -> int:
    """Wait up to `timeout` seconds (None or ≤ 0: for ever) for one card; print its JSON line on `out`."""
    out = out or sys.stdout
    err = err or sys.stderr
    card_key = resolve_card_key(config)
    events: queue.Queue[HardwareEvent] = queue.Queue()
    try:
        # The monitor needs some key; without the kiosk's own, the hash is withheld (printed as null).
        reader = PcscNfcReader(events, card_key or bytes(32), settings)
    except PcscUnavailable:
        print(NO_PYSCARD, file=err)
        return EXIT_CHECK_SETUP
    deadline = None if timeout is None or timeout <= 0 else time.monotonic() + timeout
    reader.start()
    try:
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                print(f"Aucune carte présentée en {timeout:g} s.", file=err)
                return EXIT_NO_CARD
            try:
                event = events.get(timeout=remaining)
            except queue.Empty:
                continue
            result = _handle(event, card_key, out, err)
            if result is not None:
                return result
    finally:
        reader.stop()


def _handle(event: HardwareEvent, card_key: bytes | None, out: TextIO, err: TextIO) -> int | None:
    if isinstance(event, CardTapped | CardRefused):
        print(tap_line(event.reader, event.uid, event.atr_kind.value, card_key), file=out, flush=True)
        if card_key is None:
            print(NO_KEY, file=err)
        return EXIT_OK
    if isinstance(event, CardReadError):
        print(f"Lecture interrompue sur {event.reader} ({event.code}) : reposez la carte.", file=err)
    elif isinstance(event, ReaderStatus):
        if event.state is ReaderState.SERVICE_DOWN:
            print(NO_SERVICE if pcscd_installed() else NOT_INSTALLED, file=err)
            return EXIT_CHECK_SETUP
        if event.state is ReaderState.NO_READER:
            print(NO_READER, file=err)
            return EXIT_CHECK_SETUP
        if event.state is ReaderState.READY:
            print(f"Posez une carte sur le lecteur « {event.reader} »…", file=err, flush=True)
    return None
