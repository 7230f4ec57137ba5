"""Time for the kiosk: wall clock (may be wrong: a Pi has no RTC), sync status, hybrid logical clock."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The wall clock, timezone-aware."""
        ...

    def synced(self) -> bool:
        """Whether the wall clock is known good (NTP synchronised or checked against the hub)."""
        ...


_TIME_ERROR = 5  # adjtimex(2): "clock not synchronized"


class _Timex(ctypes.Structure):
    # struct timex is 208 bytes on 64-bit Linux; only `status` (an int) is read by the kernel state.
    _fields_ = [("modes", ctypes.c_uint), ("_rest", ctypes.c_byte * 204)]


def _kernel_says_synced() -> bool | None:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        state = libc.adjtimex(ctypes.byref(_Timex()))
    except (OSError, AttributeError):
        return None
    return bool(state >= 0 and state != _TIME_ERROR)


class SystemClock:
    """The machine's clock. Sync status from systemd-timesyncd's flag file or the kernel, cached 30 s."""

    def __init__(self, timezone: str = "Europe/Paris") -> None:
        self.zone = ZoneInfo(timezone)
        self._synced_until = 0.0
        self._synced = False
        self.hub_checked = False  # set by the sync client once the hub confirms our clock

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def synced(self) -> bool:
        if self.hub_checked:
            return True
        monotonic = time.monotonic()
        if monotonic >= self._synced_until:
            flag = os.path.exists("/run/systemd/timesync/synchronized")
            self._synced = flag or bool(_kernel_says_synced())
            self._synced_until = monotonic + 30
        return self._synced


@dataclass
class FixedClock:
    """A clock that moves only when told to: for tests, benchmarks and the demo generator."""

    current: datetime
    is_synced: bool = True

    def now(self) -> datetime:
        return self.current

    def synced(self) -> bool:
        return self.is_synced

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass(frozen=True)
class HlcState:
    ms: int
    counter: int


HLC_COUNTER_MAX = 99_999  # five digits in the text form


def _carry(state: HlcState) -> HlcState:
    """Keep the counter within its five digits: overflow moves to the next millisecond.

    After a big backwards clock jump the counter could otherwise outgrow its padding and break text order.
    """
    if state.counter > HLC_COUNTER_MAX:
        return HlcState(state.ms + 1, 0)
    return state


def hlc_tick(previous: HlcState, wall_ms: int) -> HlcState:
    """Next local timestamp: never goes back, even when the wall clock jumps backwards."""
    if wall_ms > previous.ms:
        return HlcState(wall_ms, 0)
    return _carry(HlcState(previous.ms, previous.counter + 1))


def hlc_receive(previous: HlcState, remote: HlcState, wall_ms: int) -> HlcState:
    """Merge a timestamp seen on another kiosk's event, so our next events order after it."""
    top = max(previous.ms, remote.ms, wall_ms)
    if top == previous.ms == remote.ms:
        counter = max(previous.counter, remote.counter) + 1
    elif top == previous.ms:
        counter = previous.counter + 1
    elif top == remote.ms:
        counter = remote.counter + 1
    else:
        counter = 0
    return _carry(HlcState(top, counter))


def format_hlc(state: HlcState, kiosk_id: str) -> str:
    """`<ms>-<counter>-<kiosk_id>`, zero-padded so that text order is time order."""
    return f"{state.ms:013d}-{state.counter:05d}-{kiosk_id}"


def parse_hlc(text: str) -> tuple[HlcState, str]:
    ms, counter, kiosk_id = text.split("-", 2)
    return HlcState(int(ms), int(counter)), kiosk_id


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
