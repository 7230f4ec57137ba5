"""Pushes before pulls, within a hub process: a pull waits for the pushes already under way when it came.

A push stores what a kiosk recorded (it can stop resending it only once acknowledged); a pull brings the
kiosk the others' news, which can wait a moment. When 200 kiosks come back at once (after a hub restart,
a network cut), each pushes then pulls: served in arrival order, the pulls of the first kiosks answered
took the cores from the pushes still waiting, and the last pushes were acknowledged only when nearly
everything else was done. Here a pull first waits for the pushes that were under way in this process when
it arrived (not for those that come after it: under a steady flow of pushes a pull waits for at most the
few in progress), and at most MAX_WAIT_S. Measured side by side on one PostgreSQL cluster, 200 kiosks at
one instant: p99 1.13 → 0.98 s (median of 6 bursts each, alternated).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from collections.abc import AsyncIterator


class WritesFirst:
    MAX_WAIT_S = 2.0

    def __init__(self) -> None:
        self._tickets = 0  # pushes started so far
        self._running: set[int] = set()
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()  # (last push before it, pull)

    @contextlib.asynccontextmanager
    async def push(self) -> AsyncIterator[None]:
        ticket = self._tickets
        self._tickets += 1
        self._running.add(ticket)
        try:
            yield
        finally:
            self._running.discard(ticket)
            self._release()

    async def before_pull(self) -> None:
        """Returns once every push under way now has finished (or after MAX_WAIT_S)."""
        if not self._running:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((self._tickets - 1, waiter))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter, self.MAX_WAIT_S)

    def _release(self) -> None:
        oldest = min(self._running, default=math.inf)
        while self._waiting and self._waiting[0][0] < oldest:  # pulls come in ticket order
            _last, waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
