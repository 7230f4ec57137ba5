"""Structured errors: a stable code, the reason, what happens next, and the text shown to the person.

Services raise `KioskError(codes.X, **params)`; the UI and the CLI show `error.text()` (translated at display
time) and never a traceback. Codes are stable identifiers that the hub and logs can rely on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.i18n import N_, gettext


@dataclass(frozen=True)
class ErrorKind:
    code: str
    text: str  # French message id, may hold {placeholders}
    next_step: str = ""  # French message id: what the person can do now


class KioskError(Exception):
    """An error the person can understand. `kind` says which; `params` fill the placeholders."""

    def __init__(self, kind: ErrorKind, **params: Any) -> None:
        self.kind = kind
        self.params = params
        super().__init__(self.text(language="en"))

    @property
    def code(self) -> str:
        return self.kind.code

    def text(self, language: str | None = None) -> str:
        message = gettext(self.kind.text, language).format(**self.params)
        if self.kind.next_step:
            message += " " + gettext(self.kind.next_step, language).format(**self.params)
        return message


def _k(code: str, text: str, next_step: str = "") -> ErrorKind:
    return ErrorKind(code, text, next_step)


class codes:
    """Every error the core can raise, in one place (so translations and docs can be checked)."""

    # Input validation
    INVALID_PSEUDONYM = _k(
        "member.invalid_pseudonym",
        N_("Le pseudonyme doit faire entre 2 et 40 caractères."),
        N_("Choisissez un autre pseudonyme."),
    )
    PSEUDONYM_TAKEN = _k(
        "member.pseudonym_taken",
        N_("Le pseudonyme « {pseudonym} » est déjà pris dans ce collectif."),
        N_("Ajoutez une initiale ou choisissez-en un autre."),
    )
    INVALID_QUARTIER = _k("member.invalid_quartier", N_("Indiquez votre quartier."))
    INVALID_ROLE = _k("member.invalid_role", N_("Rôle inconnu : « {role} »."))
    CONSENT_REQUIRED = _k(
        "member.consent_required",
        N_("Un moyen de contact ne peut être gardé qu’avec votre accord."),
        N_("Acceptez la mention de consentement, ou laissez le contact vide."),
    )
    MEMBER_NOT_FOUND = _k("member.not_found", N_("Ce membre est introuvable."))
    MEMBER_ERASED = _k("member.erased", N_("Ce membre a été effacé à sa demande."))
    NOT_ALLOWED = _k(
        "auth.not_allowed",
        N_("Cette action est réservée aux bibliothécaires et aux animateur·rices."),
        N_("Demandez à l’un·e d’entre eux."),
    )
    LIBRARIANS_ONLY = _k(
        "auth.librarians_only",
        N_("Cette action est réservée aux bibliothécaires."),
        N_("Demandez à un·e bibliothécaire."),
    )
    # Cards
    RANDOM_UID = _k(
        "card.random_uid",
        N_("Ce badge change d’identifiant à chaque passage (téléphone ou carte protégée)."),
        N_("Utilisez votre carte du collectif, ou votre QR code."),
    )
    CARD_ALREADY_ENROLLED = _k(
        "card.already_enrolled",
        N_("Cette carte est déjà attribuée à {pseudonym}."),
        N_("Prenez une carte neuve."),
    )
    CARD_REVOKED = _k(
        "card.revoked",
        N_("Cette carte a été désactivée."),
        N_("Voyez un·e bibliothécaire pour en recevoir une nouvelle."),
    )
    CARD_NOT_FOUND = _k("card.not_found", N_("Cette carte n’est pas connue de la borne."))
    # Themes and listings
    THEME_NOT_FOUND = _k("theme.not_found", N_("Thème inconnu : « {theme} »."))
    INVALID_TITLE = _k("listing.invalid_title", N_("Le titre doit faire entre 2 et {max} caractères."))
    INVALID_DESCRIPTION = _k(
        "listing.invalid_description", N_("La description ne peut dépasser {max} caractères.")
    )
    LISTING_NOT_FOUND = _k("listing.not_found", N_("Cette annonce est introuvable."))
    LISTING_NOT_ACTIVE = _k("listing.not_active", N_("Cette annonce n’est plus en ligne."))
    LISTING_NOT_HIDDEN = _k("listing.not_hidden", N_("Cette annonce n’est pas masquée."))
    HIDE_REASON_REQUIRED = _k(
        "listing.hide_reason_required",
        N_("Indiquez pourquoi l’annonce est masquée."),
        N_("La personne qui l’a publiée pourra ainsi le savoir."),
    )
    # Exchanges
    INVALID_DURATION = _k(
        "exchange.invalid_duration",
        N_("La durée doit être comprise entre 1 minute et 12 heures."),
    )
    NEEDS_BOTH_SIDES = _k(
        "exchange.needs_both_sides",
        N_("Un échange a besoin d’au moins une personne qui transmet et une qui apprend."),
    )
    SAME_PERSON_BOTH_SIDES = _k(
        "exchange.same_person_both_sides",
        N_("Une même personne ne peut pas transmettre et apprendre dans le même échange."),
    )
    RECORDER_NOT_PARTICIPANT = _k(
        "exchange.recorder_not_participant",
        N_("La personne qui enregistre l’échange doit y avoir participé."),
    )
    OCCURRED_IN_FUTURE = _k("exchange.in_future", N_("La date de l’échange ne peut pas être dans le futur."))
    EXCHANGE_NOT_FOUND = _k("exchange.not_found", N_("Cet échange est introuvable."))
    NOTHING_TO_CONFIRM = _k(
        "exchange.nothing_to_confirm", N_("Il n’y a rien à confirmer pour vous dans cet échange.")
    )
    EXCHANGE_CANCELLED = _k("exchange.cancelled", N_("Cet échange a été annulé."))
    CANCEL_TOO_LATE = _k(
        "exchange.cancel_too_late",
        N_("Un échange ne peut être annulé par la personne qui l’a saisi que dans les 10 minutes."),
        N_("Demandez à un·e bibliothécaire."),
    )
    REASON_REQUIRED = _k("exchange.reason_required", N_("Indiquez la raison de l’annulation."))
    # Workshops
    WORKSHOP_NOT_FOUND = _k("workshop.not_found", N_("Cet atelier est introuvable."))
    INVALID_CAPACITY = _k(
        "workshop.invalid_capacity", N_("La capacité doit être comprise entre 1 et 500 places.")
    )
    ALREADY_REGISTERED = _k("workshop.already_registered", N_("Vous êtes déjà inscrit·e à cet atelier."))
    WORKSHOP_CANCELLED = _k("workshop.cancelled", N_("Cet atelier a été annulé."))
    WORKSHOP_ALREADY_CLOSED = _k(
        "workshop.already_closed",
        N_("Cet atelier est déjà enregistré comme échange."),
        N_("Rien n’a été ajouté : il compte déjà pour tous les présents."),
    )
    WORKSHOP_NOBODY_PRESENT = _k(
        "workshop.nobody_present",
        N_("Aucun membre n’est encore enregistré à cet atelier."),
        N_("Faites passer les cartes des participant·es avant de clore l’atelier."),
    )
    # Librarian mode
    PIN_FORMAT = _k("admin.pin_format", N_("Le code doit faire de 4 à 8 chiffres."))
    PIN_NOT_STAFF = _k(
        "admin.pin_not_staff",
        N_("Seuls les bibliothécaires et les animateur·rices ont un code d’accès."),
    )
    # Export
    EXPORT_BAD_RANGE = _k(
        "export.bad_range",
        N_("La date de début ne peut pas être après la date de fin."),
        N_("Choisissez d’autres dates."),
    )
    EXPORT_FAILED = _k(
        "export.failed",
        N_("Le fichier d’export n’a pas pu être écrit ({detail})."),
        N_("Vérifiez la clé USB ou la place libre ; aucun fichier à moitié écrit n’a été laissé."),
    )
    # Store
    DISK_FULL = _k(
        "store.disk_full",
        N_("La mémoire de la borne est pleine : rien n’a été enregistré."),
        N_("Prévenez un·e bibliothécaire ; la borne reprendra dès que de la place sera libérée."),
    )
    STORE_IO = _k(
        "store.io_error",
        N_("La borne n’a pas pu écrire sur sa carte mémoire : rien n’a été enregistré ({detail})."),
        N_("Réessayez ; si cela se répète, prévenez un·e bibliothécaire."),
    )
    NEWER_SCHEMA = _k(
        "store.newer_schema",
        N_(
            "La base {path} vient d’une version plus récente de la borne "
            "(schéma {found}, cette version connaît jusqu’au {known})."
        ),
        N_("Installez la version récente ; la base n’a pas été modifiée."),
    )
    CORRUPT_DATABASE = _k(
        "store.corrupt",
        N_("Le fichier {path} n’est pas une base de la borne lisible ({detail})."),
        N_("Restaurez une sauvegarde ; le fichier n’a pas été modifié."),
    )
    NOT_A_KIOSK_DATABASE = _k(
        "store.foreign",
        N_("Le fichier {path} est une base SQLite qui n’appartient pas à la borne."),
        N_("Vérifiez le dossier de données ; le fichier n’a pas été modifié."),
    )
    # Config
    CONFIG_INVALID = _k(
        "config.invalid",
        N_("Configuration {path} : {detail}"),
        N_("Corrigez le fichier ; la borne ne démarre pas à moitié configurée."),
    )
    CONFIG_MISSING = _k("config.missing", N_("Le fichier de configuration {path} est introuvable."))
