"""The ballot booth waits for voters longer than the shell's inactivity delay (issue 8).

At a polling station the librarian stays by the kiosk as assessor, often minutes without a touch between
two voters: the booth's « Passez votre carte » must not fall back to Accueil (card + PIN again) after the
usual 45 s. A voter who walks away in the middle of a ballot still gets the usual delay: their ballot is
wiped and nobody else can finish it. Real window, real time, a 1 s delay (tests only).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.ui import driver
from tests.ui.admin2_helpers import go, open_admin_session

DELAY_S = 1


def test_the_booth_waits_for_voters_but_not_for_a_voter_who_walked_away(
    kivy_window: Any, tmp_path: Path
) -> None:
    with (
        driver.demo_context(tmp_path, inactivity_seconds=DELAY_S) as ctx,
        driver.shell_rig(kivy_window, ctx) as rig,
    ):
        shell = rig.shell
        shell.countdown_seconds = 1
        (election,) = ctx.services.elections.current()  # the demo's vote at this kiosk, open now
        open_admin_session(rig)
        booth = go(rig, "ballot_booth", election_id=election.id)
        assert booth.step == "wait" and not booth.blocked, driver.texts(booth)

        waited = time.monotonic()
        while time.monotonic() - waited < 4 * DELAY_S:  # four delays and a countdown: still waiting
            driver.wait_frames(5)
            assert not shell.counting_down
        assert shell.manager.current == "ballot_booth" and shell.session.admin

        rig.tap_demo_card("Karim")  # a demo card free to vote
        assert booth.step == "verdict" and booth.verdict == "can_vote", driver.texts(booth)
        driver.tap(booth.ids.start_button)
        assert booth.step == "grade"
        driver.wait_until(lambda: shell.counting_down, timeout=5 * DELAY_S)
        driver.wait_until(lambda: shell.manager.current == "accueil", timeout=5 * DELAY_S)
        assert not shell.session.active and booth.voter_id is None
        karim = next(m for m in ctx.services.members.find("Karim") if m.pseudonym == "Karim")
        assert ctx.services.elections.voter_status(election.id, karim.id) == "can_vote"  # nothing cast
