"""How the record wizard and the receipt put an exchange into words: what the person did (`Kind`), days,
durations, lists of names, and the one sentence that tells the whole exchange. Plain Python, no Kivy.

Sentences are said to the person who took part (« Vous avez appris … avec Karim »), so the receipt uses
them too, from the side of whoever looks at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from kiosk.domain import ExchangeKind, ListingKind, ParticipantRole
from kiosk.i18n import N_, gettext

NBSP = "\u00a0"  # Kivy wraps lines at plain spaces only: « 1 h 30 » stays on one line


class Kind(StrEnum):
    """What the recorder did: it fixes the exchange kind and which side the recorder is on."""

    TAUGHT = "taught"
    LEARNED = "learned"
    SERVICE_GIVEN = "service_given"
    SERVICE_RECEIVED = "service_received"

    @property
    def exchange_kind(self) -> ExchangeKind:
        return (
            ExchangeKind.SERVICE
            if self in (Kind.SERVICE_GIVEN, Kind.SERVICE_RECEIVED)
            else ExchangeKind.KNOWLEDGE
        )

    @property
    def recorder_role(self) -> ParticipantRole:
        giving = self in (Kind.TAUGHT, Kind.SERVICE_GIVEN)
        return ParticipantRole.TRANSMITTER if giving else ParticipantRole.LEARNER

    @property
    def partner_role(self) -> ParticipantRole:
        if self.recorder_role is ParticipantRole.TRANSMITTER:
            return ParticipantRole.LEARNER
        return ParticipantRole.TRANSMITTER

    @property
    def listing_kind(self) -> ListingKind:
        """Which of my listings fit: what I offered when I gave, what I looked for when I received."""
        return ListingKind.OFFER if self.recorder_role is ParticipantRole.TRANSMITTER else ListingKind.REQUEST


WEEKDAYS = (
    N_("lundi"),
    N_("mardi"),
    N_("mercredi"),
    N_("jeudi"),
    N_("vendredi"),
    N_("samedi"),
    N_("dimanche"),
)
MONTHS = (
    N_("janvier"),
    N_("février"),
    N_("mars"),
    N_("avril"),
    N_("mai"),
    N_("juin"),
    N_("juillet"),
    N_("août"),
    N_("septembre"),
    N_("octobre"),
    N_("novembre"),
    N_("décembre"),
)


def duration_text(minutes: int) -> str:
    """« 15 min », « 1 h », « 1 h 30 »: the same in French and English."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def day_text(days_ago: int, moment: datetime) -> str:
    """« aujourd’hui », « hier », « avant-hier », then « le mardi 24 novembre »."""
    if days_ago == 0:
        return gettext("aujourd’hui")
    if days_ago == 1:
        return gettext("hier")
    if days_ago == 2:
        return gettext("avant-hier")
    return gettext("le {weekday} {day} {month}").format(
        weekday=gettext(WEEKDAYS[moment.weekday()]), day=moment.day, month=gettext(MONTHS[moment.month - 1])
    )


def day_choice_text(days_ago: int, moment: datetime) -> str:
    """A day chip, short for one row of chips: « Aujourd’hui », « Hier », « Avant-hier », « Dimanche 22 »."""
    short = (N_("Aujourd’hui"), N_("Hier"), N_("Avant-hier"))
    if days_ago < len(short):
        return gettext(short[days_ago])
    return gettext("{weekday} {day}").format(
        weekday=gettext(WEEKDAYS[moment.weekday()]).capitalize(), day=moment.day
    )


def join_names(names: Sequence[str]) -> str:
    """« Karim », « Karim et Inès », « Karim, Inès et Yvette »."""
    if len(names) <= 1:
        return "".join(names)
    return gettext("{names} et {last}").format(names=", ".join(names[:-1]), last=names[-1])


SENTENCES = {
    Kind.TAUGHT: N_("Vous avez transmis « {title} » à {names}, {duration}, {day}."),
    Kind.LEARNED: N_("Vous avez appris « {title} » avec {names}, {duration}, {day}."),
    Kind.SERVICE_GIVEN: N_("Vous avez rendu service à {names} : « {title} », {duration}, {day}."),
    Kind.SERVICE_RECEIVED: N_("{names} vous a rendu service : « {title} », {duration}, {day}."),
}
SERVICE_RECEIVED_FROM_SEVERAL = N_("{names} vous ont rendu service : « {title} », {duration}, {day}.")


def sentence(
    kind: Kind, title: str, names: Sequence[str], duration_min: int, days_ago: int, moment: datetime
) -> str:
    """One exchange in one sentence, said to the person who took part (the summary and the receipt)."""
    template = SENTENCES[kind]
    if kind is Kind.SERVICE_RECEIVED and len(names) > 1:
        template = SERVICE_RECEIVED_FROM_SEVERAL
    text = gettext(template).format(
        title=title,
        names=join_names(names),
        duration=duration_text(duration_min).replace(" ", NBSP),
        day=day_text(days_ago, moment),
    )
    return keep_marks_attached(text)


def keep_marks_attached(text: str) -> str:
    """French typography: « and » hug their words, « : » its word, so no line starts with them."""
    return text.replace("« ", "«" + NBSP).replace(" »", NBSP + "»").replace(" :", NBSP + ":")


def kind_for(exchange_kind: ExchangeKind, role: ParticipantRole) -> Kind:
    """What a participant did in a recorded exchange, from their side."""
    giving = role is ParticipantRole.TRANSMITTER
    if exchange_kind is ExchangeKind.SERVICE:
        return Kind.SERVICE_GIVEN if giving else Kind.SERVICE_RECEIVED
    return Kind.TAUGHT if giving else Kind.LEARNED


def waiting_line(names: Sequence[str]) -> str:
    """Who will confirm later (picked while absent): they see the exchange at their next card tap."""
    if not names:
        return ""
    if len(names) == 1:
        return gettext("{name} confirmera l’échange à son prochain passage.").format(name=names[0])
    return gettext("{names} confirmeront l’échange à leur prochain passage.").format(names=join_names(names))
