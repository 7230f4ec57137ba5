"""HTTP client of the hub (requests): timeouts on every request, TLS verified, answers validated.

It never retries by itself: the caller (`sync_client.engine` / the worker) decides, from the error class,
whether trying again can help (`HubUnavailable`) or not (`HubRefused`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from pydantic import BaseModel, ValidationError

from sync_client.protocol import (
    API_PREFIX,
    KIOSK_PENDING_HEADER,
    KIOSK_TIME_HEADER,
    Envelope,
    ErrorBody,
    Health,
    PairRequest,
    PairResponse,
    PullResponse,
    PushResponse,
    WhoAmI,
)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0
M = TypeVar("M", bound=BaseModel)


class HubError(Exception):
    """Base of what talking to the hub can raise; `code` is the hub's error code when it gave one."""

    def __init__(self, message: str, code: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class HubUnavailable(HubError):
    """Network trouble, timeout, 5xx, 429, or an answer cut short: trying again later is safe and useful."""

    def __init__(
        self, message: str, code: str = "", status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message, code, status)
        self.retry_after = retry_after


class HubRefused(HubError):
    """A definite answer (4xx): the same request will get the same one. Shown to the librarian."""


class HubUnauthorized(HubRefused):
    """401: no valid token (never paired, or this kiosk was revoked on the hub: `code == "kiosk_revoked"`)."""


def check_url(url: str) -> str:
    """Plain http only for a hub on this machine (tests, a hub beside the kiosk): tokens cross the network."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        loopback = host == "localhost"
        with contextlib.suppress(ValueError):
            loopback = loopback or ipaddress.ip_address(host).is_loopback
        if loopback:
            return url.rstrip("/")
    raise HubRefused(f"Adresse du hub refusée : {url} (https:// attendu).", "bad_url")


@dataclass
class HubClient:
    base_url: str
    token: str | None = None
    ca_file: str | None = None  # a private CA for the hub's certificate; None: the system's CAs
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT

    def __post_init__(self) -> None:
        self.base_url = check_url(self.base_url)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "kiosque-des-savoirs-sync/1"

    def close(self) -> None:
        self.session.close()

    # The protocol --------------------------------------------------------------------------------

    def health(self) -> Health:
        return self._call("GET", "/health", Health, auth=False)

    def pair(self, request: PairRequest) -> PairResponse:
        return self._call(
            "POST", "/pair", PairResponse, body=request.model_dump(exclude_none=True), auth=False
        )

    def whoami(self, kiosk_time: datetime | None = None) -> WhoAmI:
        return self._call("GET", "/kiosk", WhoAmI, kiosk_time=kiosk_time)

    def push(
        self, events: list[dict[str, Any]], kiosk_time: datetime | None = None, remaining: int | None = None
    ) -> PushResponse:
        """`events` are wire envelopes (dicts), sent as they are: the journal's text is the reference.
        `remaining`: how many events still wait after these (told to the hub for its coordinators)."""
        extra = {KIOSK_PENDING_HEADER: str(remaining)} if remaining is not None else None
        return self._call(
            "POST", "/sync/push", PushResponse, body={"events": events}, kiosk_time=kiosk_time, headers=extra
        )

    def pull(self, cursor: int, limit: int, kiosk_time: datetime | None = None) -> PullResponse:
        return self._call(
            "GET",
            "/sync/pull",
            PullResponse,
            params={"cursor": cursor, "limit": limit},
            kiosk_time=kiosk_time,
        )

    # Plumbing ------------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        kiosk_time: datetime | None = None,
        headers: dict[str, str] | None = None,
    ) -> M:
        headers = dict(headers or {})
        if auth:
            if not self.token:
                raise HubUnauthorized("Cette borne n’est pas appairée à un hub.", "not_paired")
            headers["Authorization"] = f"Bearer {self.token}"
        if kiosk_time is not None:
            headers[KIOSK_TIME_HEADER] = kiosk_time.isoformat(timespec="milliseconds")
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = self.session.request(
                method,
                self.base_url + API_PREFIX + path,
                data=data,
                params=params,
                headers=headers,
                timeout=(self.connect_timeout, self.read_timeout),
                verify=self.ca_file or True,
            )
            content = response.content  # read it all here: a cut-short body raises now, not later
        except requests.exceptions.SSLError as error:
            if _handshake_cut_short(error):  # nothing was said about the certificate: worth retrying
                raise HubUnavailable("Hub injoignable : connexion TLS coupée", "network") from None
            raise HubRefused(f"Certificat du hub refusé : {error}", "tls") from None
        except requests.exceptions.RequestException as error:
            raise HubUnavailable(f"Hub injoignable : {error.__class__.__name__}", "network") from None
        except OSError as error:  # requests checks the CA file itself, with a plain OSError
            if self.ca_file and not os.path.isfile(self.ca_file):  # gone since the config was read
                missing = f"Fichier des autorités du hub introuvable : {self.ca_file}"
                raise HubRefused(missing, "tls") from None
            raise HubUnavailable(f"Hub injoignable : {error.__class__.__name__}", "network") from None
        if response.status_code >= 400:
            raise _error(response.status_code, content, response.headers.get("Retry-After"))
        try:
            return model.model_validate_json(content)
        except ValidationError:
            # A 200 whose body does not parse was cut or mangled on the way: the request may have been
            # carried out, so it is retried (everything is idempotent by event id).
            raise HubUnavailable("Réponse du hub incomplète ou illisible.", "bad_response") from None


def _handshake_cut_short(error: BaseException) -> bool:
    """Whether a TLS failure is the connection closed during the handshake (a hub or its proxy restarting, a
    link dropping), looked for down requests' and urllib3's wrapping; any other TLS failure (certificate,
    host name, CA file) comes back the same on every try."""
    found: list[object] = [error]
    seen: set[int] = set()
    while found:
        item = found.pop()
        if isinstance(item, ssl.SSLEOFError | ssl.SSLZeroReturnError):
            return True
        if isinstance(item, BaseException) and id(item) not in seen:
            seen.add(id(item))
            found.extend([*item.args, getattr(item, "reason", None), item.__cause__])
    return False


def _error(status: int, content: bytes, retry_after: str | None) -> HubError:
    try:
        body = ErrorBody.model_validate_json(content)
        code, message = body.code, body.message
    except ValidationError:
        code, message = "", content[:200].decode("utf-8", "replace") or f"HTTP {status}"
    if status == 401:
        return HubUnauthorized(message, code or "unauthorized", status)
    if status in (408, 425, 429) or status >= 500:
        delay = float(retry_after) if retry_after and retry_after.isdigit() else None
        return HubUnavailable(message, code or f"http_{status}", status, delay)
    return HubRefused(message, code or f"http_{status}", status)


def envelope_dict(event: Envelope) -> dict[str, Any]:
    return event.wire()
