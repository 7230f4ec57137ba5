"""A member of another collective taps their card at this kiosk (issue 9), in the real 800×480 Kivy window
(Xvfb), with the simulated card reader feeding the app's EventPump, and a REAL hub (uvicorn, SQLite) that
knows the card: two collectives of one network, kiosk A (Nadia's collective) and kiosk B, where she visits.

The hub is asked by the app's own wiring (kiosk/app_network.py) on a thread of its own. Its answer comes
back through `run_on_ui`, which the tests hold until they release it (`HeldAnswers`): so the screen can be
seen while it waits, and an answer can be made to arrive late — the order a slow network produces, made on
purpose. Everything else is real: the HTTP call, the store, the journal, the shell and its screens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from kiosk.app_network import CardLookUps
from sync_client.worker import SyncState, SyncStatus
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.servers import free_port
from tests.ui import admin2_helpers, driver
from tests.ui.admin2_helpers import look, message_shown
from tests.ui.visitor_helpers import HeldAnswers, visiting

hub = admin2_helpers.sqlite_hub  # a real hub for this module (pytest fixture)

WAITING = "Un instant… Nous cherchons cette carte dans le réseau des collectifs."
UNKNOWN = (
    "Cette carte n’est pas encore enregistrée. Pour l’activer, voyez un·e bibliothécaire : c’est rapide."
)
WELCOME = "Bienvenue, Nadia — collectif Savoirs de Belleville"


@dataclass
class Visit:
    b: Kiosk  # the kiosk where Nadia visits
    nadia: str
    nadia_uid: bytes
    a_name: str

    def journal(self, event_type: str) -> list[str]:
        rows = self.b.store.conn.execute("SELECT payload FROM journal WHERE type = ?", (event_type,))
        return [row[0] for row in rows]


@pytest.fixture
def visit(hub: HubHandle, tmp_path: Path) -> Iterator[Visit]:
    with visiting(hub, tmp_path) as v:
        v.kiosk_b.member("Bob")
        yield Visit(v.kiosk_b, v.nadia, v.nadia_uid, v.a.name)


@dataclass
class Rig:
    shell: Any
    tap_card: Callable[[bytes], None]
    answers: HeldAnswers


@pytest.fixture
def rig(kivy_window: Any, visit: Visit) -> Iterator[Callable[..., Rig]]:
    """`rig(hub_url=…, sync_state=…)`: kiosk B's shell in the window, its card look-ups wired as the app
    wires them (kiosk/app.py), with the hub at `hub_url` (default: the one it is paired with)."""
    from screens.context import UiContext

    opened: list[Any] = []

    def open_rig(hub_url: str = "", sync_state: SyncState | None = None) -> Rig:
        config = replace(visit.b.config, hub=replace(visit.b.config.hub, url=hub_url))
        services = visit.b.services
        status = None if sync_state is None else SyncStatus(sync_state, 0, 0, None)
        answers = HeldAnswers()
        look_ups = CardLookUps(config, services, answers.run_on_ui, lambda: status)
        ctx = UiContext(services=services, config=config, clock=services.ctx.clock)
        ctx.look_up_card = look_ups.look_up_card
        context = driver.shell_rig(kivy_window, ctx)
        shell_rig = context.__enter__()
        opened.append(context)
        return Rig(shell_rig.shell, shell_rig.tap_card, answers)

    yield open_rig
    for context in opened:
        context.__exit__(None, None, None)


def test_a_visitor_is_recognised_through_the_hub_and_welcomed_home(
    rig: Callable[..., Rig], visit: Visit
) -> None:
    kiosk = rig()
    shell = kiosk.shell
    kiosk.tap_card(visit.nadia_uid)
    # while the hub is asked: a calm word, and the kiosk keeps drawing frames (the call is on its thread)
    assert message_shown(shell) == WAITING and shell.session.member is None
    look(shell, "visitor-waiting")
    kiosk.answers.wait()
    assert kiosk.answers.threads == ["kiosk-hub-card"]
    kiosk.answers.release()

    assert shell.session.member is not None and shell.session.member.id == visit.nadia
    assert shell.manager.current == "member_home"
    home = shell.manager.current_screen
    assert home.greeting == WELCOME
    assert WELCOME in driver.texts(home)
    assert "Ravis de vous accueillir ici !" in driver.texts(home)
    assert message_shown(shell) == ""
    look(shell, "visitor-welcome")
    shell.switch_language("en")
    driver.wait_frames(3)
    assert home.greeting == "Welcome, Nadia — collective Savoirs de Belleville"
    look(shell, "visitor-welcome-en")
    shell.switch_language("fr")

    # journaled as a visit (pseudonym, quartier, collective), never as an unknown card; no card kept here
    (visited,) = visit.journal("member.visited")
    assert '"Nadia"' in visited and visit.a_name in visited
    assert visit.journal("card.unknown_tapped") == []
    assert visit.b.store.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 0

    # the next tap asks again and finds her (a card is never stored at another collective's kiosk)
    driver.tap(home.ids.finish_button)
    assert shell.session.member is None
    kiosk.tap_card(visit.nadia_uid)
    kiosk.answers.wait()
    kiosk.answers.release()
    assert shell.session.member is not None and shell.session.member.id == visit.nadia
    assert len(visit.journal("member.visited")) == 1  # already known here: not journaled twice


def test_a_card_the_hub_does_not_know_is_an_unknown_card_as_before(
    rig: Callable[..., Rig], visit: Visit
) -> None:
    kiosk = rig()
    kiosk.tap_card(b"\x04\x52\x61\x3a\x99\x01\x02")  # enrolled nowhere
    assert message_shown(kiosk.shell) == WAITING
    kiosk.answers.wait()
    kiosk.answers.release()
    assert message_shown(kiosk.shell) == UNKNOWN
    assert kiosk.shell.session.member is None and kiosk.shell.manager.current == "accueil"
    assert len(visit.journal("card.unknown_tapped")) == 1
    assert visit.journal("member.visited") == []


def test_a_hub_out_of_reach_leaves_the_unknown_card_path_unchanged(
    rig: Callable[..., Rig], visit: Visit
) -> None:
    kiosk = rig(hub_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    kiosk.tap_card(visit.nadia_uid)
    kiosk.answers.wait()
    kiosk.answers.release()
    assert message_shown(kiosk.shell) == UNKNOWN and kiosk.shell.session.member is None
    assert len(visit.journal("card.unknown_tapped")) == 1


def test_offline_the_hub_is_not_asked(rig: Callable[..., Rig], visit: Visit) -> None:
    """The sync worker last said the hub is out of reach: no wait at all, today's unknown card."""
    kiosk = rig(sync_state=SyncState.OFFLINE)
    kiosk.tap_card(visit.nadia_uid)
    assert message_shown(kiosk.shell) == UNKNOWN and kiosk.answers.threads == []
    assert len(visit.journal("card.unknown_tapped")) == 1


def test_an_answer_after_the_patience_is_over_is_ignored(
    rig: Callable[..., Rig], visit: Visit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk waits LOOK_UP_PATIENCE_S (3 s; shortened here), then the card is an unknown card. The
    hub's answer arriving later opens nothing: the person was already told."""
    from screens import visitor

    monkeypatch.setattr(visitor, "LOOK_UP_PATIENCE_S", 0.3)
    kiosk = rig()
    kiosk.tap_card(visit.nadia_uid)
    kiosk.answers.wait()  # the hub answered, but the answer is held: a slow network
    driver.wait_until(lambda: message_shown(kiosk.shell) == UNKNOWN, timeout=5)
    assert len(visit.journal("card.unknown_tapped")) == 1
    kiosk.answers.release()
    assert kiosk.shell.session.member is None and message_shown(kiosk.shell) == UNKNOWN
    assert visit.journal("member.visited") == []


def test_another_card_while_waiting_comes_first(rig: Callable[..., Rig], visit: Visit) -> None:
    """Bob (of this collective) taps while the hub is asked about Nadia's card: Bob's session opens, the
    answer about Nadia is not shown, and her tap is kept as an unknown card (no tap is lost)."""
    bob = visit.b.services.members.find("Bob")[0]
    bob_uid = b"\x04\x11\x22\x33\x44\x55\x66"
    visit.b.services.cards.enrol(visit.b.services.cards.read(bob_uid), bob.id)
    kiosk = rig()
    kiosk.tap_card(visit.nadia_uid)
    assert message_shown(kiosk.shell) == WAITING
    kiosk.tap_card(bob_uid)
    assert kiosk.shell.session.member is not None and kiosk.shell.session.member.id == bob.id
    kiosk.answers.wait()
    kiosk.answers.release()
    assert kiosk.shell.session.member.id == bob.id and kiosk.shell.manager.current == "member_home"
    assert kiosk.shell.manager.current_screen.greeting == "Bonjour Bob"
    assert len(visit.journal("card.unknown_tapped")) == 1
    assert visit.journal("member.visited") == []
