"""« Maintenance »: leave the kiosk for the desktop (an update, a printer to set up), without stopping it.

`ctx.leave_kiosk()` is the app's: it leaves fullscreen and shows the desktop while the kiosk keeps
running (the sync goes on, nothing is lost). The screen says beforehand how to come back — the admin card
and the PIN bring the kiosk back, no restart — and the admin session ends as the kiosk leaves, so
nobody finds it open when the kiosk comes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder

from screens.admin_widgets import AdminScreen

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)


class AdminMaintenanceScreen(AdminScreen):
    personal = False

    def fill(self, **_params: Any) -> None:
        """Nothing to fill: the screen only explains."""

    def leave(self) -> None:
        self.ctx.leave_kiosk()
        self.shell.end_session()
