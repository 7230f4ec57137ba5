"""Errors anywhere in Kivy's event loop: logged, and the kiosk goes back to Accueil with a calm message.

Kivy's default is to close the app (or, with a bare handler, to go on with a screen half updated). The app
(kiosk/app.py) installs one `RecoveryHandler` for its shell; tests install their own around a scenario.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kivy.base import ExceptionHandler, ExceptionManager

if TYPE_CHECKING:
    from screens.shell import Shell

log = logging.getLogger(__name__)


class RecoveryHandler(ExceptionHandler):  # type: ignore[misc]  # Kivy is untyped
    """Kivy's ExceptionManager hook: an error anywhere in the event loop is logged and the kiosk goes
    back to Accueil with a calm message, instead of closing (Kivy's default) or freezing."""

    def __init__(self, shell: Shell) -> None:
        super().__init__()
        self.shell = shell

    def handle_exception(self, inst: BaseException) -> int:
        if isinstance(inst, KeyboardInterrupt | SystemExit):
            return ExceptionManager.RAISE  # type: ignore[no-any-return]
        log.error("unexpected error in the kiosk UI", exc_info=inst)
        try:
            self.shell.recover()
        except Exception:
            log.exception("recovery failed")
        return ExceptionManager.PASS  # type: ignore[no-any-return]

    def install(self) -> None:
        ExceptionManager.add_handler(self)

    def remove(self) -> None:
        ExceptionManager.remove_handler(self)
