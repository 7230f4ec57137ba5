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
    # Issue 9: a visitor from another collective of the network is erased by their own collective only
    OTHER_COLLECTIVE_MEMBER = _k(
        "member.other_collective",
        N_("Ce membre appartient au collectif {collective} : seul son collectif peut l’effacer."),
        N_("Cette personne peut le demander à son collectif : l’effacement arrivera ici aussi."),
    )
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
    # Draws by lot (issue 8)
    DRAW_NOT_FOUND = _k("draw.not_found", N_("Ce tirage au sort est introuvable."))
    INVALID_SEATS = _k(
        "governance.invalid_seats", N_("Le nombre de places doit être compris entre 1 et {max}.")
    )
    DRAW_CUTOFF_PAST = _k(
        "draw.cutoff_past",
        N_("La fin des candidatures doit être dans le futur."),
        N_("Choisissez une date à venir : le hasard public doit être inconnu à l’annonce."),
    )
    RANDOMNESS_SOURCE_REQUIRED = _k(
        "draw.randomness_source_required",
        N_("Indiquez d’où viendra le hasard public, par exemple « trois dés lancés en réunion »."),
        N_("Il est annoncé avant le tirage, pour que personne ne puisse choisir le résultat."),
    )
    UNKNOWN_ATTRIBUTE = _k("draw.unknown_attribute", N_("Critère inconnu : « {attribute} »."))
    QUOTA_NOT_ASKED = _k(
        "draw.quota_not_asked",
        N_("Un quota ne peut porter que sur un critère demandé aux volontaires (« {attribute} »)."),
    )
    INVALID_QUOTA = _k(
        "draw.invalid_quota",
        N_("Le quota « {quota} » n’est pas cohérent avec {seats} places."),
        N_("Vérifiez son minimum et son maximum."),
    )
    INVALID_ATTRIBUTE_VALUE = _k(
        "draw.invalid_attribute_value", N_("Réponse non prévue pour « {attribute} » : « {value} ».")
    )
    DRAW_CLOSED = _k(
        "draw.closed",
        N_("Les candidatures à ce tirage au sort sont closes."),
        N_("Le tirage se fera avec les volontaires déjà inscrits."),
    )
    NOT_VOLUNTEERED = _k("draw.not_volunteered", N_("Vous n’êtes pas volontaire pour ce tirage."))
    DRAW_BEFORE_CUTOFF = _k(
        "draw.before_cutoff",
        N_("Les candidatures restent ouvertes jusqu’au {cutoff} : l’urne ne peut pas encore être fermée."),
    )
    DRAW_ALREADY_FROZEN = _k("draw.already_frozen", N_("L’urne de ce tirage est déjà fermée."))
    DRAW_NO_VOLUNTEERS = _k(
        "draw.no_volunteers",
        N_("Personne ne s’est porté volontaire : il n’y a rien à tirer au sort."),
        N_("Annoncez un nouveau tirage."),
    )
    DRAW_INFEASIBLE = _k(
        "draw.infeasible",
        N_("Les quotas ne peuvent pas être respectés avec ces volontaires : {reason}"),
        N_("Rien n’a été enregistré ; annoncez un nouveau tirage avec d’autres quotas."),
    )
    DRAW_NOT_FROZEN = _k(
        "draw.not_frozen",
        N_("Le tirage ne peut avoir lieu qu’une fois l’urne fermée."),
        N_("Fermez d’abord l’urne : son empreinte doit être publiée avant le hasard."),
    )
    DRAW_ALREADY_PERFORMED = _k(
        "draw.already_performed",
        N_("Ce tirage a déjà eu lieu."),
        N_("Son relevé est publié : chacun peut le vérifier."),
    )
    DRAW_POOL_INCOMPLETE = _k(
        "draw.pool_incomplete",
        N_("Cette borne n’a pas encore reçu tous les volontaires de l’urne fermée."),
        N_("Attendez la synchronisation, ou faites le tirage sur la borne qui a fermé l’urne."),
    )
    RANDOMNESS_REQUIRED = _k(
        "draw.randomness_required",
        N_("Saisissez le hasard public tel qu’il est sorti (par exemple les dés : 3 5 2)."),
    )
    # Elections by majority judgment (issue 8)
    ELECTION_NOT_FOUND = _k("election.not_found", N_("Cette élection est introuvable."))
    ELECTION_INVALID_MODE = _k("election.invalid_mode", N_("Mode de vote inconnu : « {mode} »."))
    ELECTION_BAD_DATES = _k(
        "election.bad_dates",
        N_("Les dates ne se suivent pas : fin des candidatures, puis ouverture, puis clôture du vote."),
        N_("La fin des candidatures doit aussi être dans le futur."),
    )
    CANDIDACY_CLOSED = _k("election.candidacy_closed", N_("Les candidatures à cette élection sont closes."))
    ALREADY_CANDIDATE = _k("election.already_candidate", N_("Vous êtes déjà candidat·e à cette élection."))
    NOT_CANDIDATE = _k("election.not_candidate", N_("Vous n’êtes pas candidat·e à cette élection."))
    STATEMENT_TOO_LONG = _k(
        "election.statement_too_long", N_("La présentation ne peut dépasser {max} caractères.")
    )
    ALREADY_VOTED = _k(
        "election.already_voted",
        N_("Vous avez déjà voté à cette élection."),
        N_("Votre vote est bien compté : on ne vote qu’une fois."),
    )
    OTHER_KIOSK = _k(
        "election.other_kiosk",
        N_("Cette élection se vote sur une seule borne, pas sur celle-ci."),
        N_("Rendez-vous à la borne du bureau de vote : c’est ce qui garantit un seul vote par personne."),
    )
    HUB_NEEDED = _k(
        "election.hub_needed",
        N_("Pour cette élection, la borne doit joindre le serveur du collectif au moment du vote."),
        N_("Réessayez quand la borne est connectée : sinon, un double vote ne pourrait pas être empêché."),
    )
    ELECTION_NOT_OPEN = _k(
        "election.not_open", N_("Le vote n’est pas encore ouvert (ouverture le {opens_at}).")
    )
    ELECTION_CLOSED = _k("election.closed", N_("Le vote est clos."))
    ELECTION_STILL_OPEN = _k(
        "election.still_open",
        N_("Le vote reste ouvert jusqu’au {closes_at} : il ne peut pas être clos avant."),
    )
    ELECTION_ALREADY_CLOSED = _k(
        "election.already_closed",
        N_("Cette élection est déjà close."),
        N_("Son résultat est affiché avec les élections passées."),
    )
    CLOSE_AT_BOOTH = _k(
        "election.close_at_booth",
        N_("Cette élection ne peut être close que sur la borne du bureau de vote, qui garde l’urne."),
    )
    NO_CANDIDATES = _k(
        "election.no_candidates", N_("Personne ne se présente à cette élection : il n’y a pas de vote.")
    )
    INVALID_GRADES = _k(
        "election.invalid_grades",
        N_("Ce bulletin n’est pas valable : une mention ne correspond à aucune personne candidate."),
        N_("Reprenez le vote ; rien n’a été enregistré."),
    )
    WRONG_MODE = _k(
        "election.wrong_mode",
        N_("Cette élection ne se vote pas de cette façon."),
        N_("Suivez les indications de l’écran du bureau de vote."),
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
