"""A member of another collective taps as the PARTNER while « Enregistrer un échange » is open (issue 9), in
the real 800×480 Kivy window (Xvfb), with the simulated card reader feeding the app's EventPump and a REAL
hub (uvicorn, SQLite): two collectives of one network, kiosk A (Nadia's collective) and kiosk B, where
Bob records the exchange he gave her.

The hub is asked by the app's own wiring (kiosk/app_network.py) on a thread of its own; its answer comes
back through `run_on_ui`, held by the tests until they release it (tests/ui/test_visitor_tap.py's
`HeldAnswers`): so « Un instant… » can be seen while it waits, and an answer can be made to arrive late.
Everything else is real: the HTTP calls, the stores, the journal, the shell, the wizard, the sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from hub.stats.facts import Scope, load_facts
from kiosk.app_network import CardLookUps
from kiosk.domain import ExchangeStatus, ListingKind, ParticipantRole
from screens.record_flow import Step
from sync_client.worker import SyncState, SyncStatus
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.servers import free_port
from tests.ui import admin2_helpers, driver
from tests.ui.admin2_helpers import look, message_shown
from tests.ui.visitor_helpers import HeldAnswers, visiting

hub = admin2_helpers.sqlite_hub  # a real hub for this module (pytest fixture)

WAITING = "Un instant… Nous cherchons cette carte dans le réseau des collectifs."
UNKNOWN_HERE = (
    "Cette carte n’est pas encore enregistrée. Pour une personne sans carte, touchez « Une personne non "
    "inscrite »."
)
STRANGER_UID = b"\x04\x52\x61\x3a\x99\x01\x02"  # enrolled nowhere in the network


@dataclass
class Network:
    network_id: str
    a: str  # Nadia's collective
    b: str  # where she visits, and Bob records
    kiosk_a: Kiosk
    kiosk_b: Kiosk
    nadia: str
    nadia_uid: bytes
    bob: str
    bob_uid: bytes

    def journal(self, event_type: str) -> list[str]:
        rows = self.kiosk_b.store.conn.execute("SELECT payload FROM journal WHERE type = ?", (event_type,))
        return [row[0] for row in rows]


@pytest.fixture
def network(hub: HubHandle, tmp_path: Path) -> Iterator[Network]:
    with visiting(hub, tmp_path) as v:
        bob = v.kiosk_b.member("Bob")
        bob_uid = v.kiosk_b.card(bob)
        v.kiosk_b.services.listings.publish(bob, ListingKind.OFFER, "cuisine.quotidien", "Pâte à crêpes")
        yield Network(v.network_id, v.a.id, v.b.id, v.kiosk_a, v.kiosk_b, v.nadia, v.nadia_uid, bob, bob_uid)


@dataclass
class Rig:
    shell: Any
    tap_card: Callable[[bytes], None]
    answers: HeldAnswers

    @property
    def wizard(self) -> Any:
        return self.shell.manager.get_screen("record")

    def step(self) -> Step:
        assert self.shell.manager.current == "record", self.shell.manager.current
        return Step(self.wizard.ids.steps.current)

    def touch_text(self, text: str) -> None:
        from kivy.uix.button import Button

        found = driver.find_all(self.shell, text=text, cls=Button)
        assert len(found) == 1, (
            f"{len(found)} buttons {text!r}: {driver.texts(self.shell.manager.current_screen)}"
        )
        driver.tap(found[0])


@pytest.fixture
def rig(kivy_window: Any, network: Network) -> Iterator[Callable[..., Rig]]:
    """`rig(hub_url=…, sync_state=…)`: kiosk B's shell in the window, its card look-ups wired as the app
    wires them (kiosk/app.py); Bob has tapped his card and opened the wizard, and told what happened and
    what about (his offer): the partners' step waits for a card."""
    from screens.context import UiContext

    opened: list[Any] = []

    def open_rig(hub_url: str = "", sync_state: SyncState | None = None) -> Rig:
        kiosk = network.kiosk_b
        config = replace(kiosk.config, hub=replace(kiosk.config.hub, url=hub_url))
        status = None if sync_state is None else SyncStatus(sync_state, 0, 0, None)
        answers = HeldAnswers()
        look_ups = CardLookUps(config, kiosk.services, answers.run_on_ui, lambda: status)
        ctx = UiContext(services=kiosk.services, config=config, clock=kiosk.services.ctx.clock)
        ctx.look_up_card = look_ups.look_up_card
        context = driver.shell_rig(kivy_window, ctx)
        shell_rig = context.__enter__()
        opened.append(context)
        opened_rig = Rig(shell_rig.shell, shell_rig.tap_card, answers)
        opened_rig.tap_card(network.bob_uid)
        assert shell_rig.shell.session.member is not None and shell_rig.shell.session.member.id == network.bob
        opened_rig.touch_text("J’enregistre un échange")
        opened_rig.touch_text("J’ai transmis un savoir")
        opened_rig.touch_text("Pâte à crêpes")
        assert opened_rig.step() is Step.PARTNERS
        return opened_rig

    yield open_rig
    for context in opened:
        context.__exit__(None, None, None)


def exchange_facts(hub: HubHandle, network: Network, collective_id: str) -> dict[str, frozenset[str]]:
    """Exchange id → the collectives it counts in, as the coordinators' statistics see one collective."""
    with hub.db.read() as conn:
        facts = load_facts(conn, Scope(network.network_id, collective_id))
    return {fact.id: fact.collective_ids for fact in facts.exchanges}


def test_a_visitor_tapping_as_the_partner_joins_and_the_exchange_counts_in_both_collectives(
    rig: Callable[..., Rig], network: Network, hub: HubHandle
) -> None:
    kiosk = rig()
    shell = kiosk.shell
    kiosk.tap_card(network.nadia_uid)  # unknown at B: the hub is asked, the wizard waits calmly
    assert message_shown(shell) == WAITING
    assert kiosk.step() is Step.PARTNERS and kiosk.wizard.flow.partners == []
    look(shell, "record-visitor-waiting")
    kiosk.answers.wait()
    assert kiosk.answers.threads == ["kiosk-hub-card"]  # never on the Kivy thread
    kiosk.answers.release()

    # Nadia is the partner, present (her tap is her confirmation); the wizard moved on by itself
    assert message_shown(shell) == ""
    assert kiosk.step() is Step.DURATION
    assert [(p.name, p.member_id, p.present) for p in kiosk.wizard.flow.partners] == [
        ("Nadia", network.nadia, True)
    ]
    assert "Avec Nadia." in kiosk.wizard.steps[Step.DURATION].ids.partners_line.text
    assert shell.session.member is not None and shell.session.member.id == network.bob  # still Bob's
    assert shell.sounds.played[-1] == "success"
    look(shell, "record-visitor-joined")
    (visited,) = network.journal("member.visited")
    assert '"Nadia"' in visited
    assert network.journal("card.unknown_tapped") == []

    kiosk.touch_text("1 h")
    kiosk.touch_text("Enregistrer")
    assert shell.manager.current == "receipt"
    exchange = shell.manager.current_screen._exchange
    assert exchange.status is ExchangeStatus.CONFIRMED
    assert [(p.pseudonym, p.role) for p in exchange.participants] == [
        ("Bob", ParticipantRole.TRANSMITTER),
        ("Nadia", ParticipantRole.LEARNER),
    ]

    network.kiosk_b.sync()
    # on the hub, the statistics of each collective count it, as an exchange of both
    assert exchange_facts(hub, network, network.a).get(exchange.id) == frozenset({network.a, network.b})
    assert exchange_facts(hub, network, network.b).get(exchange.id) == frozenset({network.a, network.b})
    # and Nadia's own collective gets it at its next sync, confirmed, in her recognition
    network.kiosk_a.sync()
    conn = network.kiosk_a.store.conn
    assert conn.execute("SELECT status FROM exchanges WHERE id = ?", (exchange.id,)).fetchone() == (
        "confirmed",
    )
    assert conn.execute(
        "SELECT role, exchanges, minutes FROM member_recognition WHERE member_id = ?", (network.nadia,)
    ).fetchall() == [("learner", 1, 60)]


def test_a_card_the_hub_does_not_know_is_refused_and_the_wizard_stays(
    rig: Callable[..., Rig], network: Network
) -> None:
    kiosk = rig()
    kiosk.tap_card(STRANGER_UID)
    assert message_shown(kiosk.shell) == WAITING
    kiosk.answers.wait()
    kiosk.answers.release()
    assert message_shown(kiosk.shell) == UNKNOWN_HERE
    assert kiosk.shell.sounds.played[-1] == "refusal"
    assert kiosk.step() is Step.PARTNERS and kiosk.wizard.flow.partners == []
    assert len(network.journal("card.unknown_tapped")) == 1  # resolved later on the hub, never lost
    assert network.journal("member.visited") == []


def test_a_hub_out_of_reach_gives_todays_unknown_card_answer(
    rig: Callable[..., Rig], network: Network
) -> None:
    kiosk = rig(hub_url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    kiosk.tap_card(network.nadia_uid)
    kiosk.answers.wait()
    kiosk.answers.release()
    assert message_shown(kiosk.shell) == UNKNOWN_HERE
    assert kiosk.step() is Step.PARTNERS and kiosk.wizard.flow.partners == []
    assert len(network.journal("card.unknown_tapped")) == 1


def test_offline_the_hub_is_not_asked(rig: Callable[..., Rig], network: Network) -> None:
    """The sync worker last said the hub is out of reach: no wait at all, today's unknown card."""
    kiosk = rig(sync_state=SyncState.OFFLINE)
    kiosk.tap_card(network.nadia_uid)
    assert message_shown(kiosk.shell) == UNKNOWN_HERE and kiosk.answers.threads == []
    assert kiosk.step() is Step.PARTNERS and kiosk.wizard.flow.partners == []
    assert len(network.journal("card.unknown_tapped")) == 1


def test_an_answer_after_the_patience_is_over_adds_nobody(
    rig: Callable[..., Rig], network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wizard waits LOOK_UP_PATIENCE_S (3 s; shortened here), then the card is an unknown card. The
    hub's answer arriving later adds nobody: Bob was already told."""
    from screens import visitor

    monkeypatch.setattr(visitor, "LOOK_UP_PATIENCE_S", 0.3)
    kiosk = rig()
    kiosk.tap_card(network.nadia_uid)
    kiosk.answers.wait()  # the hub answered, but the answer is held: a slow network
    driver.wait_until(lambda: message_shown(kiosk.shell) == UNKNOWN_HERE, timeout=5)
    kiosk.answers.release()
    assert kiosk.step() is Step.PARTNERS and kiosk.wizard.flow.partners == []
    assert len(network.journal("card.unknown_tapped")) == 1
    assert network.journal("member.visited") == []


def test_an_answer_after_the_exchange_was_abandoned_adds_nobody(
    rig: Callable[..., Rig], network: Network
) -> None:
    """Bob gives up while the hub is asked (a touch takes « Un instant… » away, then « Annuler »): the
    visit is journaled when the answer comes, but no exchange is recorded and nobody joins a new one."""
    kiosk = rig()
    kiosk.tap_card(network.nadia_uid)
    admin2_helpers.dismiss_message(kiosk.shell)
    driver.tap(kiosk.wizard.ids.cancel_button)
    driver.tap(kiosk.wizard._cancel_question.ids.abandon)
    assert kiosk.shell.manager.current == "member_home"
    kiosk.answers.wait()
    kiosk.answers.release()
    assert kiosk.shell.manager.current == "member_home" and message_shown(kiosk.shell) == ""
    assert network.kiosk_b.store.conn.execute("SELECT count(*) FROM exchanges").fetchone() == (0,)
    assert len(network.journal("member.visited")) == 1
