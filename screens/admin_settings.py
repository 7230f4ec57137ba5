"""« Réglages de la borne »: site name, default language, inactivity delay, larger text, printer, scanner.

Choices are chips (nothing to type wrong); the site name and the scanner's device are typed on the
on-screen keyboard. « Enregistrer » goes through `kiosk.settings.save_settings` (which validates, writes
`settings.toml` for the next start, and returns the new configuration); the screen then hands the new
settings to `ctx.apply_settings` so the app applies them at once. A value the core refuses is said
calmly and nothing is changed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from screens.admin_widgets import AdminScreen

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

INACTIVITY_CHOICES = (30, 45, 60, 90, 120)
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}  # each in its own language
PRINTER_LABELS = {
    "none": N_("Aucune"),
    "usb": N_("USB"),
    "network": N_("Réseau"),
    "file": N_("Fichier (/dev/usb/lp0)"),
    "serial": N_("Série"),
    "simulated": N_("Simulée (démo)"),
}
TYPED_FIELDS = ("site_name", "scanner_device")
FIELD_MAX = {"site_name": 60, "scanner_device": 200}


class SettingValueRow(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """A typed setting's value and its « Modifier » button (`on_edit`)."""

    value = StringProperty("")

    __events__ = ("on_edit",)

    def on_edit(self) -> None:
        """Default handler: the screen binds `on_edit`."""


class AdminSettingsScreen(AdminScreen):
    personal = False
    page = StringProperty("form")  # form | typing
    typing_what = StringProperty("site_name")
    site_name = StringProperty("")
    scanner_device = StringProperty("")
    language_choices = ListProperty([])
    inactivity_choices = ListProperty([])
    larger_choices = ListProperty([])
    printer_choices = ListProperty([])

    def fill(self, **_params: Any) -> None:
        from kiosk.settings import current_settings

        settings = current_settings(self.ctx.config)
        self.site_name = settings.site_name
        self.scanner_device = settings.scanner_device
        self.refresh_language()
        ids = self.ids
        ids.language_chips.selected = [settings.language]
        ids.inactivity_chips.selected = [settings.inactivity_s]
        ids.larger_chips.selected = [settings.larger_text]
        ids.printer_chips.selected = [settings.printer]
        self._show("form")

    def refresh_language(self) -> None:
        config = self.ctx.config
        self.language_choices = list(LANGUAGE_NAMES.items())
        seconds = sorted({*INACTIVITY_CHOICES, config.kiosk.inactivity_seconds})
        self.inactivity_choices = [(value, _("{count} s").format(count=value)) for value in seconds]
        self.larger_choices = [(False, _("Normal")), (True, _("Plus grand"))]
        kinds = [kind for kind in PRINTER_LABELS if self._printer_possible(kind)]
        self.printer_choices = [(kind, _(PRINTER_LABELS[kind])) for kind in kinds]

    def _printer_possible(self, kind: str) -> bool:
        """Only kinds the installer's configuration can drive (an address, a device) are offered."""
        printer = self.ctx.config.printer
        if kind == "network":
            return bool(printer.host) or printer.kind == kind
        if kind in ("file", "serial"):
            return bool(printer.device) or printer.kind == kind
        if kind == "simulated":
            return self.ctx.demo or printer.kind == kind
        return True

    # --- typing a name or a device -------------------------------------------------------------------

    def edit(self, what: str) -> None:
        self.typing_what = what
        field = self.ids.typed_field
        field.max_chars = FIELD_MAX[what]
        field.text = self.site_name if what == "site_name" else self.scanner_device
        self.ids.typed_keyboard.target = field
        self._show("typing")

    def typed_done(self) -> None:
        text = self.ids.typed_field.text.strip()
        if self.typing_what == "site_name":
            self.site_name = text
        else:
            self.scanner_device = text
        self._show("form")

    def typing_back(self) -> None:
        self._show("form")

    # --- saving --------------------------------------------------------------------------------------

    def chosen(self, chips_id: str, default: Any) -> Any:
        selected = self.ids[chips_id].selected
        return selected[0] if selected else default

    def save(self) -> None:
        from kiosk.settings import current_settings, save_settings

        current = current_settings(self.ctx.config)
        wanted = replace(
            current,
            site_name=self.site_name,
            language=self.chosen("language_chips", current.language),
            inactivity_s=int(self.chosen("inactivity_chips", current.inactivity_s)),
            larger_text=bool(self.chosen("larger_chips", current.larger_text)),
            printer=self.chosen("printer_chips", current.printer),
            scanner_device=self.scanner_device,
        )
        try:
            config = save_settings(self.ctx.config, wanted)
        except KioskError as error:
            self.shell.notify(error.text(), "error")
            return
        self.ctx.config = config
        saved = current_settings(config)
        self.ctx.apply_settings(saved)
        self.site_name, self.scanner_device = saved.site_name, saved.scanner_device
        self.shell.notify(_("Réglages enregistrés : ils s’appliquent dès maintenant."), "success")

    def _show(self, page: str) -> None:
        self.page = page
        self.ids.pages.current = page
