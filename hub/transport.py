"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every connection, whatever the number of workers.

With `--workers N` uvicorn binds the listening socket itself as `socket.socket(AF_INET)`, whose `proto` is 0
rather than IPPROTO_TCP; asyncio then skips its own TCP_NODELAY on the accepted connections, and each answer
(headers, then body: two writes) waits for the kiosk's delayed ACK — about 40 ms added to every request on
loopback, which alone halved the push rate and stretched the 200-kiosk p99 (one worker was not affected).

The protocol is httptools' (C parser, from `uvicorn[standard]`) when installed — HTTP parsing in pure
Python (h11) was a fifth of the hub's CPU with 200 kiosks syncing at once — else h11.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def _no_delay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    # at module level: uvicorn pickles the protocol class for its worker processes
    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)

    FASTEST: type[Any] = NoDelayHttpToolsProtocol
except ImportError:  # httptools not installed
    FASTEST = NoDelayH11Protocol


def http_protocol() -> type[Any]:
    """The fastest HTTP/1.1 protocol class available, with TCP_NODELAY."""
    return FASTEST


def event_loop() -> str:
    """uvloop when installed (a faster event loop; `uvicorn[standard]`), else asyncio."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"
