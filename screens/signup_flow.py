"""The sign-up wizard's state and rules, without Kivy: what each step holds, when it may move on, and
what goes to `services.members.register` at the end.

Steps: welcome → pseudonym → quartier → languages → contact consent → (contact, only after « Oui ») →
summary. « Retour » always goes one step back and keeps every entry; declining consent forgets any contact
typed before. Problems are `KioskError`s so the screen shows `error.text()`, translated at display time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from kiosk.domain import Consent, Member
from kiosk.errors import ErrorKind, KioskError, codes
from kiosk.i18n import N_
from kiosk.services import Services
from kiosk.services.members import check_pseudonym
from kiosk.text import clean, fold

# The consent question, word for word as shown. Its version is recorded with the consent: change the
# text, change the version.
CONSENT_TEXT = N_(
    "Voulez-vous laisser un moyen de vous joindre ? Il ne sera visible que par les bibliothécaires du "
    "collectif, pour vous prévenir d’un atelier. Vous pouvez le retirer à tout moment."
)
CONSENT_TEXT_VERSION = "signup-contact-v1"

PSEUDONYM_MAX = 40  # kiosk.services.members.check_pseudonym
CONTACT_MAX = 80

# (stored code, French label): codes stay short (members.LANGUAGE_CODE_MAX), labels are translated.
LANGUAGE_CHOICES: tuple[tuple[str, str], ...] = (
    ("fr", N_("français")),
    ("ar", N_("arabe")),
    ("en", N_("anglais")),
    ("es", N_("espagnol")),
    ("pt", N_("portugais")),
    ("ta", N_("tamoul")),
    ("bm", N_("bambara")),
    ("snk", N_("soninké")),
    ("zh", N_("chinois")),
    ("ro", N_("roumain")),
    ("tr", N_("turc")),
    ("other", N_("autre")),
)
LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)

CONTACT_INVALID = ErrorKind(
    "signup.contact_invalid",
    N_("Ce n’est ni un numéro de téléphone ni une adresse e-mail."),
    N_("Vérifiez ce que vous avez écrit, ou revenez en arrière pour ne rien laisser."),
)
QUARTIER_MISSING = ErrorKind("signup.quartier_missing", N_("Touchez votre quartier dans la liste."))
LANGUAGES_MISSING = ErrorKind("signup.languages_missing", N_("Touchez au moins une langue."))

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?\d{8,15}$")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")


class Step(StrEnum):
    WELCOME = "welcome"
    PSEUDONYM = "pseudonym"
    QUARTIER = "quartier"
    LANGUAGES = "languages"
    CONSENT = "consent"
    CONTACT = "contact"
    SUMMARY = "summary"


ORDER = tuple(Step)


def check_contact(text: str) -> str:
    """The cleaned phone number or e-mail address, or `CONTACT_INVALID`."""
    contact = clean(text)
    if not contact or len(contact) > CONTACT_MAX:
        raise KioskError(CONTACT_INVALID)
    if "@" in contact:
        if _EMAIL.match(contact):
            return contact
        raise KioskError(CONTACT_INVALID)
    if _PHONE.match(_PHONE_SEPARATORS.sub("", contact)):
        return contact
    raise KioskError(CONTACT_INVALID)


@dataclass(frozen=True)
class Registration:
    """Exactly what `services.members.register` receives."""

    pseudonym: str
    quartier: str
    languages: tuple[str, ...]
    contact: str | None
    consent: Consent | None


@dataclass
class SignupFlow:
    step: Step = Step.WELCOME
    pseudonym: str = ""
    quartier: str = ""
    languages: list[str] = field(default_factory=lambda: ["fr"])
    consent_given_at: str | None = None  # None: not answered yet or « Non, merci »
    consent_answered: bool = False
    contact: str = ""
    problem: KioskError | None = None

    # --- moving between steps -------------------------------------------------------------------------

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps this person walks through: the contact step only after « Oui »."""
        if self.consent_given_at is None:
            return tuple(step for step in ORDER if step is not Step.CONTACT)
        return ORDER

    @property
    def position(self) -> tuple[int, int]:
        """(number of this step, number of steps) counting from the pseudonym: the welcome is step 0."""
        steps = [step for step in self.steps if step is not Step.WELCOME]
        return (steps.index(self.step) + 1 if self.step in steps else 0), len(steps)

    def start(self) -> None:
        self._go(Step.PSEUDONYM)

    def back(self) -> bool:
        """One step back, entries kept. False on the welcome step (the screen then leaves the sign-up)."""
        if self.step is Step.WELCOME:
            return False
        steps = self.steps
        self._go(steps[steps.index(self.step) - 1])
        return True

    def _go(self, step: Step) -> None:
        self.step = step
        self.problem = None

    # --- the steps ------------------------------------------------------------------------------------

    def submit_pseudonym(self, text: str, in_use: Callable[[str], bool]) -> bool:
        """Check the typed pseudonym with the service's own rules; `in_use` says whether another member
        of the collective already goes by it (the store keeps pseudonyms unique, accents and case aside,
        so the person is told now rather than at the very end)."""
        try:
            pseudonym = check_pseudonym(text)
            if in_use(pseudonym):
                raise KioskError(codes.PSEUDONYM_TAKEN, pseudonym=pseudonym)
        except KioskError as error:
            self.pseudonym = clean(text)[:PSEUDONYM_MAX]
            self.problem = error
            return False
        self.pseudonym = pseudonym
        self._go(Step.QUARTIER)
        return True

    def choose_quartier(self, quartier: str) -> None:
        if clean(quartier) != self.quartier:
            self.quartier = clean(quartier)
            self.problem = None

    def submit_quartier(self) -> bool:
        if not self.quartier:
            self.problem = KioskError(QUARTIER_MISSING)
            return False
        self._go(Step.LANGUAGES)
        return True

    def choose_languages(self, codes: list[str]) -> None:
        chosen = [code for code, _ in LANGUAGE_CHOICES if code in codes]
        if chosen != self.languages:
            self.languages = chosen
            self.problem = None

    def submit_languages(self) -> bool:
        if not self.languages:
            self.problem = KioskError(LANGUAGES_MISSING)
            return False
        self._go(Step.CONSENT)
        return True

    def answer_consent(self, agreed: bool, now: str) -> None:
        """« Oui » records when consent was given and asks for the contact; « Non, merci » forgets any
        contact typed before and goes to the summary."""
        self.consent_answered = True
        if agreed:
            self.consent_given_at = now
            self._go(Step.CONTACT)
        else:
            self.consent_given_at = None
            self.contact = ""
            self._go(Step.SUMMARY)

    def submit_contact(self, text: str) -> bool:
        try:
            self.contact = check_contact(text)
        except KioskError as error:
            self.contact = clean(text)[:CONTACT_MAX]
            self.problem = error
            return False
        self._go(Step.SUMMARY)
        return True

    # --- the end --------------------------------------------------------------------------------------

    def registration(self) -> Registration:
        consent = (
            Consent(CONSENT_TEXT_VERSION, self.consent_given_at)
            if self.consent_given_at is not None and self.contact
            else None
        )
        return Registration(
            pseudonym=self.pseudonym,
            quartier=self.quartier,
            languages=tuple(self.languages),
            contact=self.contact if consent else None,
            consent=consent,
        )

    def pseudonym_refused(self, error: KioskError) -> None:
        """The store refused the pseudonym at the last moment (taken meanwhile): back to that step."""
        self._go(Step.PSEUDONYM)
        self.problem = error


def pseudonym_in_use(services: Services, pseudonym: str) -> bool:
    """Whether another member of the collective goes by this pseudonym (accents and case ignored)."""
    key = fold(pseudonym)
    return any(fold(member.pseudonym) == key for member in services.members.find(pseudonym, limit=50))


def complete_signup(services: Services, flow: SignupFlow) -> tuple[Member, str]:
    """Register the person and issue their pass: (member, pass text). A pseudonym the store refuses
    (taken meanwhile at another kiosk, synced in) sends the flow back to that step, and re-raises."""
    entry = flow.registration()
    try:
        member = services.members.register(
            entry.pseudonym,
            entry.quartier,
            languages=entry.languages,
            contact=entry.contact,
            consent=entry.consent,
        )
    except KioskError as error:
        if error.code in (codes.PSEUDONYM_TAKEN.code, codes.INVALID_PSEUDONYM.code):
            flow.pseudonym_refused(error)
        raise
    return member, services.passes.issue(member.id)
