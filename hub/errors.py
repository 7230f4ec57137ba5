"""Errors the hub answers with: an HTTP status, a stable code (protocol.ErrorCode) and a sentence."""

from __future__ import annotations

from sync_client.protocol import ErrorCode


class HubError(Exception):
    def __init__(self, status: int, code: ErrorCode, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers
