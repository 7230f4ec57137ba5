"""`kiosk doctor` checks for the printer and the QR scanner, as `(name, status, message)` tuples.

Same shape as `hardware.nfc_doctor`: status is "ok", "warn" or "fail". Nothing is printed on paper; the
printer is only asked for its paper status. Each check returns within the printer's configured timeout.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

from hardware.hid_scanner import list_input_devices
from hardware.printer import PrinterSettings, PrinterState, make_printer
from kiosk.config import Config

OK, WARN, FAIL = "ok", "warn", "fail"
Check = tuple[str, str, str]

_PRINTER_MESSAGES: dict[PrinterState, Check] = {
    PrinterState.READY: ("imprimante", OK, "prête."),
    PrinterState.PAPER_LOW: ("imprimante", WARN, "le rouleau touche à sa fin : prévoyez-en un neuf."),
    PrinterState.PAPER_OUT: ("imprimante", FAIL, "plus de papier : mettez un rouleau neuf."),
    PrinterState.OFFLINE: (
        "imprimante",
        FAIL,
        "elle ne répond pas : vérifiez qu’elle est allumée, branchée, capot fermé "
        "(les reçus restent affichés à l’écran en attendant).",
    ),
}


def printer_settings(config: Config) -> PrinterSettings:
    values = asdict(config.printer)
    if config.printer.kind == "simulated" and not config.printer.folder:
        values["folder"] = str(config.data_dir / "printed")
    return PrinterSettings.from_mapping(values)


def printer_check(config: Config) -> Check:
    printer = make_printer(printer_settings(config))
    if printer is None:
        return ("imprimante", OK, "aucune configurée : les QR codes s’affichent à l’écran.")
    return _PRINTER_MESSAGES.get(
        printer.check(), ("imprimante", FAIL, "état inconnu : vérifiez la section [printer].")
    )


def scanner_check(config: Config) -> Check:
    device = config.scanner.device
    if not device:
        return (
            "lecteur de QR",
            OK,
            "aucun configuré : un lecteur USB « clavier » marche quand même, ou la caméra si activée.",
        )
    if not Path(device).exists():
        return ("lecteur de QR", FAIL, f"{device} introuvable : branchez le lecteur ou corrigez [scanner].")
    if not os.access(device, os.R_OK):
        return (
            "lecteur de QR",
            FAIL,
            f"{device} n’est pas lisible : ajoutez l’utilisateur de la borne au groupe « input ».",
        )
    names = dict(list_input_devices())
    real = os.path.realpath(device)
    name = names.get(device) or names.get(real) or "périphérique d’entrée"
    return ("lecteur de QR", OK, f"{name} ({device}).")
