"""Typed configuration: shipped defaults (`defaults.toml`) + one site override file.

A wrong file is refused as a whole with a sentence that names the file, the key and what is expected,
so the kiosk never starts half-configured.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError, codes
from kiosk.i18n import LANGUAGES
from kiosk.paths import default_data_dir

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
SYSTEM_CONFIG = Path("/etc/kiosque-des-savoirs/kiosk.toml")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class KioskSection:
    name: str
    language: str
    data_dir: str
    timezone: str
    inactivity_seconds: int
    larger_text: bool


@dataclass(frozen=True)
class CollectiveSection:
    id: str
    name: str


@dataclass(frozen=True)
class SiteSection:
    id: str
    name: str
    quartier: str


@dataclass(frozen=True)
class SecuritySection:
    card_key: str
    admin_pin_attempts: int


@dataclass(frozen=True)
class HubSection:
    url: str
    ca_file: str


@dataclass(frozen=True)
class NfcSection:
    enabled: bool
    feedback: bool  # ACR122U beep/LED on each tap


@dataclass(frozen=True)
class PrinterSection:
    kind: str  # none, network, file, usb, serial, simulated
    paper_mm: int
    host: str
    port: int
    device: str
    usb_vendor: int
    usb_product: int
    baudrate: int
    codepage: str
    timeout_s: int
    folder: str


@dataclass(frozen=True)
class ScannerSection:
    device: str
    layout: str
    camera: bool


@dataclass(frozen=True)
class LinksSection:
    base_url: str


@dataclass(frozen=True)
class Config:
    kiosk: KioskSection
    collective: CollectiveSection
    site: SiteSection
    security: SecuritySection
    hub: HubSection
    nfc: NfcSection
    printer: PrinterSection
    scanner: ScannerSection
    links: LinksSection
    source: str = "defaults"

    @property
    def data_dir(self) -> Path:
        return Path(self.kiosk.data_dir) if self.kiosk.data_dir else default_data_dir()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "kiosk.sqlite3"

    def card_key_bytes(self) -> bytes | None:
        return bytes.fromhex(self.security.card_key) if self.security.card_key else None


_SECTIONS: dict[str, type[Any]] = {
    "kiosk": KioskSection,
    "collective": CollectiveSection,
    "site": SiteSection,
    "security": SecuritySection,
    "hub": HubSection,
    "nfc": NfcSection,
    "printer": PrinterSection,
    "scanner": ScannerSection,
    "links": LinksSection,
}
PRINTER_KINDS = ("none", "network", "file", "usb", "serial", "simulated")
SCANNER_LAYOUTS = ("fr", "us")


def _type_name(expected: type[Any]) -> str:
    return {
        str: "un texte entre guillemets",
        int: "un nombre entier",
        bool: "true ou false",
    }.get(expected, expected.__name__)


def _check_values(section: str, values: dict[str, Any], fail: Any) -> None:
    """Rules beyond the types: the ones a person can get wrong in a site file."""
    if section == "kiosk":
        if values["language"] not in LANGUAGES:
            fail(f"{section}.language", f"l’une des langues {', '.join(LANGUAGES)}")
        if not 10 <= values["inactivity_seconds"] <= 3600:
            fail(f"{section}.inactivity_seconds", "un nombre de secondes entre 10 et 3600")
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            fail(f"{section}.timezone", 'un fuseau horaire comme "Europe/Paris"')
    if section in ("collective", "site") and not _SLUG.match(values["id"]):
        fail(f"{section}.id", "un identifiant en minuscules sans espace (lettres, chiffres, - . _)")
    if section in ("collective", "site") and not values["name"].strip():
        fail(f"{section}.name", "un nom non vide")
    if section == "security":
        if values["card_key"] and not _HEX_KEY.match(values["card_key"]):
            fail(f"{section}.card_key", "64 caractères hexadécimaux (ou vide)")
        if not 1 <= values["admin_pin_attempts"] <= 20:
            fail(f"{section}.admin_pin_attempts", "un nombre entre 1 et 20")
    if section == "printer":
        if values["kind"] not in PRINTER_KINDS:
            fail(f"{section}.kind", "l’un de " + ", ".join(PRINTER_KINDS))
        if values["paper_mm"] not in (58, 80):
            fail(f"{section}.paper_mm", "58 ou 80 (largeur du papier en mm)")
        if not 1 <= values["port"] <= 65535:
            fail(f"{section}.port", "un port TCP entre 1 et 65535")
        if not 1 <= values["timeout_s"] <= 60:
            fail(f"{section}.timeout_s", "un nombre de secondes entre 1 et 60")
        if values["kind"] == "network" and not values["host"]:
            fail(f"{section}.host", "l’adresse de l’imprimante réseau")
        if values["kind"] in ("file", "serial") and not values["device"]:
            fail(f"{section}.device", "le chemin du périphérique (par exemple /dev/usb/lp0)")
    if section == "scanner" and values["layout"] not in SCANNER_LAYOUTS:
        fail(f"{section}.layout", '"fr" (AZERTY) ou "us" (QWERTY)')
    if (
        section == "links"
        and values["base_url"]
        and not values["base_url"].startswith(("https://", "http://"))
    ):
        fail(f"{section}.base_url", "une adresse qui commence par https:// (ou vide)")
    if section == "hub":
        if values["url"] and not values["url"].startswith(("https://", "http://")):
            fail(f"{section}.url", "une adresse qui commence par https:// (ou vide)")
        if values["ca_file"] and not Path(values["ca_file"]).is_file():
            fail(f"{section}.ca_file", "le chemin d’un fichier PEM existant (ou vide)")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in base.items()}
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _build(raw: dict[str, Any], source: str) -> Config:
    def fail(key: str, expected: str) -> None:
        raise KioskError(codes.CONFIG_INVALID, path=source, detail=f"la clé « {key} » doit être {expected}.")

    for name, value in raw.items():
        if name not in _SECTIONS:
            known = ", ".join(f"[{s}]" for s in _SECTIONS)
            fail(name, f"l’une des sections connues ({known})")
        if not isinstance(value, dict):
            fail(name, "une section [" + name + "]")

    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        given = raw.get(name, {})
        expected = {f.name: f.type for f in fields(cls)}
        for key in given:
            if key not in expected:
                fail(
                    f"{name}.{key}",
                    "absente : clé inconnue (attendu : " + ", ".join(expected) + ")",
                )
        values: dict[str, Any] = {}
        for key, type_name in expected.items():
            python_type = {"str": str, "int": int, "bool": bool}[str(type_name)]
            if key not in given:
                fail(f"{name}.{key}", "présente")
            value = given[key]
            if isinstance(value, bool) and python_type is not bool:
                fail(f"{name}.{key}", _type_name(python_type))
            if not isinstance(value, python_type):
                fail(f"{name}.{key}", _type_name(python_type))
            values[key] = value
        _check_values(name, values, fail)
        sections[name] = cls(**values)
    return Config(source=source, **sections)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise KioskError(codes.CONFIG_MISSING, path=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise KioskError(
            codes.CONFIG_INVALID, path=str(path), detail=f"syntaxe TOML incorrecte ({error})."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise KioskError(
            codes.CONFIG_INVALID, path=str(path), detail=f"fichier illisible ({error})."
        ) from None


def load_config(path: Path | str | None = None) -> Config:
    """Defaults, overridden by `path`, else $KIOSK_CONFIG, else the system file when it exists; then the
    librarian's settings (`<data_dir>/settings.toml`, written by `kiosk.settings`) on top."""
    defaults = _read_toml(DEFAULTS_PATH)
    if path is None:
        env = os.environ.get("KIOSK_CONFIG")
        path = Path(env) if env else (SYSTEM_CONFIG if SYSTEM_CONFIG.is_file() else None)
    if path is None:
        raw, source = defaults, "defaults"
    else:
        raw, source = _merge(defaults, _read_toml(Path(path))), str(path)
    config = _build(raw, source)
    saved = config.data_dir / SETTINGS_FILE
    if not saved.is_file():
        return config
    override = _read_toml(saved)
    _check_settings_keys(override, str(saved))
    return _build(_merge(raw, override), str(saved))


# What the librarian may change from the kiosk (`kiosk.settings`): nothing else is read from settings.toml.
SETTINGS_FILE = "settings.toml"
SETTINGS_KEYS: dict[str, tuple[str, ...]] = {
    "kiosk": ("language", "inactivity_seconds", "larger_text"),
    "site": ("name",),
    "printer": ("kind",),
    "scanner": ("device",),
}


def _check_settings_keys(raw: dict[str, Any], source: str) -> None:
    for section, values in raw.items():
        allowed = SETTINGS_KEYS.get(section, ())
        for key in values if isinstance(values, dict) else [""]:
            if key not in allowed:
                raise KioskError(
                    codes.CONFIG_INVALID,
                    path=source,
                    detail=f"la clé « {section}.{key} » ne se règle pas depuis la borne.",
                )


def with_data_dir(config: Config, data_dir: Path) -> Config:
    return replace(config, kiosk=replace(config.kiosk, data_dir=str(data_dir)))
