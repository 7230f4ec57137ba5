"""`kiosk doctor` checks for the printer, the QR scanner, the display, the touchscreen and a card read,
as `(name, status, message)` tuples.

Same shape as `hardware.nfc_doctor`: status is "ok", "warn" or "fail". Nothing is printed on paper; the
printer is only asked for its paper status. Each check returns within the printer's configured timeout.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.card_wait import first_card_event
from hardware.events import CardReadError, CardRefused, CardTapped
from hardware.hid_scanner import list_input_devices
from hardware.printer import PrinterSettings, PrinterState, make_printer
from kiosk.config import Config

if TYPE_CHECKING:
    from hardware.ports import NfcReader

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


# --- display and touch (read from sysfs; the roots are parameters so tests use fake trees) ----------

SYS_ROOT_ENV = "KIOSK_SYS_ROOT"  # tests, and a chroot with its own /sys, point these elsewhere
DEV_ROOT_ENV = "KIOSK_DEV_ROOT"
ABS_X, ABS_MT_POSITION_X = 0x00, 0x35
INPUT_PROP_DIRECT = 0x01  # a touchscreen (as opposed to a touchpad or a tablet)


def system_roots(environ: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    environ = os.environ if environ is None else environ
    return Path(environ.get(SYS_ROOT_ENV) or "/sys"), Path(environ.get(DEV_ROOT_ENV) or "/dev")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _bits(text: str) -> int:
    """A sysfs bitmap as an int: hex words, most significant first, one per kernel `long`. A 64-bit
    kernel prints the 64 ABS bits as one word, a 32-bit one as two words of at most 8 digits."""
    words = text.split()
    size = 32 if len(words) > 1 and all(len(word) <= 8 for word in words) else 64
    value = 0
    for word in words:
        try:
            value = (value << size) | int(word, 16)
        except ValueError:
            return 0
    return value


def display_check(sys_root: Path, dev_root: Path, environ: Mapping[str, str]) -> Check:
    """A screen on a KMS connector (DSI or HDMI) the kiosk user may drive, or a graphical session."""
    session = environ.get("WAYLAND_DISPLAY") or environ.get("DISPLAY")
    connectors = sorted((sys_root / "class" / "drm").glob("card*-*"))
    connected = [path.name for path in connectors if _read(path / "status") == "connected"]
    if session:
        return (
            "écran",
            OK,
            f"session graphique {session}" + (f" ({', '.join(connected)})." if connected else "."),
        )
    if not connectors:
        return (
            "écran",
            FAIL,
            "aucune sortie vidéo KMS : ajoutez « dtoverlay=vc4-kms-v3d » dans /boot/firmware/config.txt, "
            "puis redémarrez.",
        )
    if not connected:
        return (
            "écran",
            FAIL,
            "aucun écran branché : vérifiez la nappe (DSI) ou le câble HDMI, et l’alimentation de l’écran.",
        )
    card = connected[0].split("-", 1)[0]
    device = dev_root / "dri" / card
    if not os.access(device, os.R_OK | os.W_OK):
        return (
            "écran",
            FAIL,
            f"{device} n’est pas accessible : ajoutez l’utilisateur de la borne aux groupes « video » et "
            "« render », puis redémarrez.",
        )
    names = ", ".join(name.split("-", 1)[1] for name in connected)
    return ("écran", OK, f"branché sur {names} (KMS, {device}).")


def touch_check(sys_root: Path, dev_root: Path) -> Check:
    """A touchscreen among the input devices, readable by the kiosk user."""
    found: list[tuple[str, Path]] = []
    for event in sorted((sys_root / "class" / "input").glob("event*")):
        device = event / "device"
        axes = _bits(_read(device / "capabilities" / "abs"))
        direct = _bits(_read(device / "properties")) >> INPUT_PROP_DIRECT & 1
        if direct and (axes >> ABS_MT_POSITION_X & 1 or axes >> ABS_X & 1):
            found.append((_read(device / "name") or event.name, dev_root / "input" / event.name))
    if not found:
        return (
            "écran tactile",
            FAIL,
            "aucun écran tactile détecté : vérifiez la nappe de l’écran officiel, ou le câble USB du "
            "tactile d’un écran HDMI, puis redémarrez.",
        )
    readable = [(name, path) for name, path in found if os.access(path, os.R_OK)]
    if not readable:
        name, path = found[0]
        return (
            "écran tactile",
            FAIL,
            f"{name} ({path}) n’est pas lisible : ajoutez l’utilisateur de la borne au groupe « input ».",
        )
    return ("écran tactile", OK, ", ".join(f"{name} ({path})" for name, path in readable) + ".")


# --- a card read, end to end (reader monitor, pcscd, the card) ----------------------------------------

CARD_QUICK_LOOK = 2.0  # without --card: a card already lying on the reader is read, nobody waits


def card_read_check(
    make_reader: Callable[[queue.Queue[object]], NfcReader], wait: float, asked: bool
) -> Check:
    """Start a reader monitor and wait up to `wait` s for a card. `asked`: the person is putting one."""
    event = first_card_event(make_reader, wait)
    if isinstance(event, CardTapped):
        return ("lecture de carte", OK, f"carte lue sur « {event.reader} » ({event.atr_kind.value}).")
    if isinstance(event, CardRefused):
        return (
            "lecture de carte",
            OK,
            f"lecture réussie sur « {event.reader} », mais c’est un identifiant aléatoire "
            "(un téléphone) : pour la borne, utilisez une carte.",
        )
    if isinstance(event, CardReadError):
        return (
            "lecture de carte",
            FAIL,
            f"la carte n’a pas pu être lue ({event.code}) : posez-la bien à plat au centre du "
            "lecteur ; si cela se répète, essayez une autre carte ou un autre lecteur.",
        )
    if asked:
        return (
            "lecture de carte",
            FAIL,
            f"aucune carte lue en {wait:g} s : posez une carte au centre du lecteur pendant le test "
            "(« kiosk doctor --card »).",
        )
    return ("lecture de carte", OK, "non testée : posez une carte et lancez « kiosk doctor --card ».")
