"""Run the real pcscd with the vsmartcard `vpcd` driver for the NFC tests and the NFC benchmark.

pcsc-lite 1.9 (Debian 12) has one fixed socket, /run/pcscd/pcscd.comm, so there is one pcscd per machine:
if one already answers there (started by systemd, or by someone else), it is reused and never stopped; only
a pcscd this module started is stopped, by its own pid. A reused pcscd cannot be restarted, so the tests
that restart it skip in that case and say why.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SOCKET_PATH = Path("/run/pcscd/pcscd.comm")
VPCD_PORT = 35963  # the Debian vsmartcard-vpcd default (0x8C7B); its second slot listens on the next port
VIRTUAL_READERS = ("Virtual PCD 00 00", "Virtual PCD 00 01")


LOCK_PATH = Path("/tmp/kiosque-pcsc-tests.lock")


@contextlib.contextmanager
def exclusive_stack(timeout: float = 600.0) -> Iterator[bool]:
    """Hold the machine's PC/SC test stack (one pcscd, fixed vpcd ports) for one test session or bench.

    Two sessions at once would share, restart and stop each other's pcscd and fight over the vpcd ports;
    with this lock the second one waits. Yields False if the lock did not come within `timeout`.
    """
    with LOCK_PATH.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.2)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def find_pcscd() -> str | None:
    for candidate in ("/usr/sbin/pcscd", "/usr/bin/pcscd", shutil.which("pcscd")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def find_vpcd_driver() -> str | None:
    patterns = (
        "/usr/lib/pcsc/drivers/serial/libifdvpcd.so*",
        "/usr/lib/*/pcsc/drivers/serial/libifdvpcd.so*",
        "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so*",
    )
    for pattern in patterns:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


def missing_parts() -> str | None:
    """Why the real PC/SC stack cannot run here, or None when pcscd, vpcd and pyscard are installed."""
    if find_pcscd() is None:
        return "pcscd is not installed (Debian package `pcscd`)"
    if find_vpcd_driver() is None:
        return "the vpcd driver is not installed (Debian package `vsmartcard-vpcd`)"
    try:
        import smartcard.scard  # noqa: F401
    except ImportError as error:
        return f"pyscard is not installed ({error})"
    return None


def service_answers() -> bool:
    """Whether something listens on pcscd's socket (a running pcscd, or systemd's pcscd.socket)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(SOCKET_PATH))
    except OSError:
        return False
    finally:
        probe.close()
    return True


def vpcd_entry(name: str, port: int, driver: str) -> str:
    # DEVICENAME /dev/null:<port> puts vpcd in server mode on that port (the card emulator connects to it).
    return (
        f'FRIENDLYNAME "{name}"\n'
        f"DEVICENAME /dev/null:0x{port:04X}\n"
        f"LIBPATH {driver}\n"
        f"CHANNELID 0x{port:04X}\n"
    )


@dataclass
class Pcscd:
    """The pcscd of a test session: started here (`owned`) or found running and reused."""

    workdir: Path
    owned: bool = False
    process: subprocess.Popen[bytes] | None = None
    virtual_reader: bool = True  # False: a pcscd with no reader at all
    log_path: Path | None = None
    starts: int = 0
    spawned_at: datetime | None = None  # wall clock just before the last pcscd process was created

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self, timeout: float = 10.0) -> None:
        """Start our pcscd in the foreground with debug logs, and wait until it lists its readers."""
        binary, driver = find_pcscd(), find_vpcd_driver()
        assert binary and driver, missing_parts()
        config = self.workdir / "reader.conf.d"
        shutil.rmtree(config, ignore_errors=True)
        config.mkdir(parents=True)
        if self.virtual_reader:
            (config / "vpcd").write_text(vpcd_entry("Virtual PCD", VPCD_PORT, driver))
        self.starts += 1
        self.log_path = self.workdir / f"pcscd-{self.starts}.log"
        self.spawned_at = datetime.now(UTC)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [binary, "--foreground", "--debug", "--apdu", "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C on pytest must not reach it before our teardown does
            )
        self.owned = True
        expected = set(VIRTUAL_READERS) if self.virtual_reader else set()
        self.wait_for_readers(expected, timeout)

    def wait_for_readers(self, expected: set[str], timeout: float = 10.0) -> None:
        from smartcard.scard import (
            SCARD_SCOPE_USER,
            SCardEstablishContext,
            SCardListReaders,
            SCardReleaseContext,
        )

        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self.process.returncode}: {self.log_tail()}")
            hresult, context = SCardEstablishContext(SCARD_SCOPE_USER)
            if hresult == 0:
                try:
                    hresult, seen = SCardListReaders(context, [])
                except SystemError:  # pyscard on a context pcscd dropped meanwhile
                    seen = []
                SCardReleaseContext(context)
                if expected <= set(seen):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"pcscd did not list {sorted(expected)} (saw {seen}): {self.log_tail()}")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 10.0) -> None:
        """Stop the pcscd we started (never another one) and reap it, so its pid file is stale at once."""
        if self.process is None or not self.owned:
            return
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.process = None

    def restart(self, *, sig: signal.Signals = signal.SIGTERM, down_for: float = 0.0) -> None:
        self.stop(sig)
        time.sleep(down_for)
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def can_start_pcscd() -> str | None:
    """Why we could not start pcscd here (it must create /run/pcscd), or None."""
    folder = SOCKET_PATH.parent
    if folder.exists():
        return None if os.access(folder, os.W_OK) else f"{folder} is not writable (run as root)"
    return None if os.access(folder.parent, os.W_OK) else f"{folder.parent} is not writable (run as root)"
