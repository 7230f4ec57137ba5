"""« Exporter les échanges »: a date range, then one CSV for French Excel — on the USB stick when one is
plugged in, else in the kiosk's data folder — and the screen says where, and how many rows.

Quick choices (« Ce mois-ci », « Le mois dernier », « Cette année ») set both dates; the steppers move
a date by a day (− / +) or a month (« − 1 mois » / « + 1 mois »). The export itself is
`kiosk.exports.export_exchanges` (a few thousand rows at most: it runs on the Kivy thread, on the
store's own connection).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from kiosk.errors import KioskError
from kiosk.i18n import N_, _
from screens.admin2_widgets import Stepper  # noqa: F401  (kv rules use it)
from screens.admin_widgets import AdminScreen
from screens.record_steps.wording import MONTHS

KV_FILE = str(Path(__file__).with_suffix(".kv"))
if KV_FILE not in Builder.files:
    Builder.load_file(KV_FILE)

QUICK = (
    ("this_month", N_("Ce mois-ci")),
    ("last_month", N_("Le mois dernier")),
    ("this_year", N_("Cette année")),
)


def month_range(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def quick_range(choice: str, today: date) -> tuple[date, date]:
    if choice == "last_month":
        return month_range(today.replace(day=1) - timedelta(days=1))
    if choice == "this_year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    return month_range(today)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or the month's last day when it is shorter: 31 → 30)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def short_date(day: date) -> str:
    """« 1 novembre 2026 »: the year matters in a range."""
    return _("{day} {month} {year}").format(day=day.day, month=_(MONTHS[day.month - 1]), year=day.year)


class AdminExportScreen(AdminScreen):
    personal = False
    quick_choices = ListProperty([])
    start_text = StringProperty("")
    end_text = StringProperty("")
    result_text = StringProperty("")
    result_kind = StringProperty("")  # "", "success", "error"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start, self.end = month_range(date(2000, 1, 1))
        self.last_result: Any = None  # kiosk.exports.ExportResult of the last export, for a look back

    def fill(self, **_params: Any) -> None:
        self.result_text, self.result_kind = "", ""
        self.choose_quick("this_month")
        self.refresh_language()

    def refresh_language(self) -> None:
        self.quick_choices = [(value, _(label)) for value, label in QUICK]
        self._show_dates()

    def today(self) -> date:
        return self.ctx.clock.now().date()

    def choose_quick(self, choice: str) -> None:
        self.start, self.end = quick_range(choice, self.today())
        self.ids.quick.selected = [choice]
        self._show_dates()

    def move_start(self, days: int = 0, months: int = 0) -> None:
        self.start = add_months(self.start, months) + timedelta(days=days)
        self.end = max(self.end, self.start)
        self._dates_moved()

    def move_end(self, days: int = 0, months: int = 0) -> None:
        self.end = add_months(self.end, months) + timedelta(days=days)
        self.start = min(self.start, self.end)
        self._dates_moved()

    def _dates_moved(self) -> None:
        self.ids.quick.selected = [
            value for value, _label in QUICK if quick_range(value, self.today()) == (self.start, self.end)
        ]
        self.result_text, self.result_kind = "", ""
        self._show_dates()

    def _show_dates(self) -> None:
        self.start_text = short_date(self.start)
        self.end_text = short_date(self.end)

    def export(self) -> None:
        from kiosk.exports import export_exchanges

        try:
            result = export_exchanges(self.ctx.services, self.start, self.end, self.ctx.data_dir)
        except KioskError as error:
            self.result_text, self.result_kind = error.text(), "error"
            self.shell.notify(error.text(), "error")
            return
        except OSError:
            self.result_text = _("Le fichier n’a pas pu être écrit. Vérifiez la clé USB, puis réessayez.")
            self.result_kind = "error"
            return
        self.last_result = result
        if result.on_usb:
            where = _("Sur la clé USB : {name}").format(name=result.path.name)
        else:
            where = _("Dans le dossier de la borne : {path}").format(path=result.path)
        if result.rows == 1:
            count = _("1 échange exporté.")
        else:
            count = _("{count} échanges exportés.").format(count=result.rows)
        self.result_text = f"{count}\n{where}"
        self.result_kind = "success"
        self.shell.notify(count, "success")
