"""Why a member pass (QR) was refused: one stable reason code each, with the French text shown to the person.

Kept beside `kiosk.errors.codes` rather than inside it so the pass format can evolve on its own; the codes
follow the same `area.reason` scheme and the texts go through the same gettext catalogue.
"""

from __future__ import annotations

from enum import StrEnum

from kiosk.errors import ErrorKind
from kiosk.i18n import N_


class PassRefusal(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN_VERSION = "unknown_version"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    REVOKED = "revoked"
    OVERSIZED = "oversized"
    WRONG_COLLECTIVE = "wrong_collective"


_SHOW_CARD = N_("Présentez votre carte, ou demandez un nouveau passe à un·e bibliothécaire.")

PASS_ERRORS: dict[PassRefusal, ErrorKind] = {
    PassRefusal.MALFORMED: ErrorKind(
        "pass.malformed", N_("Ce QR code n’est pas un passe membre du collectif."), _SHOW_CARD
    ),
    PassRefusal.OVERSIZED: ErrorKind(
        "pass.oversized", N_("Ce QR code est trop long pour être un passe membre."), _SHOW_CARD
    ),
    PassRefusal.UNKNOWN_VERSION: ErrorKind(
        "pass.unknown_version",
        N_("Ce passe a un format que cette borne ne connaît pas encore."),
        N_("Présentez votre carte ; la borne sera mise à jour."),
    ),
    PassRefusal.UNKNOWN_KEY: ErrorKind(
        "pass.unknown_key",
        N_("Ce passe a été signé par une borne que celle-ci ne connaît pas."),
        N_("Réessayez après la prochaine synchronisation, ou présentez votre carte."),
    ),
    PassRefusal.BAD_SIGNATURE: ErrorKind(
        "pass.bad_signature",
        N_("Ce passe a été modifié ou n’a pas été émis par le collectif : il est refusé."),
        _SHOW_CARD,
    ),
    PassRefusal.REVOKED: ErrorKind(
        "pass.revoked",
        N_("Ce passe a été désactivé."),
        N_("Voyez un·e bibliothécaire pour en recevoir un nouveau."),
    ),
    PassRefusal.WRONG_COLLECTIVE: ErrorKind(
        "pass.wrong_collective",
        N_("Ce passe appartient à un autre collectif."),
        N_("Présentez-le à une borne de votre collectif, ou inscrivez-vous ici."),
    ),
}
