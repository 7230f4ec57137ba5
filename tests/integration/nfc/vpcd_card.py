"""Our contactless-card emulator: a client of pcscd's vsmartcard `vpcd` driver.

The vpcd driver listens on 127.0.0.1:<port> (one port per reader slot) and polls card presence about every
400 ms by asking for the ATR. Its protocol: every message is a 2-byte big-endian length then the data.
Messages of length 1 are control bytes: 0 power off, 1 power on, 2 reset (no answer expected), 4 "give me
the ATR" (answer: the ATR). Longer messages are APDUs (answer: response data + SW1 SW2).

Presence is the TCP connection itself: vpcd accepts a client when it polls, and a closed connection (or an
empty answer) is a card taken away. So `insert()` connects and `remove()` disconnects. While a card is
inserted the emulator reconnects after pcscd restarts, as a card lying on a real reader would still be
there when the service comes back. Faults: drop the connection when the UID is asked (card pulled away
mid-read), or answer 6A 81 (function not supported).
"""

from __future__ import annotations

import contextlib
import enum
import socket
import struct
import threading
import time
from dataclasses import dataclass

from hardware.apdu import GET_UID
from hardware.atr import ATR_MIFARE_CLASSIC_1K

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
SW_OK = b"\x90\x00"
SW_NOT_SUPPORTED = b"\x6a\x81"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SLOW_SECONDS = 2.0


class Fault(enum.Enum):
    NONE = "none"
    DROP_ON_READ = "drop_on_read"  # the card leaves the field while the reader asks for its UID
    SW_6A81 = "sw_6a81"  # the reader answers "function not supported" to FF CA
    SLOW = "slow"  # the UID comes after SLOW_SECONDS (keeps the monitor busy while other things happen)


@dataclass(frozen=True)
class VirtualCard:
    uid: bytes
    atr: bytes = ATR_MIFARE_CLASSIC_1K
    fault: Fault = Fault.NONE


class VpcdSlot:
    """One card slot of the vpcd reader on `port`: insert and remove virtual cards."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.address = (host, port)
        self._lock = threading.Lock()
        self._card: VirtualCard | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._wanted = threading.Event()  # set while a card lies on the reader
        self.inserted_at: float | None = None  # time.monotonic() of the last insert()
        self.apdus: list[bytes] = []
        self.connections = 0

    @property
    def card(self) -> VirtualCard | None:
        return self._card

    def insert(self, card: VirtualCard, timeout: float = 5.0) -> float:
        """Put `card` on the reader; returns the monotonic time at which the connection was made."""
        self.remove()
        self._card = card
        self._wanted.set()
        sock = self._connect(timeout)
        self.inserted_at = time.monotonic()
        self._thread = threading.Thread(target=self._serve, args=(sock,), name="vpcd-card", daemon=True)
        self._thread.start()
        return self.inserted_at

    def remove(self) -> None:
        """Take the card away (the connection closes; vpcd sees it at its next presence poll)."""
        self._wanted.clear()
        self._close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self._thread = None
        self._card = None

    close = remove

    def _connect(self, timeout: float) -> socket.socket:
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection(self.address, timeout=1.0)
            except OSError:
                if time.monotonic() > deadline or not self._wanted.is_set():
                    raise
                time.sleep(0.05)  # vpcd is not listening yet: pcscd is (re)starting
                continue
            # A real reader answers at once; without these the vpcd socket's Nagle algorithm and our
            # delayed ACKs add 40 ms to each exchange (vpcd writes the length and the data separately).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
            with self._lock:
                self._sock = sock
                self.connections += 1
            return sock

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            with contextlib.suppress(OSError):  # vpcd went away (pcscd stopped), or we closed the socket
                self._answer_all(sock)
            if sock is self._sock:
                self._close()
            if not self._wanted.is_set():
                return
            try:  # the card is still on the reader: wait for pcscd to come back
                sock = self._connect(timeout=60.0)
            except OSError:
                return
            if not self._wanted.is_set():  # removed while we were reconnecting
                self._close()
                return

    def _answer_all(self, sock: socket.socket) -> None:
        card = self._card
        while card is not None:
            message = _receive(sock)
            if message is None:
                return
            if len(message) == 1:
                if message[0] == CTRL_ATR:
                    _send(sock, card.atr)
                continue  # power on / off / reset: vpcd expects no answer
            self.apdus.append(message)
            if message[:4] == GET_UID[:4]:
                if card.fault is Fault.DROP_ON_READ:
                    self._wanted.clear()  # pulled away: it will not come back by itself
                    self._close()
                    return
                if card.fault is Fault.SW_6A81:
                    _send(sock, SW_NOT_SUPPORTED)
                    continue
                if card.fault is Fault.SLOW:
                    time.sleep(SLOW_SECONDS)
                _send(sock, card.uid + SW_OK)
            elif message[:3] == b"\xff\x00\x40":  # ACR122U LED/buzzer pseudo-APDU
                _send(sock, b"\x90\x00")
            else:
                _send(sock, SW_INS_NOT_SUPPORTED)


def _receive(sock: socket.socket) -> bytes | None:
    header = _exactly(sock, 2)
    if header is None:
        return None
    # Acknowledge at once: vpcd sends the length and the data in two writes (see _connect).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    (length,) = struct.unpack(">H", header)
    return _exactly(sock, length) if length else b""


def _exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(struct.pack(">H", len(data)) + data)
