"""How the librarian's system screens and the workshop screens put things into words. Plain Python, no Kivy.

Times are said the way a person says them (« il y a 3 minutes », « samedi 28 novembre à 14 h 00 »),
states of the sync and the devices in calm sentences, never in codes.
"""

from __future__ import annotations

from datetime import date, datetime, time

from kiosk.domain import Workshop
from kiosk.i18n import N_, gettext
from screens.record_steps.wording import MONTHS, WEEKDAYS


def clock_text(moment: datetime | time) -> str:
    """« 14 h 05 » in French, « 14:05 » in English."""
    return gettext("{hour} h {minutes}").format(hour=moment.hour, minutes=f"{moment.minute:02d}")


def ago_text(then: datetime, now: datetime) -> str:
    """« à l’instant », « il y a 3 minutes », « il y a 2 heures », « hier à 14 h 05 », « le 3 novembre »."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return gettext("à l’instant")
    minutes = int(seconds // 60)
    if minutes < 60:
        if minutes == 1:
            return gettext("il y a 1 minute")
        return gettext("il y a {count} minutes").format(count=minutes)
    hours = minutes // 60
    if hours < 12:
        if hours == 1:
            return gettext("il y a 1 heure")
        return gettext("il y a {count} heures").format(count=hours)
    local = then.astimezone(now.tzinfo) if now.tzinfo else then
    days = (now.date() - local.date()).days
    if days == 0:
        return gettext("aujourd’hui à {time}").format(time=clock_text(local))
    if days == 1:
        return gettext("hier à {time}").format(time=clock_text(local))
    return gettext("le {day} {month}").format(day=local.day, month=gettext(MONTHS[local.month - 1]))


def day_text(day: date) -> str:
    """« samedi 28 novembre »."""
    return gettext("{weekday} {day} {month}").format(
        weekday=gettext(WEEKDAYS[day.weekday()]), day=day.day, month=gettext(MONTHS[day.month - 1])
    )


def full_date_text(day: date) -> str:
    """« samedi 28 novembre 2026 »: in a date range, where the year matters."""
    return f"{day_text(day)} {day.year}"


def when_text(moment: datetime) -> str:
    """« samedi 28 novembre à 14 h 00 »."""
    return gettext("{day} à {time}").format(day=day_text(moment.date()), time=clock_text(moment))


def starts_at(workshop: Workshop) -> datetime:
    return datetime.fromisoformat(workshop.starts_at)


def places_text(workshop: Workshop) -> str:
    """« 3 places libres », « 1 place libre », « Complet — 2 en liste d’attente »."""
    free = workshop.capacity - workshop.registered
    if free > 1:
        return gettext("{count} places libres").format(count=free)
    if free == 1:
        return gettext("1 place libre")
    if workshop.waiting:
        return gettext("Complet — {count} en liste d’attente").format(count=workshop.waiting)
    return gettext("Complet — liste d’attente ouverte")


def count_text(count: int, one: str, many: str) -> str:
    return gettext(one) if count == 1 else gettext(many).format(count=count)


# --- sync and devices ----------------------------------------------------------------------------------

PENDING_NONE = N_("Tout est envoyé au hub.")
PENDING_ONE = N_("1 changement attend d’être envoyé au hub.")
PENDING_MANY = N_("{count} changements attendent d’être envoyés au hub.")
NOT_PAIRED_PENDING = N_("{count} changements seront envoyés une fois la borne appairée.")

PROBLEMS = {
    "offline": N_("Le hub ne répond pas (réseau absent ou hub arrêté). La borne réessaie toute seule."),
    "revoked": N_("Le hub a retiré cette borne de son collectif : appairez-la de nouveau."),
    "refused": N_("Le hub a refusé des changements : ils sont gardés ici, prévenez l’équipe du hub."),
    "outdated": N_("Cette borne doit être mise à jour pour recevoir les changements du hub."),
    "not_paired": N_("Cette borne n’est pas encore appairée à un hub."),
}
READER_STATES = {
    "ready": N_("Prêt"),
    "disconnected": N_("Débranché"),
    "no_reader": N_("Aucun lecteur branché"),
    "service_down": N_("Le service des cartes ne répond pas"),
    "stopped": N_("Arrêté"),
}
PRINTER_STATES = {
    "ready": N_("Prête"),
    "paper_low": N_("Bientôt plus de papier"),
    "paper_out": N_("Plus de papier"),
    "offline": N_("Ne répond pas"),
    "not_configured": N_("Pas d’imprimante"),
    "absent": N_("Pas d’imprimante"),
    "error": N_("En panne"),
}
UNKNOWN_STATE = N_("Inconnu")


def pending_text(pending: int, paired: bool) -> str:
    if not paired and pending:
        return gettext(NOT_PAIRED_PENDING).format(count=pending)
    if pending == 0:
        return gettext(PENDING_NONE)
    return count_text(pending, PENDING_ONE, PENDING_MANY)


def problem_text(state: str | None, detail: str | None) -> str:
    """The last problem in plain words ("" when there is none)."""
    if state in (None, "ok", "syncing"):
        return ""
    words = gettext(PROBLEMS.get(str(state), PROBLEMS["offline"]))
    return f"{words}\n« {detail} »" if detail and state == "refused" else words


def device_text(kind: str, state: str | None) -> str:
    table = READER_STATES if kind == "reader" else PRINTER_STATES
    return gettext(table.get(state or "", UNKNOWN_STATE))
