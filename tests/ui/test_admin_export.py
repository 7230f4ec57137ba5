"""Export from the librarian's screen: a quick range chosen by a touch, the dates moved with the steppers,
« Exporter », and the CSV read back (French Excel: BOM, `;`, CRLF) — as many rows as the screen says."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from tests.ui import driver
from tests.ui.admin2_helpers import go, look, open_admin_session


def test_export_this_year_then_read_the_file_back(kivy_window: Any, tmp_path: Path) -> None:
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        open_admin_session(rig)
        screen = go(rig, "admin_export")
        assert (screen.start, screen.end) == (date(2026, 11, 1), date(2026, 11, 30))  # « Ce mois-ci »
        driver.tap(screen.ids.quick.chip_for("last_month"))
        assert (screen.start, screen.end) == (date(2026, 10, 1), date(2026, 10, 31))
        driver.tap(screen.ids.start_stepper.ids.big_minus)  # one month earlier: from 1 September
        driver.tap(screen.ids.end_stepper.ids.plus)  # one day more: to 1 November
        assert (screen.start, screen.end) == (date(2026, 9, 1), date(2026, 11, 1))
        assert screen.ids.quick.selected == []
        assert screen.start_text == "1 septembre 2026"
        driver.tap(screen.ids.quick.chip_for("this_year"))
        driver.tap(screen.ids.export_button)

        result = screen.last_result
        assert result is not None and result.path.is_file()
        if not result.on_usb:  # no USB stick on a test machine: the kiosk's data folder
            assert result.path.parent == ctx.data_dir / "exports"
        raw = result.path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert len(rows) - 1 == result.rows > 0  # a header, then one row per exchange
        assert f"{result.rows} échanges exportés." in screen.ids.result.text
        assert str(result.path.name) in screen.ids.result.text
        look(rig.shell, "admin_export-done-fr")
