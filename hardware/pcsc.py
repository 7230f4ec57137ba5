"""A thin, typed layer over pyscard's `smartcard.scard` (the raw PC/SC calls), raising `PcscError`.

Only the raw calls are used, not pyscard's CardMonitor/ReaderMonitor: those threads die silently when
pcscd restarts (pyscard#82). pyscard is imported lazily so that the kiosk (demo mode, doctor, tests of the
core) runs on a machine without it; `PcscUnavailable` then says what to install.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

# PC/SC return codes (winscard, identical in pcsc-lite), as unsigned 32-bit values.
SCARD_S_SUCCESS = 0x00000000
SCARD_F_INTERNAL_ERROR = 0x80100001
SCARD_E_CANCELLED = 0x80100002
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_SHARING_VIOLATION = 0x8010000B
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_E_COMM_DATA_LOST = 0x8010002F
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069
SCARD_W_SECURITY_VIOLATION = 0x8010006A

# Reader states (dwEventState). pcsc-lite also counts card insertions/removals in the high 16 bits.
STATE_UNAWARE = 0x0000
STATE_IGNORE = 0x0001
STATE_CHANGED = 0x0002
STATE_UNKNOWN = 0x0004
STATE_UNAVAILABLE = 0x0008
STATE_EMPTY = 0x0010
STATE_PRESENT = 0x0020
STATE_MUTE = 0x0200

SHARE_SHARED = 2
PROTOCOL_ANY = 0x0001 | 0x0002  # T=0 | T=1: what a contactless reader accepts for its pseudo-APDUs
LEAVE_CARD = 0

# The context is dead (pcscd stopped or restarted): release it and establish a new one.
# libpcsclite reports SCARD_W_SECURITY_VIOLATION ("Access denied") whenever pcscd closes the socket
# without answering: that is what polkit refusals look like, but also a pcscd stopping mid-call.
SERVICE_LOST = frozenset(
    {
        SCARD_E_NO_SERVICE,
        SCARD_W_SECURITY_VIOLATION,
        SCARD_E_SERVICE_STOPPED,
        SCARD_E_INVALID_HANDLE,
        SCARD_F_COMM_ERROR,
        SCARD_F_INTERNAL_ERROR,
    }
)
# The card left (or was never properly there) while we talked to it: a read error, not a service problem.
CARD_GONE = frozenset(
    {
        SCARD_W_REMOVED_CARD,
        SCARD_E_NO_SMARTCARD,
        SCARD_W_RESET_CARD,
        SCARD_W_UNPOWERED_CARD,
        SCARD_W_UNRESPONSIVE_CARD,
        SCARD_E_NOT_TRANSACTED,
        SCARD_E_COMM_DATA_LOST,
    }
)


PCSCD_PATHS = ("/usr/sbin/pcscd", "/usr/bin/pcscd", "/usr/local/sbin/pcscd")


def pcscd_installed() -> bool:
    """Whether the pcscd daemon is on this machine (to tell "not installed" from "not running")."""
    return any(os.access(path, os.X_OK) for path in PCSCD_PATHS)


class PcscUnavailable(RuntimeError):
    """pyscard (or the libpcsclite it binds) is not installed."""


class PcscError(Exception):
    def __init__(self, operation: str, code: int, text: str = "") -> None:
        self.operation = operation
        self.code = code & 0xFFFFFFFF
        self.text = text
        super().__init__(f"{operation}: {text or 'error'} (0x{self.code:08X})")

    @property
    def service_lost(self) -> bool:
        return self.code in SERVICE_LOST

    @property
    def card_gone(self) -> bool:
        return self.code in CARD_GONE


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One entry of SCardGetStatusChange's answer."""

    name: str
    event_state: int
    atr: bytes

    @property
    def changed(self) -> bool:
        return bool(self.event_state & STATE_CHANGED)

    @property
    def present(self) -> bool:
        return bool(self.event_state & STATE_PRESENT)

    @property
    def gone(self) -> bool:
        """The reader itself disappeared (unplugged) or cannot be used."""
        return bool(self.event_state & (STATE_UNKNOWN | STATE_UNAVAILABLE | STATE_IGNORE))

    @property
    def events(self) -> int:
        """pcsc-lite's insertion/removal counter (0 on stacks that do not keep one)."""
        return self.event_state >> 16


def load_scard() -> ModuleType:
    try:
        return importlib.import_module("smartcard.scard")
    except ImportError as error:  # no pyscard, or libpcsclite.so.1 missing
        raise PcscUnavailable(str(error)) from None


class Pcsc:
    """The PC/SC calls the monitor needs, each raising PcscError on a non-success return code."""

    def __init__(self, scard: ModuleType | None = None) -> None:
        self._scard: Any = scard or load_scard()

    def _call(self, operation: str, *args: Any) -> Any:
        """Call smartcard.scard.<operation>. pyscard raises SystemError ("returned NULL without setting
        an exception") when the call fails on a dead context, instead of returning the code: that is the
        service going away too, so it becomes a PcscError the monitor recovers from."""
        try:
            return getattr(self._scard, operation)(*args)
        except SystemError as error:
            raise PcscError(operation, SCARD_F_INTERNAL_ERROR, str(error)) from None

    def _check(self, operation: str, hresult: int) -> None:
        code = hresult & 0xFFFFFFFF
        if code != SCARD_S_SUCCESS:
            raise PcscError(operation, code, str(self._scard.SCardGetErrorMessage(hresult)))

    def establish(self) -> int:
        hresult, context = self._call("SCardEstablishContext", self._scard.SCARD_SCOPE_USER)
        self._check("SCardEstablishContext", hresult)
        return int(context)

    def release(self, context: int) -> None:
        self._check("SCardReleaseContext", self._call("SCardReleaseContext", context))

    def cancel(self, context: int) -> None:
        self._check("SCardCancel", self._call("SCardCancel", context))

    def list_readers(self, context: int) -> list[str]:
        hresult, readers = self._call("SCardListReaders", context, [])
        if hresult & 0xFFFFFFFF == SCARD_E_NO_READERS_AVAILABLE:
            return []
        self._check("SCardListReaders", hresult)
        return [str(name) for name in readers]

    def get_status_change(
        self, context: int, timeout_ms: int, states: Sequence[tuple[str, int]]
    ) -> list[StatusEntry]:
        """Block until a reader state differs from `states` (or timeout: PcscError SCARD_E_TIMEOUT)."""
        hresult, answer = self._call("SCardGetStatusChange", context, timeout_ms, list(states))
        self._check("SCardGetStatusChange", hresult)
        return [StatusEntry(str(name), int(state) & 0xFFFFFFFF, bytes(atr)) for name, state, atr in answer]

    def connect(self, context: int, reader: str) -> tuple[int, int]:
        hresult, card, protocol = self._call("SCardConnect", context, reader, SHARE_SHARED, PROTOCOL_ANY)
        self._check("SCardConnect", hresult)
        return int(card), int(protocol)

    def transmit(self, card: int, protocol: int, apdu: bytes) -> bytes:
        hresult, response = self._call("SCardTransmit", card, protocol, list(apdu))
        self._check("SCardTransmit", hresult)
        return bytes(response)

    def disconnect(self, card: int) -> None:
        self._check("SCardDisconnect", self._call("SCardDisconnect", card, LEAVE_CARD))
