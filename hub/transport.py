"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every connection, whatever the number of workers.

With `--workers N` uvicorn binds the listening socket itself as `socket.socket(AF_INET)`, whose `proto` is 0
rather than IPPROTO_TCP; asyncio then skips its own TCP_NODELAY on the accepted connections, and each answer
(headers, then body: two writes) waits for the kiosk's delayed ACK — about 40 ms added to every request on
loopback, which alone halved the push rate and stretched the 200-kiosk p99 (one worker was not affected).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
