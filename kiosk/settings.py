"""The settings a librarian changes on the kiosk: site name, default language, inactivity delay, larger
text, printer, scanner device.

They are saved in `<data_dir>/settings.toml` (atomically: the old file or the new one, never half of one),
which `kiosk.config.load_config` applies on top of the site's configuration file at every start, so the
librarian's choices survive a restart while the installer's file stays untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from kiosk.config import PRINTER_KINDS, SETTINGS_FILE, Config
from kiosk.errors import ErrorKind, KioskError
from kiosk.i18n import LANGUAGES, N_
from kiosk.text import clean

SITE_NAME_MAX = 60
INACTIVITY_RANGE = (10, 3600)
_UNCHANGED = N_("Rien n’a été changé.")
SITE_NAME_INVALID = ErrorKind(
    "settings.site_name", N_("Le nom du lieu doit faire entre 1 et 60 caractères."), _UNCHANGED
)
LANGUAGE_INVALID = ErrorKind(
    "settings.language", N_("Choisissez le français ou l’anglais comme langue de la borne."), _UNCHANGED
)
INACTIVITY_INVALID = ErrorKind(
    "settings.inactivity",
    N_("Le délai d’inactivité doit être compris entre 10 secondes et une heure."),
    _UNCHANGED,
)
PRINTER_INVALID = ErrorKind("settings.printer", N_("Ce type d’imprimante est inconnu."), _UNCHANGED)
PRINTER_INCOMPLETE = ErrorKind(
    "settings.printer_incomplete",
    N_("Cette imprimante a besoin d’une adresse ou d’un périphérique que la configuration ne donne pas."),
    N_("Rien n’a été changé ; la personne qui installe la borne peut l’indiquer dans la configuration."),
)
SCANNER_INVALID = ErrorKind(
    "settings.scanner",
    N_("Le lecteur de QR codes doit être un périphérique de /dev/input (ou rester vide)."),
    _UNCHANGED,
)
SETTINGS_NOT_SAVED = ErrorKind(
    "settings.not_saved",
    N_("Les réglages n’ont pas pu être enregistrés ({detail})."),
    N_("Rien n’a été changé ; réessayez, ou prévenez la personne qui installe la borne."),
)


@dataclass(frozen=True)
class KioskSettings:
    site_name: str
    language: str
    inactivity_s: int
    larger_text: bool
    printer: str  # the printer kind: one of kiosk.config.PRINTER_KINDS
    scanner_device: str  # /dev/input/… of a USB QR scanner, "" for none


def current_settings(config: Config) -> KioskSettings:
    return KioskSettings(
        site_name=config.site.name,
        language=config.kiosk.language,
        inactivity_s=config.kiosk.inactivity_seconds,
        larger_text=config.kiosk.larger_text,
        printer=config.printer.kind,
        scanner_device=config.scanner.device,
    )


def validate(settings: KioskSettings, config: Config) -> KioskSettings:
    """The settings cleaned, or a KioskError that says which one is wrong and what it must be."""
    site_name = clean(settings.site_name)
    if not 1 <= len(site_name) <= SITE_NAME_MAX:
        raise KioskError(SITE_NAME_INVALID)
    if settings.language not in LANGUAGES:
        raise KioskError(LANGUAGE_INVALID)
    low, high = INACTIVITY_RANGE
    seconds = settings.inactivity_s
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not low <= seconds <= high:
        raise KioskError(INACTIVITY_INVALID)
    if settings.printer not in PRINTER_KINDS:
        raise KioskError(PRINTER_INVALID)
    if (settings.printer == "network" and not config.printer.host) or (
        settings.printer in ("file", "serial") and not config.printer.device
    ):
        raise KioskError(PRINTER_INCOMPLETE)
    device = settings.scanner_device.strip()
    if device and (not device.startswith("/dev/input/") or any(ch.isspace() for ch in device)):
        raise KioskError(SCANNER_INVALID)
    return replace(
        settings, site_name=site_name, scanner_device=device, larger_text=bool(settings.larger_text)
    )


def _toml_text(settings: KioskSettings) -> str:
    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string

    return (
        "# Réglages choisis sur la borne (espace bibliothécaire). Remplacé à chaque enregistrement.\n"
        "[kiosk]\n"
        f"language = {text(settings.language)}\n"
        f"inactivity_seconds = {settings.inactivity_s}\n"
        f"larger_text = {'true' if settings.larger_text else 'false'}\n"
        "\n[site]\n"
        f"name = {text(settings.site_name)}\n"
        "\n[printer]\n"
        f"kind = {text(settings.printer)}\n"
        "\n[scanner]\n"
        f"device = {text(settings.scanner_device)}\n"
    )


def save_settings(config: Config, settings: KioskSettings) -> Config:
    """Validate, write `<data_dir>/settings.toml` atomically, and return the configuration they give."""
    settings = validate(settings, config)
    folder = config.data_dir
    target = folder / SETTINGS_FILE
    temp = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temp = tempfile.mkstemp(prefix=f".{SETTINGS_FILE}.", suffix=".part", dir=folder)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(_toml_text(settings))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
        temp = ""
        _fsync_dir(folder)
    except OSError as error:
        raise KioskError(SETTINGS_NOT_SAVED, detail=error.strerror or str(error)) from None
    finally:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    return apply(config, settings)


def apply(config: Config, settings: KioskSettings) -> Config:
    """`config` with these settings in it (what `load_config` gives at the next start)."""
    return replace(
        config,
        kiosk=replace(
            config.kiosk,
            language=settings.language,
            inactivity_seconds=settings.inactivity_s,
            larger_text=settings.larger_text,
        ),
        site=replace(config.site, name=settings.site_name),
        printer=replace(config.printer, kind=settings.printer),
        scanner=replace(config.scanner, device=settings.scanner_device),
    )


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
