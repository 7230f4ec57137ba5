"""hub/writes_first.py: a pull waits for the pushes under way when it came — not for later ones — and
never longer than MAX_WAIT_S."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from hub.writes_first import WritesFirst

T = TypeVar("T")


def _run(scenario: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: the browser tests of the hub's pages (Playwright) leave an
    event loop marked as running in the main thread."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, scenario).result()


def test_a_pull_waits_for_the_pushes_under_way_not_for_later_ones() -> None:
    async def scenario() -> list[str]:
        order: list[str] = []
        gate = WritesFirst()
        first_done = asyncio.Event()
        later_started = asyncio.Event()
        finish_later = asyncio.Event()

        async def push(name: str, until: asyncio.Event, started: asyncio.Event | None = None) -> None:
            async with gate.push():
                if started is not None:
                    started.set()
                await until.wait()
                order.append(f"{name} done")

        async def pull() -> None:
            await gate.before_pull()
            order.append("pull")

        first = asyncio.create_task(push("first", first_done))
        await asyncio.sleep(0)
        pulling = asyncio.create_task(pull())
        await asyncio.sleep(0.01)
        later = asyncio.create_task(push("later", finish_later, later_started))
        await later_started.wait()
        assert order == []  # the pull waits for the first push
        first_done.set()
        await pulling  # ... and not for the later one, still under way
        finish_later.set()
        await asyncio.gather(first, later)
        return order

    assert _run(scenario()) == ["first done", "pull", "later done"]


def test_a_pull_with_no_push_under_way_goes_at_once_and_never_waits_past_the_limit() -> None:
    async def scenario() -> tuple[float, float]:
        gate = WritesFirst()
        gate.MAX_WAIT_S = 0.2
        started = time.perf_counter()
        await gate.before_pull()
        alone = time.perf_counter() - started
        stuck = asyncio.Event()

        async def endless_push() -> None:
            async with gate.push():
                await stuck.wait()

        pushing = asyncio.create_task(endless_push())
        await asyncio.sleep(0)
        started = time.perf_counter()
        await gate.before_pull()
        waited = time.perf_counter() - started
        stuck.set()
        await pushing
        return alone, waited

    alone, waited = _run(scenario())
    assert alone < 0.05
    assert 0.2 <= waited < 1.0


def test_a_failed_push_releases_the_pulls_behind_it() -> None:
    async def scenario() -> bool:
        gate = WritesFirst()
        fail = asyncio.Event()

        async def failing_push() -> None:
            async with gate.push():
                await fail.wait()
                raise RuntimeError("refused")

        pushing = asyncio.create_task(failing_push())
        await asyncio.sleep(0)
        pulling = asyncio.create_task(gate.before_pull())
        await asyncio.sleep(0.01)
        fail.set()
        await asyncio.wait_for(pulling, 1.0)
        return isinstance(pushing.exception(), RuntimeError)

    assert _run(scenario())
