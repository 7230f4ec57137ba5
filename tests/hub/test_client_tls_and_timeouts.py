"""Issue 4, the kiosk's side of the transport: the hub's TLS certificate is verified against the CA file of
the config, and every request to the hub has a timeout.

TLS: a CA and a certificate for 127.0.0.1 are made here (cryptography), and the real hub app is served by
uvicorn with TLS on (`kiosk-hub serve` has no TLS options: production puts Caddy or nginx in front,
deploy/hub/). Timeouts: raw TCP servers of ours that never accept, accept and never answer, or answer the
headers and never send the body; the client must give up after about its timeout, with its network error.
SQLite only: the TLS and socket layers tested here do not depend on the hub's database.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from hub import admin
from hub.db import DB_ENV, Database
from kiosk.app import make_sync_worker
from kiosk.clock import FixedClock
from kiosk.config import Config, load_config
from kiosk.errors import KioskError
from kiosk.services import open_services
from sync_client.client import HubClient, HubRefused, HubUnavailable
from sync_client.pairing import pair_kiosk
from sync_client.protocol import PairRequest
from sync_client.worker import SyncState, SyncStatus, SyncWorker
from tests.hub.kiosks import HubHandle
from tests.hub.servers import ROOT, HubServer

CA_NAME = "Autorité de test du réseau"  # both CAs bear it: only the signature tells them apart
REFUSED_CERTIFICATE = "Certificat du hub refusé"  # client.py's message, shown to the librarian
UNREACHABLE = "Hub injoignable"  # client.py's message for what is worth retrying
SLACK = 2.0  # s: a loaded machine's scheduling, far below a missing timeout (30 s, or forever)


# A private PKI -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path  # the CA that signed the hub's certificate: the kiosk's `[hub] ca_file`
    other_ca: Path  # same name, another key: signed nothing of the hub's
    cert: Path  # the hub's certificate, for IP 127.0.0.1 only
    key: Path


def _certificate(
    subject: str,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
) -> x509.Certificate:
    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(CA_NAME))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    if ca:
        usage = dict.fromkeys(
            ("content_commitment", "key_encipherment", "data_encipherment", "key_agreement"), False
        )
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
                **usage,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca_key, other_key, hub_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    made = Pki(folder / "ca.pem", folder / "other-ca.pem", folder / "hub.pem", folder / "hub.key")
    made.ca.write_bytes(_pem(_certificate(CA_NAME, ca_key, ca_key, ca=True)))
    made.other_ca.write_bytes(_pem(_certificate(CA_NAME, other_key, other_key, ca=True)))
    made.cert.write_bytes(_pem(_certificate("127.0.0.1", hub_key, ca_key, ca=False)))
    made.key.write_bytes(
        hub_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return made


# The real hub behind TLS ---------------------------------------------------------------------------------


class TlsHubServer(HubServer):
    """The hub app (`hub.app:factory`, database from $KIOSK_HUB_DB) run by uvicorn with TLS on."""

    def __init__(self, db_url: str, pki: Pki, log: Path) -> None:
        super().__init__(db_url, log=log)
        self.pki = pki
        self.url = f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.app:factory",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ssl-keyfile",
            str(self.pki.key),
            "--ssl-certfile",
            str(self.pki.cert),
            "--log-level",
            "warning",
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT), DB_ENV: self.db_url}
        assert self.log is not None
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=out, env=env, cwd=ROOT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"TLS hub exited with {self.process.returncode}: see {self.log}")
            with contextlib.suppress(requests.RequestException):
                health = requests.get(self.url + "/api/v1/health", timeout=1, verify=str(self.pki.ca))
                if health.status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("TLS hub did not start in time")


@pytest.fixture(scope="module")
def tls_hub(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubHandle]:
    folder = tmp_path_factory.mktemp("tls-hub")
    db = Database(f"sqlite:///{folder / 'hub.sqlite3'}")
    admin.init(db)
    server = TlsHubServer(db.url, pki, folder / "hub.log")
    server.start()
    try:
        yield HubHandle(server, db)
    finally:
        server.stop()  # by its own pid (process group)
        db.dispose()


def site_config(folder: Path, tls_hub: HubHandle, collective: str, ca_file: Path | None) -> Config:
    """A kiosk's site file, read by the real config loader: the hub's address, and its CA file or none."""
    folder.mkdir(parents=True, exist_ok=True)
    site = folder / "site.toml"
    site.write_text(
        f'[kiosk]\ndata_dir = "{folder / "data"}"\n[collective]\nid = "{collective}"\n'
        f'[hub]\nurl = "{tls_hub.url}"\nca_file = "{ca_file or ""}"\n',
        encoding="utf-8",
    )
    return load_config(site)


def outcome_of_first_sync(config: Config) -> SyncStatus:
    """The status the production-built sync worker publishes after its first attempt (not « syncing »)."""
    clock = FixedClock(datetime.now(UTC))
    services = open_services(config, clock)
    statuses: queue.Queue[object] = queue.Queue()
    worker = make_sync_worker(config, services, statuses)
    worker.start()
    try:
        while True:
            status = statuses.get(timeout=20)
            assert isinstance(status, SyncStatus)
            if status.state != SyncState.SYNCING:
                return status
    finally:
        worker.stop()
        services.close()


# TLS -----------------------------------------------------------------------------------------------------


def test_a_hub_certificate_signed_by_the_configured_ca_is_trusted(tls_hub: HubHandle, pki: Pki) -> None:
    client = HubClient(tls_hub.url, ca_file=str(pki.ca))
    try:
        health = client.health()
    finally:
        client.close()
    assert health.status == "ok"
    assert health.database == "sqlite"


def health_refused(client: HubClient) -> HubRefused:
    """The refusal `client.health()` must end in (the client closed after)."""
    try:
        with pytest.raises(HubRefused) as refused:
            client.health()
    finally:
        client.close()
    return refused.value


@pytest.mark.parametrize("trusted", ["system CAs", "another CA of the same name", "a file that is no CA"])
def test_a_hub_certificate_the_kiosk_cannot_verify_is_refused(
    tls_hub: HubHandle, pki: Pki, tmp_path: Path, trusted: str
) -> None:
    ca_file = {"system CAs": None, "another CA of the same name": str(pki.other_ca)}.get(trusted)
    if trusted == "a file that is no CA":
        ca_file = str(tmp_path / "not-a-ca.pem")
        Path(ca_file).write_text("pas un certificat\n", encoding="utf-8")
    client = HubClient(tls_hub.url, ca_file=ca_file)
    refused = health_refused(client)
    # A definite refusal (the worker stops and shows it), not a network error retried forever.
    assert not isinstance(refused, HubUnavailable)
    assert refused.code == "tls"
    assert refused.message.startswith(REFUSED_CERTIFICATE)
    expected = (
        "NO_CERTIFICATE_OR_CRL_FOUND" if trusted == "a file that is no CA" else "CERTIFICATE_VERIFY_FAILED"
    )
    assert expected in refused.message


def test_a_certificate_for_another_host_name_is_refused(tls_hub: HubHandle, pki: Pki) -> None:
    # The right CA, but the certificate names 127.0.0.1 only: the name is checked, not just the signature.
    client = HubClient(f"https://localhost:{tls_hub.server.port}", ca_file=str(pki.ca))
    refused = health_refused(client)
    assert refused.code == "tls"
    assert refused.message.startswith(REFUSED_CERTIFICATE)
    assert "mismatch" in refused.message


def test_the_ca_file_of_the_config_reaches_the_sync_worker(
    tls_hub: HubHandle, pki: Pki, tmp_path: Path
) -> None:
    collective = tls_hub.collective("Collectif TLS")
    config = site_config(tmp_path / "kiosk", tls_hub, collective, pki.ca)
    assert config.hub.ca_file == str(pki.ca)
    services = open_services(config, FixedClock(datetime.now(UTC)))
    client = HubClient(config.hub.url, ca_file=config.hub.ca_file)  # as the librarian's pairing screen
    try:
        pair_kiosk(services.store, client, tls_hub.code(collective), "Borne TLS")
    finally:
        client.close()
        services.close()
    status = outcome_of_first_sync(config)
    assert status.state == SyncState.OK, status
    assert status.last_success_at is not None

    # The same kiosk with `ca_file` left empty: the system's CAs do not know the hub's, the worker stops on
    # the refusal (no retry planned) and says why.
    without_ca = site_config(tmp_path / "kiosk", tls_hub, collective, None)
    refused = outcome_of_first_sync(without_ca)
    assert refused.state == SyncState.REFUSED, refused
    assert refused.error_code == "tls"
    assert refused.last_error is not None and refused.last_error.startswith(REFUSED_CERTIFICATE)
    assert refused.retry_in is None


def test_the_config_refuses_a_ca_file_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "ca-absent.pem"
    site = tmp_path / "site.toml"
    site.write_text(f'[hub]\nurl = "https://hub.example"\nca_file = "{missing}"\n', encoding="utf-8")
    with pytest.raises(KioskError) as refused:
        load_config(site)
    assert refused.value.code == "config.invalid"
    text = refused.value.text()
    assert str(site) in text
    assert "« hub.ca_file »" in text
    assert "le chemin d’un fichier PEM existant" in text


def test_a_ca_file_gone_since_the_config_was_read_is_a_refusal_that_names_it(tmp_path: Path) -> None:
    """The config checked the file when the kiosk started; deleted since, requests raises a plain OSError
    of its own, which escaped the client (the doctor and the command line showed a traceback)."""
    missing = tmp_path / "ca-supprime.pem"
    client = HubClient("https://127.0.0.1:9", ca_file=str(missing))
    refused = health_refused(client)
    assert refused.code == "tls"
    assert str(refused) == f"Fichier des autorités du hub introuvable : {missing}"


# Timeouts ------------------------------------------------------------------------------------------------


class StallingServer:
    """A TCP server of ours on 127.0.0.1 that misbehaves in one way, each a hub or network gone wrong:
    - `never_accepts`: its accept queue is full, the kernel drops the kiosk's SYN (a host gone, a firewall);
    - `silent`: accepts and never answers (a hung hub, or a TLS handshake never answered for https);
    - `stalled_body`: reads the request, answers a 200's status line and headers, never sends the body;
    - `closes`: accepts and closes the connection at once (a hub or proxy restarting)."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self._stopping = threading.Event()
        if behaviour == "never_accepts":
            self.listener.listen(0)
            for _ in range(4):  # fill the accept queue (Linux: its length is the backlog + 1)
                filler = socket.socket()
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", self.port))
                self.held.append(filler)
            time.sleep(0.05)  # let the kernel queue them
        else:
            self.listener.listen()
            self.listener.settimeout(0.05)
            threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by stop()
            self.held.append(conn)
            if self.behaviour == "closes":
                conn.close()
            elif self.behaviour == "stalled_body":
                conn.settimeout(5)
                with contextlib.suppress(OSError):
                    conn.recv(65536)  # the request: small, and the client waits for our answer
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"
                    )

    def stop(self) -> None:
        self._stopping.set()
        self.listener.close()
        for conn in self.held:
            conn.close()


CALLS: dict[str, Callable[[HubClient], object]] = {
    "health": lambda client: client.health(),
    "pair": lambda client: client.pair(PairRequest(code="ABCD-2345", kiosk_name="Borne")),
    "whoami": lambda client: client.whoami(),
    "push": lambda client: client.push([], remaining=0),
    "pull": lambda client: client.pull(0, 50),
}
LINUX_ONLY = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a full accept queue drops the SYN on Linux (elsewhere: RST)"
)
# (server behaviour, URL scheme, connect timeout, read timeout): the timeout that must fire is small, the
# other one large, so each case shows that its own timeout applies.
CASES = [
    pytest.param("never_accepts", "http", 0.25, 30.0, id="no accept: connect timeout", marks=LINUX_ONLY),
    pytest.param("silent", "http", 30.0, 0.25, id="no answer: read timeout"),
    pytest.param("silent", "https", 0.25, 30.0, id="no TLS handshake: connect timeout"),
    pytest.param("stalled_body", "http", 30.0, 0.25, id="headers then no body: read timeout"),
]


@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize(("behaviour", "scheme", "connect_timeout", "read_timeout"), CASES)
def test_every_request_gives_up_after_its_timeout(
    behaviour: str, scheme: str, connect_timeout: float, read_timeout: float, call: str
) -> None:
    server = StallingServer(behaviour)
    client = HubClient(
        f"{scheme}://127.0.0.1:{server.port}",
        token="jeton",
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    timeout = min(connect_timeout, read_timeout)
    started = time.monotonic()
    try:
        with pytest.raises(HubUnavailable) as unavailable:
            CALLS[call](client)
    finally:
        elapsed = time.monotonic() - started
        client.close()
        server.stop()
    assert unavailable.value.code == "network"
    assert unavailable.value.message.startswith(UNREACHABLE)
    # Ended by the timeout (nothing else can end it: the server neither answers nor closes), and soon.
    assert timeout * 0.9 <= elapsed < timeout + SLACK, elapsed


def test_the_sync_worker_gives_its_timeouts_to_the_client(config: Config, clock: FixedClock) -> None:
    server = StallingServer("silent")
    services = open_services(config, clock)
    statuses: queue.Queue[object] = queue.Queue()
    worker = SyncWorker(config.database_path, statuses, clock, connect_timeout=30.0, read_timeout=0.25)
    try:
        with services.store.transaction() as conn:  # the row pairing leaves, pointing at the silent server
            conn.execute(
                "INSERT INTO hub_link (id, hub_url, token, kiosk_name, collective_id, network_id, paired_at)"
                " VALUES (1, ?, 'jeton', 'Borne', 'c', 'n', '2026-11-25T10:00:00+01:00')",
                (f"http://127.0.0.1:{server.port}",),
            )
        started = time.monotonic()
        worker.start()
        syncing, outcome = statuses.get(timeout=10), statuses.get(timeout=10)
        elapsed = time.monotonic() - started
    finally:
        worker.stop()
        server.stop()
        services.close()
    assert isinstance(syncing, SyncStatus) and syncing.state == SyncState.SYNCING
    assert isinstance(outcome, SyncStatus) and outcome.state == SyncState.OFFLINE
    assert outcome.error_code == "network"
    assert outcome.retry_in is not None  # retried later by itself
    assert elapsed < 0.25 + SLACK, elapsed


def test_a_tls_handshake_cut_short_is_a_network_error_not_a_refused_certificate() -> None:
    # The hub (or its proxy) closes the connection during the handshake, as when it restarts: nothing was
    # said about the certificate, so the worker must retry later, not stop until a librarian acts.
    server = StallingServer("closes")
    client = HubClient(f"https://127.0.0.1:{server.port}", connect_timeout=2.0, read_timeout=2.0)
    try:
        with pytest.raises(HubUnavailable) as unavailable:
            client.health()
    finally:
        client.close()
        server.stop()
    assert unavailable.value.code == "network"
    assert unavailable.value.message.startswith(UNREACHABLE)
