"""Settings from the librarian's screen: a bad scanner device is refused calmly (nothing saved); then a new
site name typed on the keyboard, English, 90 s and larger text are saved to settings.toml (read back by
load_config, as at the next start) and handed to the app to apply at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.config import load_config
from tests.ui import driver
from tests.ui.admin2_helpers import (
    clear_field,
    dismiss_message,
    go,
    look,
    message_shown,
    open_admin_session,
    type_on,
)


def test_settings_saved_and_applied_bad_values_refused(kivy_window: Any, tmp_path: Path) -> None:
    applied: list[Any] = []
    with driver.demo_context(tmp_path) as ctx, driver.shell_rig(kivy_window, ctx) as rig:
        ctx.apply_settings = applied.append
        open_admin_session(rig)
        screen = go(rig, "admin_settings")
        look(rig.shell, "admin_settings-fr")
        settings_file = ctx.config.data_dir / "settings.toml"

        # a scanner device that is not one: refused calmly, nothing written, nothing applied
        driver.bring_into_view(screen.ids.scanner_row)
        driver.tap(screen.ids.scanner_row.ids.setting_edit)
        assert screen.page == "typing"
        type_on(screen.ids.typed_keyboard, "usb scanner")
        driver.tap(screen.ids.typing_ok)
        driver.tap(screen.ids.save_button)
        assert "/dev/input" in message_shown(rig.shell)
        assert not settings_file.exists() and applied == []
        dismiss_message(rig.shell)
        driver.tap(screen.ids.scanner_row.ids.setting_edit)
        clear_field(screen.ids.typed_keyboard, screen.ids.typed_field)
        driver.tap(screen.ids.typing_ok)

        # the site's name, typed
        driver.bring_into_view(screen.ids.site_name_row)
        driver.tap(screen.ids.site_name_row.ids.setting_edit)
        clear_field(screen.ids.typed_keyboard, screen.ids.typed_field)
        type_on(screen.ids.typed_keyboard, "Médiathèque")
        driver.tap(screen.ids.typing_ok)
        assert screen.site_name == "Médiathèque"
        for chips, value in (
            ("language_chips", "en"),
            ("inactivity_chips", 90),
            ("larger_chips", True),
        ):
            chip = screen.ids[chips].chip_for(value)
            driver.bring_into_view(chip)
            driver.tap(chip)
        driver.tap(screen.ids.save_button)
        assert message_shown(rig.shell).startswith("Réglages enregistrés")

        [settings] = applied
        assert (settings.site_name, settings.language, settings.inactivity_s, settings.larger_text) == (
            "Médiathèque",
            "en",
            90,
            True,
        )
        assert ctx.config.kiosk.language == "en" and ctx.config.site.name == "Médiathèque"
        # the next start: the site's file, then the librarian's settings on top
        site_file = tmp_path / "kiosk.toml"
        site_file.write_text(f'[kiosk]\ndata_dir = "{ctx.config.data_dir}"\n', encoding="utf-8")
        again = load_config(site_file)
        assert (again.site.name, again.kiosk.language, again.kiosk.inactivity_seconds) == (
            "Médiathèque",
            "en",
            90,
        )
        assert again.kiosk.larger_text
