"""What a screen may use: services, config, and a few callables the app wires to devices and the worker.

Screens never hold a device or a network client (DESIGN §2): printing goes through `print_slip` (the app
hands the slip to the printer worker; the result comes back as a `print_finished` call on the shell), and
sync through `sync_now` / `after_write`. Tests build a `UiContext` on a real store with the simulated
printer, exactly as the demo does.

The librarian's screens (issue 6) read the kiosk's health and act on the kiosk itself through a few more
callables: `sync_status`, `hub_url`, `device_status` (read on the Kivy thread, so they only return what the
app already knows), `pair_with_hub` (network: the app runs it off the Kivy thread and calls `done` back on
it), `apply_settings` (language, inactivity, larger text applied live) and `leave_kiosk`. Elections whose
ballot box is on the hub (issue 8) use `hub_cast_ballot`, `hub_voter_status` and `hub_election_result`,
off the Kivy thread too, and so does `look_up_card` (issue 9: a card this kiosk does not know may be a
member of another collective of the network, visiting). Every one has a harmless default, so a context
built for the member screens works unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardware.receipts import Slip
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.services import Services

if TYPE_CHECKING:  # only their types: no sync client and no settings module loaded with the screens
    from kiosk.settings import KioskSettings
    from sync_client.worker import SyncStatus


@dataclass(frozen=True)
class PairOutcome:
    """How a pairing attempt ended. `message` is a sentence for the librarian; `code` the hub's error code
    ("pairing_code_expired", "bad_url", "unavailable"…) so the screen can say it in the kiosk's language."""

    ok: bool
    message: str = ""
    code: str = ""


PairDone = Callable[[PairOutcome], None]


@dataclass(frozen=True)
class HubAnswer:
    """How a hub call ended: about an election (mode « hub »: the ballot box is on the hub) or a card (issue
    9). `code` is the hub's answer or error ("a_vote", "already_voted", "unknown_card", "unavailable"…);
    `data` its JSON."""

    ok: bool
    code: str = ""
    data: dict[str, Any] = field(default_factory=dict)


HubDone = Callable[[HubAnswer], None]


def _nothing() -> None:
    return None


def _no_status() -> SyncStatus | None:
    return None


def _no_hub() -> str | None:
    return None


def _no_devices() -> dict[str, str]:
    return {}


def _cannot_pair(_url: str, _code: str, done: PairDone) -> None:
    done(PairOutcome(False, "Cette borne ne peut pas être appairée d’ici.", "unsupported"))


def _no_hub_ballot(
    _election_id: str, _member_id: str, _grades: Mapping[str, int | None], done: HubDone
) -> None:
    done(HubAnswer(False, "unavailable"))


def _no_hub_voter(_election_id: str, _member_id: str, done: HubDone) -> None:
    done(HubAnswer(False, "unavailable"))


def _no_hub_result(_election_id: str, done: HubDone) -> None:
    done(HubAnswer(False, "unavailable"))


def _no_card_look_up(_uid_hash: str, done: HubDone) -> None:
    done(HubAnswer(False, "not_paired"))


def _keep_settings(_settings: KioskSettings) -> None:
    return None


@dataclass
class UiContext:
    services: Services
    config: Config
    clock: Clock
    # None when no printer is configured: screens then hide their Print buttons. Returns a job id.
    print_slip: Callable[[Slip], str] | None = None
    # Ask the sync worker for a sync now (librarian's button) / wake it shortly after a local write.
    sync_now: Callable[[], None] = field(default=_nothing)
    after_write: Callable[[], None] = field(default=_nothing)
    demo: bool = False
    # The sync worker's last status (None: not paired), the hub's address, and devices' states:
    # {"reader": a hardware.ports.ReaderState value, "printer": "ready" / "absent" / "error"…}.
    sync_status: Callable[[], SyncStatus | None] = field(default=_no_status)
    hub_url: Callable[[], str | None] = field(default=_no_hub)
    device_status: Callable[[], dict[str, str]] = field(default=_no_devices)
    # pair_with_hub(url, code, done): off the Kivy thread; `done(outcome)` is called back on it.
    pair_with_hub: Callable[[str, str, PairDone], None] = field(default=_cannot_pair)
    # Elections in mode « hub » (off the Kivy thread; `done(answer)` called back on it): cast a ballot,
    # ask whether a member voted, read the result. The defaults answer "unavailable" (no hub here).
    hub_cast_ballot: Callable[[str, str, Mapping[str, int | None], HubDone], None] = field(
        default=_no_hub_ballot
    )
    hub_voter_status: Callable[[str, str, HubDone], None] = field(default=_no_hub_voter)
    hub_election_result: Callable[[str, HubDone], None] = field(default=_no_hub_result)
    # Issue 9: who is this card this kiosk does not know? (off the Kivy thread; `done` called back on it,
    # maybe at once when the kiosk is offline). ok: `data` holds protocol.NetworkMember's fields.
    look_up_card: Callable[[str, HubDone], None] = field(default=_no_card_look_up)
    # The librarian saved new settings (kiosk.settings.save_settings): apply them live.
    apply_settings: Callable[[KioskSettings], None] = field(default=_keep_settings)
    # Leave fullscreen and show the desktop, for maintenance; the admin card + PIN bring the kiosk back.
    leave_kiosk: Callable[[], None] = field(default=_nothing)
    # Where exports go when no USB stick is mounted (under data_dir/exports); None: config.data_dir.
    data_dir: Path = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.data_dir is None:
            self.data_dir = self.config.data_dir

    @property
    def can_print(self) -> bool:
        return self.print_slip is not None
