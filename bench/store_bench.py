"""The store benchmarks: identify by card, record an exchange (vs bare sqlite3), search, summary, opening.

Reads run on the services opened on a working copy of the cached store; writes are durable
(WAL, synchronous=FULL) and go to that copy, so the cached store stays as built between runs.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.build import METHOD, Size, StoreInfo, card_uid, config_for, ensure_store, random_members
from bench.record_bench import bench_record
from bench.stats import Figure, Goal, percentile, timed
from kiosk.services import Services, open_services


@dataclass(frozen=True)
class Samples:
    identify: int = 10_000
    record: int = 1_000
    search: int = 3_000
    summary: int = 3_000
    busiest: int = 300
    opening: int = 30
    warmup: int = 50


SMOKE = Samples(identify=50, record=10, search=30, summary=30, busiest=5, opening=2, warmup=2)

# What people look for on the board: words with and without accents, several words, theme filters with or
# without words, and the board's default view (no text: newest first).
SEARCHES: tuple[tuple[str, str | None], ...] = (
    ("velo", None), ("vélo", None), ("frein velo", None), ("cuisine", None), ("anglais", None),
    ("photos", None), ("couture", None), ("reparer", None), ("arabe", None), ("smartphone", None),
    ("pain levain", None), ("demarches en ligne", None), ("", None), ("", "cuisine"),
    ("", "reparation.velo"), ("", "numerique"), ("tomates", "jardinage"), ("conversation", "langues"),
    ("crevaison", "reparation"),
)  # fmt: skip
# The first letters of a word being typed, if the screen searches at every key: shown apart, without a goal.
FIRST_LETTERS: tuple[tuple[str, str | None], ...] = (("v", None), ("c", None), ("ve", None), ("cu", None))


def run(
    size: Size,
    root: Path,
    *,
    rebuild: bool = False,
    samples: Samples | None = None,
    out: Callable[[str], None] = print,
) -> list[Figure]:
    samples = samples or Samples()
    info = ensure_store(root, size, rebuild=rebuild, log=out)
    state = "built now" if info.built_now else "cached"
    out(f"Store: {size.describe()} — {info.folder}")
    out(f"  build: {info.build_seconds:.1f} s ({state}); {METHOD}")
    work = _working_copy(info, out)
    rng = random.Random(2026)
    figures: list[Figure] = []

    def show(figure: Figure) -> None:
        figures.append(figure)
        out(figure.line())

    services = open_services(config_for(work))
    try:
        for figure in bench_identify(services, size, samples, rng):
            show(figure)
        figures += bench_record(services, info, work, (samples.record, samples.warmup), rng, out)
        for figure in bench_search(services, samples, rng):
            show(figure)
        for figure in bench_summary(services, info, size, samples, rng):
            show(figure)
    finally:
        services.close()
    show(bench_opening(work, samples))
    return figures


def _working_copy(info: StoreInfo, out: Callable[[str], None]) -> Path:
    """A fresh copy for this run (the cached store must not grow with every run's writes)."""
    work = info.folder.parent / f"{info.folder.name}-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    shutil.copyfile(info.database, work / "kiosk.sqlite3")
    out(f"  working copy: {time.perf_counter() - started:.1f} s ({work})")
    return work


def bench_identify(services: Services, size: Size, samples: Samples, rng: random.Random) -> list[Figure]:
    """A tap: HMAC of the UID, then the card and its member (random enrolled cards, some revoked)."""
    cards = services.cards
    goal = Goal(99, 1.0)
    figures = []
    for name, first, span in (
        ("identify by card (enrolled, incl. revoked)", 0, size.cards),
        ("identify by card (unknown card)", size.cards, 10**9),
    ):
        uids = iter([card_uid(first + rng.randrange(span)) for _ in range(samples.identify + samples.warmup)])

        def tap(uids: Iterator[bytes] = uids) -> None:
            cards.identify(cards.read(next(uids)))

        figures.append(Figure(name, timed(tap, samples.identify, samples.warmup), goal))
    return figures


Query = tuple[str, str | None]  # (typed text, theme filter)


def _searches(
    services: Services, queries: tuple[Query, ...], count: int, rng: random.Random
) -> dict[Query, list[int]]:
    """Timings of `count` searches drawn from `queries`, by query (each query run once before, untimed)."""
    listings = services.listings
    for text, theme in queries:
        listings.search(text, theme_id=theme)
    per_query: dict[Query, list[int]] = {}
    for _ in range(count):
        text, theme = rng.choice(queries)
        started = time.perf_counter_ns()
        listings.search(text, theme_id=theme)
        per_query.setdefault((text, theme), []).append(time.perf_counter_ns() - started)
    return per_query


def bench_search(services: Services, samples: Samples, rng: random.Random) -> list[Figure]:
    figures = []
    for name, queries, goal in (
        ("listing search (words, themes, board view)", SEARCHES, Goal(95, 20.0)),
        ("listing search (first letters as typed)", FIRST_LETTERS, None),
    ):
        per_query = _searches(services, queries, samples.search, rng)
        figures.append(Figure(name, [ns for timings in per_query.values() for ns in timings], goal))
        (text, theme), worst = max(per_query.items(), key=lambda item: percentile(item[1], 95))
        figures.append(Figure(f"  slowest: «{text}»" + (f" in {theme}" if theme else ""), worst))
    return figures


def bench_summary(
    services: Services, info: StoreInfo, size: Size, samples: Samples, rng: random.Random
) -> list[Figure]:
    exchanges = services.exchanges
    members = random_members(services.store.conn, size, samples.summary + samples.warmup, rng)
    feed = iter(members)
    random_ns = timed(lambda: exchanges.summary(next(feed)), samples.summary, samples.warmup)
    busiest_ns = timed(lambda: exchanges.summary(info.busiest_member), samples.busiest, samples.warmup)
    given = exchanges.summary(info.busiest_member)
    count = given.exchanges_given + given.exchanges_received
    return [
        Figure("member summary (random members)", random_ns, Goal(95, 5.0)),
        Figure(f"member summary (busiest member, {count} exchanges)", busiest_ns, Goal(95, 5.0)),
    ]


def bench_opening(work: Path, samples: Samples) -> Figure:
    """Store.open (header and schema version checks, migrations to run) + open_services bootstrap."""
    config = config_for(work)

    def open_and_close() -> None:
        open_services(config).close()

    os.sync()  # the bootstrap commits durably: do not make it wait for the copies' dirty pages
    return Figure(
        "open store + migration check + bootstrap", timed(open_and_close, samples.opening, 1), Goal(99, 500.0)
    )
