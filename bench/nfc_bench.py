"""NFC benchmark through the real pcscd + vpcd + our card emulator (tests/integration/nfc).

- Tap latency, from the emulator connecting its card to `CardTapped` taken off the queue, side by side in
  the same run with a bare SCardGetStatusChange loop (own context, own thread) seeing the same insertions.
  Goal: our p95 ≤ the bare loop's p95 + 30 ms. Both are dominated by vpcd's 400 ms presence poll, so the
  paired difference (ours − bare, per tap) is printed too: it is what our loop adds (connect + FF CA).
- Idle CPU of the monitor with the readers attached and no card (goal ≤ 2 % of one core).
- Reader status latency when we own pcscd: kill → SERVICE_DOWN, pcscd ready → READY, readers gone →
  DISCONNECTED (goal ≤ 3 s).

Figures only: nothing here passes or fails. `python -m bench.nfc_bench [--taps N] [--idle S]`.
"""

from __future__ import annotations

import argparse
import queue
import random
import resource
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.stats import Figure, Goal
from hardware.events import CardTapped, HardwareEvent, ReaderState, ReaderStatus
from hardware.nfc import PcscNfcReader
from hardware.pcsc import SCARD_E_CANCELLED, SCARD_E_TIMEOUT, STATE_CHANGED, Pcsc, PcscError
from tests.integration.nfc.pcscd import (
    VIRTUAL_READERS,
    VPCD_PORT,
    Pcscd,
    can_start_pcscd,
    exclusive_stack,
    missing_parts,
    service_answers,
)
from tests.integration.nfc.vpcd_card import VirtualCard, VpcdSlot

READER = VIRTUAL_READERS[0]
CARD = VirtualCard(bytes.fromhex("04A1B2C3D4E5F6"))
KEY = bytes(32)
POLL_PHASE = 0.4  # vpcd's presence poll period: insertions are spread over it


class BareLoop:
    """The baseline: nothing but SCardGetStatusChange on one reader, timestamping each card arrival."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        self.arrivals: queue.Queue[float] = queue.Queue()
        self._pcsc = Pcsc()
        self._context = self._pcsc.establish()
        self._thread = threading.Thread(target=self._run, name="bare-loop", daemon=True)
        self._stop = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._pcsc.cancel(self._context)
        self._thread.join(5)
        self._pcsc.release(self._context)

    def _run(self) -> None:
        state, present = 0, False
        while not self._stop.is_set():
            try:
                [entry] = self._pcsc.get_status_change(self._context, 1000, [(self.reader, state)])
            except PcscError as error:
                if error.code == SCARD_E_TIMEOUT:
                    continue
                if error.code != SCARD_E_CANCELLED:
                    print(f"  bare loop stopped: {error}", file=sys.stderr)
                return
            state = entry.event_state & ~STATE_CHANGED
            if entry.present and not present:
                self.arrivals.put(time.monotonic())
            present = entry.present


def _next(events: queue.Queue[HardwareEvent], want: Callable[[HardwareEvent], bool], timeout: float) -> float:
    """Monotonic time at which the first event satisfying `want` is taken off the queue."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            event = events.get(timeout=remaining)
        except queue.Empty:
            break
        if want(event):
            return time.monotonic()
    raise TimeoutError("no event in time")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def tap_latency(taps: int) -> None:
    events: queue.Queue[HardwareEvent] = queue.Queue()
    monitor = PcscNfcReader(events, KEY)
    bare = BareLoop(READER)
    slot = VpcdSlot(VPCD_PORT)
    monitor.start()
    bare.start()
    ours: list[int] = []
    baseline: list[int] = []
    added: list[int] = []
    try:
        _next(events, lambda e: isinstance(e, ReaderStatus) and e.reader == READER, 10)
        rng = random.Random(2026)
        for _ in range(taps):
            time.sleep(rng.uniform(0, POLL_PHASE))  # land anywhere in vpcd's poll period
            inserted = slot.insert(CARD)
            tapped = _next(events, lambda e: isinstance(e, CardTapped) and e.reader == READER, 10)
            seen = bare.arrivals.get(timeout=10)
            ours.append(int((tapped - inserted) * 1e9))
            baseline.append(int((seen - inserted) * 1e9))
            added.append(int((tapped - seen) * 1e9))
            slot.remove()
            _next(events, lambda e: type(e).__name__ == "CardRemoved", 10)
    finally:
        slot.remove()
        bare.stop()
        monitor.stop()
    base = Figure("bare SCardGetStatusChange loop", baseline)
    limit = base.p(95) + 30
    print(f"Tap latency through pcscd + vpcd, emulator insert → event ({taps} taps, same insertions):")
    print(base.line())
    print(Figure("PcscNfcReader → CardTapped on the queue", ours, Goal(95, limit)).line())
    print(Figure("  added by our loop (paired, per tap)", added).line())


def idle_cpu(seconds: float) -> None:
    events: queue.Queue[HardwareEvent] = queue.Queue()
    monitor = PcscNfcReader(events, KEY)
    monitor.start()
    try:
        _next(events, lambda e: isinstance(e, ReaderStatus) and e.state is ReaderState.READY, 10)
        time.sleep(1.0)  # let the start-up settle
        cpu, wall = _cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        cpu, wall = _cpu_seconds() - cpu, time.monotonic() - wall
    finally:
        monitor.stop()
    share = 100 * cpu / wall
    verdict = "met" if share <= 2 else "MISSED"
    print(
        f"Idle CPU of the monitor, {len(VIRTUAL_READERS)} readers attached, no card, {wall:.0f} s: "
        f"{share:.3f} % of one core ({cpu * 1000:.1f} ms CPU)  goal ≤ 2 %: {verdict}"
    )


def status_latency(daemon: Pcscd, rounds: int) -> None:
    """Measured on the events' own timestamps (taken in the monitor thread when it noticed), from the
    moment pcscd was killed, or from the moment the new pcscd process was spawned (so pcscd's own
    start-up, some tens of ms, is included: an upper bound)."""
    events: queue.Queue[HardwareEvent] = queue.Queue()
    monitor = PcscNfcReader(events, KEY)
    monitor.start()
    down: list[int] = []
    ready: list[int] = []
    gone: list[int] = []

    def since(reference: datetime, state: ReaderState, reader: str = "") -> int:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            event = events.get(timeout=15)
            if isinstance(event, ReaderStatus) and event.state is state and event.reader == reader:
                return max(0, int((event.at - reference).total_seconds() * 1e9))
        raise TimeoutError(f"no {state} for {reader!r}")

    try:
        since(datetime.now(UTC), ReaderState.READY, READER)
        for _ in range(rounds):
            killed = datetime.now(UTC)
            daemon.stop(signal.SIGKILL)
            down.append(since(killed, ReaderState.SERVICE_DOWN))
            daemon.virtual_reader = False
            daemon.start()
            assert daemon.spawned_at is not None
            gone.append(since(daemon.spawned_at, ReaderState.DISCONNECTED, READER))
            daemon.stop()
            daemon.virtual_reader = True
            daemon.start()
            ready.append(since(daemon.spawned_at, ReaderState.READY, READER))
    finally:
        monitor.stop()
        daemon.virtual_reader = True
    print(f"Reader status latency ({rounds} rounds, goal ≤ 3 s):")
    print(Figure("pcscd killed → SERVICE_DOWN", down, Goal(99, 3000)).line())
    print(Figure("pcscd back without the reader → DISCONNECTED", gone, Goal(99, 3000)).line())
    print(Figure("pcscd back with the reader → READY", ready, Goal(99, 3000)).line())


def run(taps: int = 200, idle: float = 20.0, rounds: int = 5) -> None:
    """The whole NFC benchmark; prints why when the PC/SC stack is not there."""
    reason = missing_parts()
    if reason:
        print(f"NFC benchmark skipped: {reason}.")
        return
    with exclusive_stack() as acquired, tempfile.TemporaryDirectory(prefix="nfc-bench-") as folder:
        if not acquired:
            print("NFC benchmark skipped: another session holds the PC/SC test stack.")
            return
        daemon = Pcscd(Path(folder))
        if service_answers():
            print("NFC benchmark: reusing the running pcscd (status latency needs our own: skipped).")
            daemon.wait_for_readers(set(VIRTUAL_READERS))
        elif reason := can_start_pcscd():
            print(f"NFC benchmark skipped: cannot start pcscd ({reason}).")
            return
        else:
            daemon.start()
        try:
            tap_latency(taps)
            idle_cpu(idle)
            if daemon.owned and rounds:
                status_latency(daemon, rounds)
        finally:
            daemon.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nfc_bench", description=__doc__)
    parser.add_argument("--taps", type=int, default=200, help="taps to time (default 200)")
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle CPU measure (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="pcscd restarts for status latency (0: none)")
    args = parser.parse_args(argv)
    run(args.taps, args.idle, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
