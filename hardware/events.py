"""Immutable events that device adapters put on the app's queue (DESIGN §3).

Plain data only: no widget, no device handle, nothing that needs a lock. Adapters build them in their own
threads; the Kivy main thread drains the queue. The raw card UID travels only in the `uid` field of
CardTapped and CardRefused, kept out of repr() and equality so it never lands in a log line by accident
(DESIGN §6); it is there for the enrolment flow and `kiosk tap`, and must never be stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from hardware.ports import ReaderState

__all__ = [
    "CardKind",
    "CardReadError",
    "CardRefused",
    "CardRemoved",
    "CardTapped",
    "HardwareEvent",
    "PrintFinished",
    "PrinterStatus",
    "QrScanned",
    "ReaderState",
    "ReaderStatus",
    "ScannerStatus",
]


def _now() -> datetime:
    return datetime.now(UTC)


class CardKind(StrEnum):
    """Card family guessed from the ATR (PC/SC part 3). A hint for the UI and logs, never a security check."""

    MIFARE_CLASSIC_1K = "mifare_classic_1k"
    MIFARE_CLASSIC_4K = "mifare_classic_4k"
    MIFARE_ULTRALIGHT = "mifare_ultralight"  # Ultralight, Ultralight C, NTAG21x
    DESFIRE = "desfire"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class CardTapped:
    """A card was presented (once per presentation: a card left on the reader is one tap)."""

    uid_hash: str
    atr_kind: CardKind
    reader: str
    at: datetime = field(default_factory=_now)
    # Raw UID for the enrolment flow only: never logged (repr=False), never compared, never stored.
    uid: bytes = field(default=b"", repr=False, compare=False)
    # During a card key rotation: the hash under the network's next key (kiosk/card_keys.py).
    next_uid_hash: str | None = None


@dataclass(frozen=True, slots=True)
class CardRemoved:
    """The card that was on `reader` went away."""

    reader: str
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class CardReadError:
    """A card was seen but could not be read (pulled away mid-read, unexpected status word...).

    `code` is stable for the UI ("card_removed", "bad_status", "bad_uid", "transmit_failed",
    "connect_failed"); `message` is a technical detail for the log.
    """

    reader: str
    code: str
    message: str = ""
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class CardRefused:
    """A card was read but cannot identify anyone; `reason` is "random_uid" (phones, DESFire random ID)."""

    reader: str
    reason: str
    atr_kind: CardKind = CardKind.OTHER
    at: datetime = field(default_factory=_now)
    # Raw UID for diagnostics (`kiosk tap`) only; a random UID identifies nobody, but it stays unlogged too.
    uid: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """Reader or service state changed. `message` is a technical detail for the log, not screen text:
    the screen maps `state` to a translated sentence ("lecteur débranché")."""

    reader: str
    state: ReaderState
    message: str = ""
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class QrScanned:
    """A QR code (or barcode) was read; `source` names the scanner ("evdev:/dev/input/...", "camera", ...)."""

    text: str
    source: str
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """Printer state changed; `state` is the printer port's state enum value (a str)."""

    state: str
    message: str = ""
    at: datetime = field(default_factory=_now)


# The QR scanner's and the printer's own events (defined by the QR/printer adapters' author).


@dataclass(frozen=True, slots=True)
class ScannerStatus:
    """A scanner adapter's state changed; `state` is a `hardware.hid_scanner.ScannerState` value (a str)
    such as "ready", "disconnected" or "no_permission". `message` is a technical detail for the log."""

    source: str
    state: str
    message: str = ""
    at: datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class PrintFinished:
    """A print job ended. On failure `error_code` is a stable `printer.*` code (offline, paper_out...)
    and the UI falls back to showing the QR on screen."""

    job_id: str
    ok: bool
    error_code: str = ""
    at: datetime = field(default_factory=_now)


HardwareEvent = (
    CardTapped
    | CardRemoved
    | CardReadError
    | CardRefused
    | ReaderStatus
    | QrScanned
    | ScannerStatus
    | PrinterStatus
    | PrintFinished
)
