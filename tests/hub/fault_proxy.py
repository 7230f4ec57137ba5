"""A TCP proxy of ours between kiosk and hub that breaks connections on purpose.

A real network cannot be told to lose an answer on demand, so this proxy does it: each connection carries
one HTTP request and gets one action from the plan, chosen once the request line says which endpoint it is
for (so that a plan can make every fault hit every endpoint whatever the timing of the syncs). Each action
hits one phase of an exchange — before the hub sees the request (`drop`, `http_503_before`,
`reset_mid_request`), while it is delayed past the
client's timeout (`delay`), or after the hub carried it out (`reset_after_request`, `truncate`,
`http_500_after`: the lost acknowledgement). Counters say which action hit which endpoint.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable

ACTIONS = (
    "pass",
    "drop",
    "http_503_before",
    "reset_mid_request",
    "delay",
    "reset_after_request",
    "truncate",
    "http_500_after",
)
FAULTS = ACTIONS[1:]


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN, as a crashed peer or a middlebox does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP/1.1 message (headers + Content-Length body). Empty when the peer closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _endpoint(request: bytes) -> str:
    line = request.split(b"\r\n", 1)[0].decode("latin-1")
    path = line.split(" ")[1] if " " in line else ""
    return path.split("?")[0].rsplit("/", 1)[-1] or "?"


_CANNED = {
    500: b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
    b"Connection: close\r\n\r\noops!",
    503: b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nRetry-After: 0\r\n"
    b"Content-Length: 4\r\nConnection: close\r\n\r\nbusy",
}


class FaultProxy:
    def __init__(
        self,
        target_port: int,
        plan: Callable[[str, int], str],
        *,
        delay: float = 1.5,
        host: str = "127.0.0.1",
    ) -> None:
        """`plan(endpoint, n)` gives the action for the n-th request (from 0) to that endpoint."""
        self.target = (host, target_port)
        self.plan = plan
        self.delay = delay
        self.hits: Counter[tuple[str, str]] = Counter()
        # Requests passed on to the hub and not answered yet, per endpoint: a crash test kills the hub
        # while one is there (test_faults.py).
        self.in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._listener = socket.create_server((host, 0))
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(30)
        upstream: socket.socket | None = None
        try:
            request = _read_message(client)
            if not request:
                client.close()
                return
            endpoint = _endpoint(request)
            with self._lock:
                action = self.plan(endpoint, self._counts[endpoint])
                self._counts[endpoint] += 1
                self.hits[(action, endpoint)] += 1
            if action == "drop":  # the request never reaches the hub and no answer comes back
                _reset(client)
                return
            if action == "http_503_before":
                client.sendall(_CANNED[503])
                client.close()
                return
            if action == "reset_mid_request":
                upstream = socket.create_connection(self.target, timeout=30)
                upstream.sendall(request[: max(1, len(request) // 2)])
                _reset(upstream)
                _reset(client)
                return
            if action == "delay":
                time.sleep(self.delay)
            upstream = socket.create_connection(self.target, timeout=30)
            with self._lock:
                self.in_flight[endpoint] += 1
            try:
                upstream.sendall(request)
                response = _read_message(upstream)
            finally:
                with self._lock:
                    self.in_flight[endpoint] -= 1
            if action == "reset_after_request":
                _reset(client)
            elif action == "truncate":
                client.sendall(response[: max(1, len(response) * 2 // 3)])
                client.close()
            elif action == "http_500_after":
                client.sendall(_CANNED[500])
                client.close()
            else:  # pass (or delay, if the client still waits)
                client.sendall(response)
                client.close()
        except OSError:
            _reset(client)
        finally:
            if upstream is not None:
                with contextlib.suppress(OSError):
                    upstream.close()
