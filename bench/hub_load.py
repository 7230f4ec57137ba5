"""The simulated kiosks of the hub benchmark's concurrency figures: one event loop drives them all.

The 200 kiosks are 200 machines in a quartier; here they share the hub's two cores, so what simulating them
costs is billed to the hub's figures. With a thread each (http.client), they took 0.2 s of CPU in a burst
of 400 requests that the hub and PostgreSQL answer with about 2 s: GIL hand-offs, 200 threads woken. One
asyncio loop on raw streams instead: each kiosk opens its connection when its sync starts (as a kiosk
does, inside the measured time), sends bytes built beforehand, and reads each answer to its last byte
(status line, headers, Content-Length) without decoding it. What the hub stored is checked afterwards, in
its database.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull?cursor=0&limit=1000"


class LoadError(Exception):
    pass


class SimulatedKiosk:
    """Pushes its events, then pulls its collective's changes from the start, over one connection."""

    def __init__(self, url: str, token: str, events: list[dict[str, Any]]) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        body = json.dumps({"events": events}).encode()
        common = f"Host: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
        self.push_request = (
            f"POST {PUSH_PATH} HTTP/1.1\r\n{common}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        self.pull_request = f"GET {PULL_PATH} HTTP/1.1\r\n{common}\r\n".encode()
        self.count = len(events)


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise LoadError("connexion fermée par le hub")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


@dataclass
class BurstResult:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request answered
    errors: list[str] = field(default_factory=list)


async def _sync(kiosk: SimulatedKiosk, start: asyncio.Event, offset: float, result: BurstResult) -> None:
    await start.wait()
    if offset:
        await asyncio.sleep(offset)
    writer: asyncio.StreamWriter | None = None
    try:
        started = time.perf_counter()
        reader, writer = await asyncio.open_connection(kiosk.host, kiosk.port)
        for request in (kiosk.push_request, kiosk.pull_request):
            writer.write(request)
            status, body = await _answer(reader)
            if status != 200:
                raise LoadError(f"HTTP {status}: {body[:200]!r}")
            if request is kiosk.push_request and body.count(b'"status":"accepted"') != kiosk.count:
                raise LoadError(f"push not accepted: {body[:200]!r}")
            ended = time.perf_counter()
            result.latencies.append(ended - started)
            started = ended
    except (LoadError, OSError, asyncio.IncompleteReadError, ValueError) as error:
        result.errors.append(repr(error))
    finally:
        if writer is not None:
            writer.close()


def burst(kiosks: list[SimulatedKiosk], offsets: list[float]) -> BurstResult:
    """Every kiosk syncs once, starting together (plus its offset, in seconds).

    The garbage collector is collected before and kept off during the burst: the benchmark's earlier
    phases leave a great many objects in this process (a 250,000-event initial pull), and a full collection
    in the middle of the burst stalled every simulated kiosk at once, billing the pause to the hub.
    """

    async def main() -> BurstResult:
        result = BurstResult()
        start = asyncio.Event()
        tasks = [
            asyncio.create_task(_sync(k, start, o, result)) for k, o in zip(kiosks, offsets, strict=True)
        ]
        await asyncio.sleep(0)  # every task waits on the start line
        start.set()
        await asyncio.gather(*tasks)
        return result

    gc.collect()
    gc.disable()
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(main())
    finally:
        gc.enable()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when installed (it comes with uvicorn[standard], as the hub's): the same 200
    kiosks cost this process a fifth less CPU than on asyncio's loop (0.121 against 0.154 s a burst, median
    of 8 bursts each, alternated on one hub)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
