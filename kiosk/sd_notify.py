"""The systemd notification protocol, in-house: one datagram per message to $NOTIFY_SOCKET.

No python-systemd dependency (it needs libsystemd headers to build on the Pi). Outside systemd (no
$NOTIFY_SOCKET: `make run`, tests) every call is a no-op. See sd_notify(3): the socket path may be a file
system path or an abstract socket written with a leading '@'.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger("kiosk.sd_notify")

DEFAULT_WATCHDOG_SECONDS = 30.0  # kiosk.service's WatchdogSec, used when systemd gives none


def socket_address(environ: Mapping[str, str]) -> str | None:
    """Where to send, or None when not started by systemd with Type=notify."""
    path = environ.get("NOTIFY_SOCKET", "")
    if not path or (path[0] not in "/@"):
        return None  # vsock addresses and relative paths are not ours to handle
    return "\0" + path[1:] if path[0] == "@" else path


def watchdog_seconds(environ: Mapping[str, str], pid: int | None = None) -> float | None:
    """WatchdogSec as systemd passed it ($WATCHDOG_USEC), or None when no watchdog watches this process."""
    usec = environ.get("WATCHDOG_USEC", "")
    owner = environ.get("WATCHDOG_PID", "")
    if owner and owner.isdigit() and int(owner) != (pid if pid is not None else os.getpid()):
        return None  # meant for another process (we were forked or exec'd by the watched one)
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 1_000_000 if value > 0 else None


class Notifier:
    """Sends sd_notify messages. Never raises: a lost notification must not take the kiosk down."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.address = socket_address(os.environ if environ is None else environ)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *lines: str) -> bool:
        """One datagram with `lines` ("READY=1", "STATUS=…"); whether it was sent."""
        if self.address is None or not lines:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto("\n".join(lines).encode("utf-8"), self.address)
        except OSError as error:
            log.warning("sd_notify %s failed: %s", lines[0], error)
            return False
        return True

    def ready(self, status: str = "") -> bool:
        return self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> bool:
        return self.send("WATCHDOG=1")

    def stopping(self, status: str = "") -> bool:
        return self.send("STOPPING=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")
