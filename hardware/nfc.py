"""NFC cards over PC/SC: our own monitor loop over SCardGetStatusChange, in its own thread.

Why not pyscard's CardMonitor: its thread dies silently when pcscd restarts (pyscard#82), and the kiosk
would then ignore every card until someone reboots it. This loop instead:

- re-establishes the PC/SC context whenever a call says the service is gone, retrying every half second
  while pcscd is down (also at start), and reports it (ReaderStatus SERVICE_DOWN, then READY per reader);
- blocks in SCardGetStatusChange with a bounded timeout (no busy polling), watching the PICC slots and the
  ``\\\\?PnP?\\Notification`` pseudo-reader, and re-lists the readers after each timeout, so an unplugged
  reader is reported within about a second even where PnP notification is missing;
- turns each *presentation* into one event: a card left on the reader is one tap, the same card removed
  and presented again is another (pcsc-lite's event counter catches a quick remove/re-present that happened
  while we were busy reading);
- never lets a card pulled away mid-read crash the thread or wedge the reader: that is a CardReadError.

The raw UID only travels in the event (for the enrolment flow); logs never contain it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from hardware.apdu import GET_UID, ApduError, acr122_feedback, parse_uid_response, supports_acr122_feedback
from hardware.atr import card_kind
from hardware.events import (
    CardKind,
    CardReadError,
    CardRefused,
    CardRemoved,
    CardTapped,
    HardwareEvent,
    ReaderStatus,
)
from hardware.pcsc import (
    PNP_NOTIFICATION,
    SCARD_E_CANCELLED,
    SCARD_E_READER_UNAVAILABLE,
    SCARD_E_TIMEOUT,
    SCARD_E_UNKNOWN_READER,
    STATE_CHANGED,
    STATE_MUTE,
    STATE_UNAWARE,
    Pcsc,
    PcscError,
    StatusEntry,
)
from hardware.ports import EventSink, ReaderState
from kiosk.card_keys import CardKeyRing, CardKeys, ring_of
from kiosk.cardid import is_random_uid

log = logging.getLogger("kiosk.nfc")

DEFAULT_IGNORED_READERS = ("SAM",)
# After pcscd comes back, how long a reader may look empty before a card that lay on it counts as gone:
# the new pcscd needs a presence poll or two before it sees a card that never moved.
HELD_GRACE = 3.0


@dataclass(frozen=True)
class NfcSettings:
    """What a site may tune. `feedback` sends the ACR122U LED/buzzer pseudo-APDU after each read."""

    feedback: bool = False
    ignore_readers: tuple[str, ...] = DEFAULT_IGNORED_READERS
    wait_timeout: float = 1.0  # seconds blocked in SCardGetStatusChange before re-listing the readers
    retry_delay: float = 0.5  # seconds between attempts to reach pcscd (a failed attempt costs ~nothing)


def is_picc_reader(name: str, ignored: Iterable[str] = DEFAULT_IGNORED_READERS) -> bool:
    """Whether a reader slot is the contactless (PICC) one.

    Dual readers expose their secure-module slot as a reader of its own, e.g. the ACR1252U's
    "ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01": no card is ever tapped there, and
    connecting to it can disturb the module. PC/SC gives no slot type, so this goes by whole words.
    """
    return not any(re.search(rf"\b{re.escape(word)}\b", name, re.IGNORECASE) for word in ignored)


@dataclass
class _Slot:
    """What this context knows of one reader: the state to pass back to SCardGetStatusChange."""

    name: str
    state: int = STATE_UNAWARE
    events: int = 0
    present: bool = False
    uid_hash: str | None = None  # of the card presented now, to recognise it after a pcscd restart


@dataclass
class _Watch:
    """Per-context state: rebuilt from scratch whenever the PC/SC context is re-established."""

    context: int
    slots: dict[str, _Slot] = field(default_factory=dict)
    pnp_state: int = STATE_UNAWARE
    first_listing: bool = True


class PcscNfcReader:
    """NFC reader adapter over PC/SC. Implements hardware.ports.NfcReader."""

    def __init__(
        self,
        events: EventSink,
        card_key: bytes | CardKeyRing,
        settings: NfcSettings | None = None,
        pcsc: Pcsc | None = None,
    ) -> None:
        self._events = events
        # Read at each tap: a rotation's next key, or the switch to it, applies from the next tap on.
        self._keys = ring_of(card_key)
        self.settings = settings or NfcSettings()
        self._pcsc = pcsc or Pcsc()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # guards _context between the monitor thread and stop()
        self._context: int | None = None
        self._global: ReaderState | None = None  # last SERVICE_DOWN / NO_READER reported, None when fine
        self._known: set[str] = set()  # readers reported READY, across contexts (monitor thread only)
        self._names: tuple[str, ...] = ()  # snapshot of _known for other threads (replaced, never mutated)
        # reader -> (uid_hash, deadline) of a card that lay there when the context was lost. Its deadline is
        # set when the reader comes back: until then an empty reader may just not have seen the card yet.
        self._held: dict[str, tuple[str, float]] = {}

    # --- the port -----------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("PcscNfcReader already started")
        self._thread = threading.Thread(target=self._run, name="nfc-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            if self._context is not None:
                # Wakes SCardGetStatusChange at once instead of at its timeout. An error means the
                # context is already dead, and the loop is about to notice.
                with contextlib.suppress(PcscError):
                    self._pcsc.cancel(self._context)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("le fil du lecteur NFC ne s’est pas arrêté en %s s", timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def readers(self) -> tuple[str, ...]:
        return self._names

    def set_card_key(self, card_key: bytes) -> None:
        """The network key arrives at pairing; later taps are hashed with it (one atomic assignment)."""
        self._keys.set(CardKeys(card_key))

    # --- the loop -----------------------------------------------------------------------------------

    def _emit(self, event: HardwareEvent) -> None:
        self._events.put(event)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                context = self._pcsc.establish()
            except PcscError as error:
                self._service_down(str(error))
                self._stop.wait(self.settings.retry_delay)
                continue
            with self._lock:
                self._context = context
            watch = _Watch(context)
            # After pcscd went away, come back fast (establishing fails at once while it is down); after
            # anything else, wait a whole retry delay so an odd error cannot make the loop spin.
            pause = self.settings.retry_delay
            try:
                self._watch(watch)
            except PcscError as error:
                if error.service_lost:
                    pause /= 10
                else:
                    log.warning("erreur PC/SC inattendue, reprise : %s", error)
                self._lost(watch, str(error))
            except Exception:  # a bug must not leave the kiosk deaf to cards: log it, start over
                log.exception("erreur dans la surveillance du lecteur NFC, reprise")
                self._lost(watch, "internal error")
            finally:
                with self._lock:
                    self._context = None
                with contextlib.suppress(PcscError):  # a dead context cannot be released: pcscd forgot it
                    self._pcsc.release(context)
            self._stop.wait(pause)
        self._emit(ReaderStatus("", ReaderState.STOPPED))

    def _lost(self, watch: _Watch, message: str) -> None:
        # A card lying on a reader while pcscd restarts is still the same presentation: remember it so
        # the new context does not report it as a second tap.
        for slot in watch.slots.values():
            if slot.present and slot.uid_hash is not None:
                self._held[slot.name] = (slot.uid_hash, math.inf)
        self._service_down(message)

    def _service_down(self, message: str) -> None:
        if self._global is not ReaderState.SERVICE_DOWN:
            log.info("service PC/SC indisponible : %s", message)
            self._emit(ReaderStatus("", ReaderState.SERVICE_DOWN, message))
            self._global = ReaderState.SERVICE_DOWN

    def _watch(self, watch: _Watch) -> None:
        relist = True
        timeout_ms = max(1, int(self.settings.wait_timeout * 1000))
        while not self._stop.is_set():
            if relist:
                self._reconcile(watch)
                relist = False
            if self._held:
                self._expire_held(watch)
            states = [(PNP_NOTIFICATION, watch.pnp_state)]
            states += [(slot.name, slot.state) for slot in watch.slots.values()]
            try:
                answer = self._pcsc.get_status_change(watch.context, timeout_ms, states)
            except PcscError as error:
                if error.code == SCARD_E_CANCELLED:
                    return
                if error.code in (SCARD_E_TIMEOUT, SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE):
                    relist = True  # periodic, or a reader vanished between listing and waiting
                    continue
                raise
            for entry in answer:
                if entry.name == PNP_NOTIFICATION:
                    relist = relist or entry.changed
                    watch.pnp_state = entry.event_state & ~STATE_CHANGED
                    continue
                slot = watch.slots.get(entry.name)
                if slot is None or not entry.changed:
                    continue
                if entry.gone:
                    relist = True
                    continue
                self._on_state(watch, slot, entry)

    def _expire_held(self, watch: _Watch) -> None:
        """A card held through a pcscd restart that has not shown up again by its deadline has left."""
        now = time.monotonic()
        for name, (_, deadline) in list(self._held.items()):
            slot = watch.slots.get(name)
            if deadline <= now and (slot is None or not slot.present):
                del self._held[name]
                self._emit(CardRemoved(name))

    def _reconcile(self, watch: _Watch) -> None:
        """Compare the readers pcscd lists with the ones we watch; report arrivals and departures."""
        names = [n for n in self._pcsc.list_readers(watch.context) if is_picc_reader(n, self._ignored)]
        for name in [n for n in watch.slots if n not in names]:
            slot = watch.slots.pop(name)
            if slot.present:
                self._emit(CardRemoved(name))
            self._disconnected(name)
        if watch.first_listing:  # readers known before pcscd went away and not back with it
            for name in sorted(self._known - set(names)):
                self._disconnected(name)
                if self._held.pop(name, None) is not None:
                    self._emit(CardRemoved(name))
        for name in names:
            if name not in watch.slots:
                watch.slots[name] = _Slot(name)
                if name in self._held:
                    self._held[name] = (self._held[name][0], time.monotonic() + HELD_GRACE)
                self._known.add(name)
                self._names = tuple(sorted(self._known))
                log.info("lecteur prêt : %s", name)
                self._emit(ReaderStatus(name, ReaderState.READY))
        watch.first_listing = False
        if not watch.slots:
            if self._global is not ReaderState.NO_READER:
                self._emit(ReaderStatus("", ReaderState.NO_READER))
                self._global = ReaderState.NO_READER
        else:
            self._global = None

    @property
    def _ignored(self) -> tuple[str, ...]:
        return self.settings.ignore_readers

    def _disconnected(self, name: str) -> None:
        self._known.discard(name)
        self._names = tuple(sorted(self._known))
        log.info("lecteur débranché : %s", name)
        self._emit(ReaderStatus(name, ReaderState.DISCONNECTED))

    def _on_state(self, watch: _Watch, slot: _Slot, entry: StatusEntry) -> None:
        was_present = slot.present
        counted = entry.events != 0 and slot.events != 0 and entry.events != slot.events
        slot.state = entry.event_state & ~STATE_CHANGED
        slot.events = entry.events
        if not entry.present:
            if was_present:
                slot.present = False
                slot.uid_hash = None
                self._emit(CardRemoved(slot.name))
            return
        if was_present and not counted:
            return  # same presentation: our own connect/disconnect toggled INUSE, nothing to report
        if was_present:  # removed and presented again while we were busy: two events, in order
            self._emit(CardRemoved(slot.name))
        slot.present = True
        slot.uid_hash = None
        held = self._held.pop(slot.name, ("", 0.0))[0] or None
        if entry.event_state & STATE_MUTE:
            self._emit_after_held(held, CardReadError(slot.name, "card_mute", "la carte ne répond pas"))
            return
        self._read(watch, slot, entry.atr, held)

    def _read(self, watch: _Watch, slot: _Slot, atr: bytes, held: str | None) -> None:
        kind = card_kind(atr)
        reader = slot.name
        try:
            card, protocol = self._pcsc.connect(watch.context, reader)
        except PcscError as error:
            self._read_failed(reader, error, "connect_failed", held)
            return
        try:
            try:
                uid = parse_uid_response(self._pcsc.transmit(card, protocol, GET_UID))
            except PcscError as error:
                self._read_failed(reader, error, "transmit_failed", held)
                return
            except ApduError as error:
                self._emit_after_held(held, CardReadError(reader, error.code, error.message))
                self._feedback(card, protocol, reader, ok=False)
                return
            self._identified(slot, uid, kind, held)
            self._feedback(card, protocol, reader, ok=not is_random_uid(uid))
        finally:
            try:
                self._pcsc.disconnect(card)
            except PcscError as error:
                if error.service_lost:
                    raise
                # the card left between the read and here: its removal is reported by the next wait

    def _identified(self, slot: _Slot, uid: bytes, kind: CardKind, held: str | None) -> None:
        if is_random_uid(uid):
            log.info("carte à identifiant aléatoire refusée sur %s", slot.name)
            self._emit_after_held(held, CardRefused(slot.name, "random_uid", kind, uid=uid))
            return
        hashed, following = self._keys.keys.hashes(uid)
        slot.uid_hash = hashed
        if held == hashed:
            return  # still the card that lay there when pcscd went away: same presentation
        self._emit_after_held(held, CardTapped(hashed, kind, slot.name, uid=uid, next_uid_hash=following))

    def _emit_after_held(self, held: str | None, event: CardTapped | CardRefused | CardReadError) -> None:
        """A different card now lies where one was held through a pcscd restart: that one left first."""
        if held is not None:
            self._emit(CardRemoved(event.reader))
        self._emit(event)

    def _read_failed(self, reader: str, error: PcscError, code: str, held: str | None) -> None:
        if error.service_lost:
            raise error
        code = "card_removed" if error.card_gone else code
        log.info("lecture interrompue sur %s : %s", reader, error)
        self._emit_after_held(held, CardReadError(reader, code, str(error)))

    def _feedback(self, card: int, protocol: int, reader: str, *, ok: bool) -> None:
        if not self.settings.feedback or not supports_acr122_feedback(reader):
            return
        try:
            self._pcsc.transmit(card, protocol, acr122_feedback(ok))
        except PcscError as error:
            if error.service_lost:
                raise
            # feedback is a courtesy: a card leaving during the beep changes nothing
