"""A printer chosen in the librarian's settings works at once: the app's devices swap the printer (and the
scanner) without a restart. Real parts: the simulated ESC/POS printer writing its slips to a folder (the
same one the demo uses), a real PrinterWorker thread."""

from __future__ import annotations

import queue
from dataclasses import replace
from pathlib import Path

from hardware.devices import Devices, replace_printer_and_scanner
from hardware.events import PrintFinished
from hardware.receipts import Qr, Slip, Text
from kiosk.config import load_config, with_data_dir


def test_the_printer_follows_the_settings_without_a_restart(tmp_path: Path) -> None:
    config = with_data_dir(load_config(None), tmp_path)
    events: queue.Queue[object] = queue.Queue()
    devices = Devices(started=True)
    try:
        assert config.printer.kind == "none"
        replace_printer_and_scanner(devices, config, events, demo=False)
        assert devices.printer is None  # none configured: the screens hide their Print buttons

        chosen = replace(
            config, printer=replace(config.printer, kind="simulated", folder=str(tmp_path / "out"))
        )
        replace_printer_and_scanner(devices, chosen, events, demo=False)
        worker = devices.printer
        assert worker is not None and worker.running
        job = worker.submit(Slip("receipt", (Text("Atelier vélo, 1 h"), Qr("KDS1.test"))))
        done = events.get(timeout=10)
        while not isinstance(done, PrintFinished):  # the worker also reports its status first
            done = events.get(timeout=10)
        assert done.job_id == job and done.ok, done
        assert any((tmp_path / "out").iterdir())  # the slip was printed, to the folder

        replace_printer_and_scanner(devices, config, events, demo=False)  # back to none
        assert devices.printer is None and not worker.running
    finally:
        devices.stop()
