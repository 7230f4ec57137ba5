"""Elections whose ballot box is on the hub (mode « hub », issue 8): the booth's three hub calls.

Part of the composition root, like kiosk/app_admin.py: the booth screen calls the plain callables of
`UiContext` (`hub_cast_ballot`, `hub_voter_status`, `hub_election_result`) and this module runs each on a
thread of its own — a voter and the assessor are waiting, the Kivy thread never does — with a store
connection of that thread (the hub link and token) and sync_client/ballots.py's client, then hands the
answer back on the Kivy thread. Every failure becomes a code the booth can say; none is an exception.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from kiosk.config import Config

if TYPE_CHECKING:
    from screens.context import HubAnswer, HubDone
    from sync_client.ballots import RemoteBallotBox

log = logging.getLogger(__name__)


class HubBallots:
    def __init__(self, config: Config, run_on_ui: Callable[[Callable[[], None]], None]) -> None:
        self.config = config
        self._run_on_ui = run_on_ui

    def hub_cast_ballot(
        self, election_id: str, member_id: str, grades: Mapping[str, int | None], done: HubDone
    ) -> None:
        def call(box: RemoteBallotBox) -> HubAnswer:
            from screens.context import HubAnswer

            code = box.cast(election_id, member_id, dict(grades))
            return HubAnswer(code == "a_vote", code)

        self._spawn("kiosk-hub-ballot", call, done)

    def hub_voter_status(self, election_id: str, member_id: str, done: HubDone) -> None:
        def call(box: RemoteBallotBox) -> HubAnswer:
            from screens.context import HubAnswer

            code = box.voter_status(election_id, member_id)
            return HubAnswer(code in ("can_vote", "already_voted"), code)

        self._spawn("kiosk-hub-voter", call, done)

    def hub_election_result(self, election_id: str, done: HubDone) -> None:
        def call(box: RemoteBallotBox) -> HubAnswer:
            from screens.context import HubAnswer

            result = box.result(election_id)
            if isinstance(result, str):
                return HubAnswer(False, result)
            return HubAnswer(True, "result", result.model_dump())

        self._spawn("kiosk-hub-result", call, done)

    def _spawn(self, name: str, call: Callable[[RemoteBallotBox], HubAnswer], done: HubDone) -> None:
        threading.Thread(target=self._run, args=(call, done), name=name, daemon=True).start()

    def _run(self, call: Callable[[RemoteBallotBox], HubAnswer], done: HubDone) -> None:
        from screens.context import HubAnswer

        try:
            answer = self._call_with_box(call)
        except Exception:  # a store or network fault the client did not turn into a code: said calmly
            log.exception("hub election call failed")
            answer = HubAnswer(False, "hub_unavailable")
        self._run_on_ui(lambda: done(answer))

    def _call_with_box(self, call: Callable[[RemoteBallotBox], HubAnswer]) -> HubAnswer:
        from kiosk.store import Store
        from screens.context import HubAnswer
        from sync_client.ballots import RemoteBallotBox
        from sync_client.engine import read_link

        store = Store.open(self.config.database_path)  # a connection of this thread's own
        try:
            link = read_link(store.conn)
        finally:
            store.close()
        if link is None:
            return HubAnswer(False, "not_paired")
        box = RemoteBallotBox.for_link(link, self.config.hub.url or None, self.config.hub.ca_file or None)
        try:
            return call(box)
        finally:
            box.close()
