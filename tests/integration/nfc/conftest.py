"""Fixtures for the NFC tests with the real PC/SC stack: pcscd + vsmartcard vpcd + our card emulator.

Nothing here is mocked: the monitor talks to a real pcscd, which talks to the vpcd driver, which talks to
`vpcd_card.VpcdSlot`. The tests skip, saying why, only when pcscd, vpcd or pyscard is not installed (or
when this machine does not let us run pcscd).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hardware.events import ReaderState
from hardware.nfc import NfcSettings, PcscNfcReader
from tests.integration.nfc.harness import CARD_KEY, EventLog, wait_empty
from tests.integration.nfc.pcscd import (
    LOCK_PATH,
    VIRTUAL_READERS,
    VPCD_PORT,
    Pcscd,
    can_start_pcscd,
    exclusive_stack,
    missing_parts,
    service_answers,
)
from tests.integration.nfc.vpcd_card import VpcdSlot


def pytest_configure(config: pytest.Config) -> None:
    # Until the marker is declared in pyproject.toml, declare it here so `-m pcsc` / `-m "not pcsc"` work.
    config.addinivalue_line("markers", "pcsc: needs the real PC/SC stack (pcscd + vsmartcard vpcd)")


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    reason = missing_parts()
    if reason:
        pytest.skip(f"real PC/SC stack unavailable: {reason}")
    with exclusive_stack() as acquired:
        if not acquired:
            pytest.skip(f"another test session held the PC/SC stack ({LOCK_PATH}) for too long")
        yield from _session_pcscd(Pcscd(tmp_path_factory.mktemp("pcscd")))


def _session_pcscd(daemon: Pcscd) -> Iterator[Pcscd]:
    if service_answers():
        # Reuse the running pcscd (never stopped by us); it must have the vpcd readers configured.
        try:
            daemon.wait_for_readers(set(VIRTUAL_READERS), timeout=3)
        except RuntimeError:
            pytest.skip("a pcscd is already running without the vpcd readers (install vsmartcard-vpcd)")
        yield daemon
        return
    reason = can_start_pcscd()
    if reason:
        pytest.skip(f"cannot start pcscd here: {reason}")
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def owned_pcscd(pcscd: Pcscd) -> Iterator[Pcscd]:
    """For the tests that stop or restart pcscd: only possible with the one we started."""
    if not pcscd.owned:
        pytest.skip("pcscd was started by someone else (e.g. systemd); stop it to run the restart tests")
    yield pcscd
    if pcscd.process is None or not pcscd.virtual_reader:
        pcscd.virtual_reader = True  # leave the session's pcscd as we found it
        pcscd.restart()


@pytest.fixture
def slots(pcscd: Pcscd) -> Iterator[tuple[VpcdSlot, VpcdSlot]]:
    """The two slots of the virtual reader: `Virtual PCD 00 00` and `00 01`."""
    pair = (VpcdSlot(VPCD_PORT), VpcdSlot(VPCD_PORT + 1))
    yield pair
    for slot in pair:
        slot.remove()
    if pcscd.process is not None or not pcscd.owned:
        wait_empty(list(VIRTUAL_READERS))


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def start_monitor(events: EventLog) -> Iterator[Callable[..., PcscNfcReader]]:
    started: list[PcscNfcReader] = []

    def start(**settings: Any) -> PcscNfcReader:
        monitor = PcscNfcReader(events.queue, CARD_KEY, NfcSettings(**settings))
        monitor.start()
        started.append(monitor)
        return monitor

    yield start
    for monitor in started:
        monitor.stop()
        assert not monitor.running, "the monitor thread did not stop"


@pytest.fixture
def monitor(
    pcscd: Pcscd,
    slots: tuple[VpcdSlot, VpcdSlot],
    events: EventLog,
    start_monitor: Callable[..., PcscNfcReader],
) -> PcscNfcReader:
    """A running monitor that has reported both virtual readers ready."""
    started = start_monitor()
    for name in VIRTUAL_READERS:
        events.status(name, ReaderState.READY)
    return started
