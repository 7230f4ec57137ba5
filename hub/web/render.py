"""Jinja2 (autoescaped) pages, French formats for numbers and times, and the pages' security headers."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.util import parse_iso

PARIS = ZoneInfo("Europe/Paris")
TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
NNBSP = "\u202f"  # French thousands separator
# No script at all, no inline style: everything the pages need is served from here.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def number(value: float | int | None, decimals: int = 0) -> str:
    """12 345 or 3,5 (French): a narrow no-break space between thousands, a comma before decimals."""
    if value is None:
        return "—"
    if round(value, decimals) == 0:
        value = 0  # no « -0,0 » for a tiny negative figure
    return f"{value:,.{decimals}f}".replace(",", NNBSP).replace(".", ",")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{number(value * 100)}{NNBSP}%"


def paris_time(value: str | datetime | None) -> str:
    """« 25/11/2026 à 10:03 » in Paris time, from the hub's UTC text."""
    if value is None:
        return "jamais"
    moment = parse_iso(value) if isinstance(value, str) else value
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")


def paris_day(value: str | None) -> str:
    return "—" if value is None else parse_iso(value).astimezone(PARIS).strftime("%d/%m/%Y")


def hours(minutes: float | int) -> str:
    return f"{number(minutes / 60, 1 if minutes % 60 else 0)}{NNBSP}h"


MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def month_label(month: str) -> str:
    """« nov. 2026 » from « 2026-11 »."""
    year, number_ = month.split("-")
    return f"{MONTHS[int(number_) - 1]} {year}"


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    number=number,
    percent=percent,
    paris_time=paris_time,
    paris_day=paris_day,
    hours=hours,
    month_label=month_label,
)

# The pages of a scope, in the menu's order: (path under the scope, label).
environment.globals["pages"] = (
    ("", "Vue d’ensemble"),
    ("activite", "Activité"),
    ("themes", "Thèmes"),
    ("membres", "Membres"),
    ("bornes", "Bornes"),
    ("ateliers", "Ateliers"),
    ("gouvernance", "Gouvernance"),
)


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = environment.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
