"""The app's booth calls (kiosk/app_ballots.py) against the real hub: off the calling thread, answers handed
back through `run_on_ui`, every failure a code the booth can say (issue 8, elections in mode « hub »)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kiosk.app_ballots import HubBallots
from kiosk.config import Config
from screens.context import HubAnswer
from tests.hub import test_governance_hub as governance
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.test_governance_hub import announce, close

kiosks = governance.kiosks  # the same two paired kiosks and librarian (a pytest fixture)
WAIT_S = 20


class Answers:
    """`run_on_ui` of a test: records on which thread the answers came back, and waits for them."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self._ready = threading.Event()
        self.answer: HubAnswer | None = None

    def run_on_ui(self, action: Callable[[], None]) -> None:
        self.threads.append(threading.current_thread().name)
        action()

    def done(self, answer: HubAnswer) -> None:
        self.answer = answer
        self._ready.set()

    def wait(self) -> HubAnswer:
        assert self._ready.wait(WAIT_S), "no answer from the booth's hub call"
        self._ready.clear()
        assert self.answer is not None
        return self.answer


def booth(kiosk: Kiosk, answers: Answers, **hub: str) -> HubBallots:
    config: Config = replace(kiosk.config, hub=replace(kiosk.config.hub, **hub)) if hub else kiosk.config
    return HubBallots(config, answers.run_on_ui)


def test_the_booth_casts_through_the_hub_and_a_second_vote_is_refused_at_the_other_kiosk(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str]
) -> None:
    a, b, librarian = kiosks
    election_id, (first, second) = announce(a, librarian)
    voters = [a.member(f"Votant·e {n}") for n in range(5)]
    a.sync()
    b.sync()
    answers = Answers()
    at_a, at_b = booth(a, answers), booth(b, answers)

    at_b.hub_voter_status(election_id, voters[0], answers.done)
    assert answers.wait() == HubAnswer(True, "can_vote")
    at_a.hub_cast_ballot(election_id, voters[0], {first: 6, second: None}, answers.done)
    assert answers.wait() == HubAnswer(True, "a_vote")
    at_b.hub_voter_status(election_id, voters[0], answers.done)
    assert answers.wait() == HubAnswer(True, "already_voted")
    at_b.hub_cast_ballot(election_id, voters[0], {first: 0, second: 0}, answers.done)
    assert answers.wait() == HubAnswer(False, "already_voted")
    assert set(answers.threads) <= {"kiosk-hub-ballot", "kiosk-hub-voter"}  # never the caller's thread

    at_a.hub_election_result(election_id, answers.done)
    assert answers.wait() == HubAnswer(False, "election_open")
    for voter in voters[1:]:
        at_b.hub_cast_ballot(election_id, voter, {first: 2, second: 4}, answers.done)
        assert answers.wait().code == "a_vote"
    close(a, librarian, election_id)
    at_b.hub_election_result(election_id, answers.done)
    result = answers.wait()
    assert result.ok and result.data["voters"] == 5 and result.data["published"] is True
    assert len(result.data["ballots"]) == 5


def test_a_kiosk_without_a_hub_or_with_the_hub_down_gets_a_code_not_an_exception(
    hub: HubHandle, kiosks: tuple[Kiosk, Kiosk, str], tmp_path: Path
) -> None:
    a, _b, librarian = kiosks
    election_id, (first, _second) = announce(a, librarian)
    answers = Answers()
    alone = Kiosk(tmp_path / "alone", "c-alone", name="Borne seule")  # never paired
    try:
        booth(alone, answers).hub_voter_status(election_id, "m", answers.done)
        assert answers.wait() == HubAnswer(False, "not_paired")
    finally:
        alone.close()
    down = booth(a, answers, url="http://127.0.0.1:9")  # nothing listens on the discard port
    down.hub_cast_ballot(election_id, "m", {first: 3}, answers.done)
    assert answers.wait() == HubAnswer(False, "hub_unavailable")
