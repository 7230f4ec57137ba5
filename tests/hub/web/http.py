"""Plain HTTP to the coordinators' pages (requests), for what a browser hides: status codes, cookies,
forged forms."""

from __future__ import annotations

import re

import requests

from tests.hub.kiosks import HubHandle
from tests.hub.web.world import PASSWORD

_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def post_login(
    hub: HubHandle, email: str, password: str = PASSWORD
) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    form = session.get(hub.url + "/coordination/connexion", timeout=10)
    answer = session.post(
        hub.url + "/coordination/connexion",
        data={"csrf": csrf_of(form.text), "email": email, "password": password, "next": "/coordination/"},
        allow_redirects=False,
        timeout=30,
    )
    return session, answer


def signed_in(hub: HubHandle, email: str) -> requests.Session:
    session, answer = post_login(hub, email)
    assert answer.status_code == 303, answer.text
    return session
