"""A card this kiosk does not know, asked of the hub (issue 9): part of the composition root, like
kiosk/app_ballots.py.

The shell calls `UiContext.look_up_card(uid_hash, done)` on the Kivy thread. When the kiosk is paired and
its sync worker has not said the hub is out of reach, the hub is asked on a thread of its own (a visitor
is waiting, the Kivy thread never does) with short timeouts, through sync_client/network.py; the answer
comes back on the Kivy thread through `run_on_ui`. Offline, unpaired or revoked, `done` is called at once:
the shell then records the tap as an unknown card, as before, and the hub resolves it later. Every failure
is a code, never an exception.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.services import Services

if TYPE_CHECKING:
    from screens.context import HubAnswer, HubDone
    from sync_client.engine import HubLink
    from sync_client.worker import SyncStatus

log = logging.getLogger(__name__)

# The visitor stands in front of the kiosk: a hub that does not answer quickly is treated as away (the
# shell gives up after screens/visitor.py's LOOK_UP_PATIENCE_S anyway).
CONNECT_TIMEOUT_S = 1.5
READ_TIMEOUT_S = 2.5
# What the sync worker last said when the hub cannot be reached or will not answer this kiosk.
OUT_OF_REACH = frozenset({"offline", "revoked", "not_paired"})


class CardLookUps:
    def __init__(
        self,
        config: Config,
        services: Services,
        run_on_ui: Callable[[Callable[[], None]], None],
        sync_status: Callable[[], SyncStatus | None],
    ) -> None:
        self.config = config
        self.services = services
        self._run_on_ui = run_on_ui
        self._sync_status = sync_status

    def look_up_card(self, uid_hash: str, done: HubDone) -> None:
        from screens.context import HubAnswer
        from sync_client.engine import read_link

        link = read_link(self.services.store.conn)  # one row, on the Kivy thread's own connection
        if link is None:
            done(HubAnswer(False, "not_paired"))
            return
        status = self._sync_status()
        if status is not None and status.state.value in OUT_OF_REACH:
            done(HubAnswer(False, status.state.value))
            return
        threading.Thread(
            target=self._run, args=(link, uid_hash, done), name="kiosk-hub-card", daemon=True
        ).start()

    def _run(self, link: HubLink, uid_hash: str, done: HubDone) -> None:
        from screens.context import HubAnswer

        try:
            answer = self._ask(link, uid_hash)
        except Exception:  # a fault the client did not turn into a code: the tap is an unknown card
            log.exception("card look-up on the hub failed")
            answer = HubAnswer(False, "hub_unavailable")
        self._run_on_ui(lambda: done(answer))

    def _ask(self, link: HubLink, uid_hash: str) -> HubAnswer:
        from screens.context import HubAnswer
        from sync_client.network import NetworkDirectory

        hub = self.config.hub
        directory = NetworkDirectory(
            hub.url or link.hub_url,
            link.token,
            hub.ca_file or None,
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
        )
        try:
            found = directory.card(uid_hash)
        finally:
            directory.close()
        if found.found is None:
            return HubAnswer(False, found.code)
        return HubAnswer(True, "member", found.found.model_dump())
