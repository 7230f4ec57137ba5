"""« Appairer la borne au hub »: the hub's address, then the pairing code, typed on the on-screen keyboard —
or the pairing QR shown to the scanner — then the pairing itself, off the Kivy thread.

`ctx.pair_with_hub(url, code, done)` does the network part (the app runs it on a thread and calls `done`
back on the Kivy thread); meanwhile the screen says « Appairage en cours… » and nothing can be tapped
twice. The outcome is said in plain words in the kiosk's language (from the hub's error code).

A scanned QR does not identify anyone, so it does not come through `on_identified`: the shell hands raw
scanned text to `on_scanned_text(text)` first (see the lead's hook), and this screen takes a pairing
payload — the bare code of `kiosk-hub pairing-code`, or a link `https://hub…/?code=ABCDE-FGHJK` that also
gives the address.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import N_, _
from screens.admin_widgets import AdminScreen
from screens.context import PairOutcome
from screens.sounds import REFUSAL, SUCCESS

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # sync_client.protocol.PAIRING_CODE_ALPHABET
CODE_LENGTH = 10
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")

FAILURES = {
    "pairing_code_invalid": N_(
        "Ce code n’est pas reconnu par le hub. Vérifiez-le, ou demandez-en un nouveau."
    ),
    "pairing_code_used": N_("Ce code a déjà servi. Demandez un nouveau code à l’équipe du hub."),
    "pairing_code_expired": N_("Ce code a expiré (il vaut 15 minutes). Demandez-en un nouveau."),
    "too_many_attempts": N_("Trop d’essais d’affilée : patientez quelques minutes, puis réessayez."),
    "card_key_mismatch": N_(
        "Le hub refuse : les cartes déjà enrôlées ici ne seraient plus reconnues dans ce réseau."
        " Contactez l’équipe du hub."
    ),
    "already_paired": N_("Cette borne est déjà appairée à un hub."),
    "kiosk_exists": N_("Cette borne est déjà connue du hub. Contactez l’équipe du hub."),
    "bad_url": N_("Cette adresse n’est pas acceptée : elle doit commencer par https://"),
    "unavailable": N_("Le hub ne répond pas. Vérifiez l’adresse et le réseau, puis réessayez."),
    "unsupported": N_("Cette borne ne peut pas être appairée d’ici."),
}
UNREACHABLE = N_("Le hub ne répond pas. Vérifiez l’adresse et le réseau, puis réessayez.")


def normalise_code(text: str) -> str:
    """As typed: case, spaces and dashes do not matter (sync_client.protocol.normalise_code)."""
    return re.sub(r"[\s-]", "", text).upper()


def code_looks_right(text: str) -> bool:
    return bool(_CODE.match(normalise_code(text)))


def parse_pairing_payload(text: str) -> tuple[str, str] | None:
    """(hub address or "", code) from a scanned pairing QR; None when it is not one (a member pass…)."""
    text = text.strip()
    if code_looks_right(text):
        return "", normalise_code(text)
    parts = urlsplit(text)
    if parts.scheme in ("https", "http") and parts.hostname:
        codes = parse_qs(parts.query).get("code") or parse_qs(parts.query).get("pair") or []
        if codes and code_looks_right(codes[0]):
            path = parts.path.rstrip("/")
            return f"{parts.scheme}://{parts.netloc}{path}", normalise_code(codes[0])
    return None


def failure_text(outcome: PairOutcome) -> str:
    message = FAILURES.get(outcome.code)
    if message is not None:
        return _(message)
    if outcome.code.startswith("http_5") or outcome.code in ("network", "timeout", "internal"):
        return _(UNREACHABLE)
    return outcome.message or _(UNREACHABLE)


class AdminPairScreen(AdminScreen):
    personal = False
    step = StringProperty("address")  # address → code → working → done | failed
    address_ok = BooleanProperty(False)
    code_ok = BooleanProperty(False)
    outcome_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._attempt = 0  # an answer for an attempt the person left behind is ignored

    def fill(self, **_params: Any) -> None:
        self._attempt += 1
        known = self.ctx.hub_url() or self.ctx.config.hub.url
        self.ids.address_field.text = known or "https://"
        self.ids.code_field.text = ""
        self.outcome_text = ""
        self.address_typed()
        self.code_typed()
        self._go_to("address")

    def wipe(self) -> None:
        self._attempt += 1
        self.ids.code_field.text = ""
        self.outcome_text = ""
        self._go_to("address")

    # --- typing -------------------------------------------------------------------------------------

    def address_typed(self) -> None:
        address = self.ids.address_field.text.strip()
        parts = urlsplit(address)
        self.address_ok = parts.scheme in ("https", "http") and bool(parts.hostname)

    def code_typed(self) -> None:
        self.code_ok = code_looks_right(self.ids.code_field.text)

    def submit_address(self) -> None:
        self.address_typed()
        if self.address_ok:
            self._go_to("code")

    def submit_code(self) -> None:
        self.code_typed()
        if self.code_ok:
            self.start_pairing()

    def back(self) -> None:
        """One step back; from the address (or once paired), back where the librarian came from."""
        if self.step == "code":
            self._go_to("address")
        elif self.step == "failed":
            self._go_to("code")
        elif self.step != "working":
            self.shell.back()

    def try_again(self) -> None:
        self._go_to("code")

    # --- pairing ------------------------------------------------------------------------------------

    def start_pairing(self) -> None:
        if self.step == "working":
            return
        url = self.ids.address_field.text.strip().rstrip("/")
        code = normalise_code(self.ids.code_field.text)
        self._attempt += 1
        attempt = self._attempt
        self._go_to("working")
        self.ctx.pair_with_hub(url, code, lambda outcome: self._paired(attempt, outcome))

    def _paired(self, attempt: int, outcome: PairOutcome) -> None:
        if attempt != self._attempt:
            return
        if outcome.ok:
            self.outcome_text = _("La borne est appairée au hub. La première synchronisation commence.")
            self.ids.code_field.text = ""
            self.ctx.sync_now()
            self.shell.sounds.play(SUCCESS)
            self._go_to("done")
        else:
            self.outcome_text = failure_text(outcome)
            self.shell.sounds.play(REFUSAL)
            self._go_to("failed")

    def on_scanned_text(self, text: str) -> bool:
        """A QR shown to the scanner while this screen is up: a pairing payload fills the form."""
        payload = parse_pairing_payload(text)
        if payload is None or self.step == "working" or not self.session.admin:
            return False
        url, code = payload
        if url:
            self.ids.address_field.text = url
            self.address_typed()
        self.ids.code_field.text = code
        self.code_typed()
        if self.address_ok:
            self.start_pairing()
        else:
            self._go_to("address")
        return True

    def finish(self) -> None:
        self.shell.go("admin_sync")

    def _go_to(self, step: str) -> None:
        self.step = step
        self.ids.steps.current = step
        keyboard = self.ids.get(f"{step}_keyboard")
        if keyboard is not None:
            keyboard.target = self.ids[f"{step}_field"]
