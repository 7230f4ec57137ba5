"""The coordinators' web pages on the hub (issue 9): sign-in, statistics, kiosk management.

Mounted by hub/app.py under /coordination; server-rendered (Jinja2), French, no JavaScript."""

from __future__ import annotations

from hub.web.guard import PREFIX
from hub.web.site import create_web_app

__all__ = ["PREFIX", "create_web_app"]
