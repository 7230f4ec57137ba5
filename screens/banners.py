"""The banner strip at the top of every screen: what does not work right now, said calmly.

Three kinds, each shown at most once: the card reader ("reader"), the network ("sync"), the printer
("printer"). The shell decides when (from device and sync states); this module only holds the words and
shows them. Messages are French ids with {placeholders}, translated when shown and again on a language
switch. The strip takes no room when nothing is wrong. A banner is made once and kept when hidden: a
network that comes and goes costs a text change, not new widgets, and an unchanged text is not drawn
again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.i18n import N_, _

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

ORDER = ("reader", "sync", "printer")

READER_UNPLUGGED = N_("Lecteur de cartes débranché — les cartes ne sont pas lues pour l’instant")
SYNC_PENDING_ONE = N_("Hors ligne — 1 enregistrement en attente d’envoi, rien n’est perdu")
SYNC_PENDING_MANY = N_("Hors ligne — {count} enregistrements en attente d’envoi, rien n’est perdu")
SYNC_OFFLINE = N_("Hors ligne pour l’instant — tout ce qui est enregistré ici est gardé")
SYNC_STOPPED = N_("La borne n’est plus reliée au réseau du collectif — prévenez un·e bibliothécaire")
PRINTER_MESSAGES = {
    "paper_out": N_("Imprimante sans papier — les reçus restent affichés à l’écran"),
    "offline": N_("L’imprimante ne répond pas — les reçus restent affichés à l’écran"),
}


def sync_pending_message(pending: int) -> str:
    return SYNC_PENDING_ONE if pending == 1 else SYNC_PENDING_MANY


class Banner(Label):  # type: ignore[misc]  # Kivy is untyped
    key = StringProperty("")


class BannerStrip(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._messages: dict[str, tuple[str, dict[str, Any]]] = {}
        self._banners: dict[str, Banner] = {}  # shown
        self._kept: dict[str, Banner] = {}  # every banner made, shown or not

    def show(self, key: str, message: str, **params: Any) -> None:
        """Show (or update) banner `key` with the French message id `message`."""
        self._messages[key] = (message, params)
        banner = self._banners.get(key)
        if banner is None:
            banner = self._kept.get(key) or Banner(key=key)
            self._kept[key] = self._banners[key] = banner
            self._place(key, banner)
        banner.text = _(message).format(**params)

    def hide(self, key: str) -> None:
        self._messages.pop(key, None)
        banner = self._banners.pop(key, None)
        if banner is not None:
            self.remove_widget(banner)

    def shown(self) -> dict[str, str]:
        """key → the text on screen now."""
        return {key: banner.text for key, banner in self._banners.items()}

    def refresh_language(self) -> None:
        for key, (message, params) in self._messages.items():
            self._banners[key].text = _(message).format(**params)

    def _place(self, key: str, banner: Banner) -> None:
        # BoxLayout draws children[-1] at the top: a banner goes below those that come before it in ORDER
        below = sum(1 for other in self._banners if other != key and _rank(other) > _rank(key))
        self.add_widget(banner, index=below)


def _rank(key: str) -> int:
    return ORDER.index(key) if key in ORDER else len(ORDER)
