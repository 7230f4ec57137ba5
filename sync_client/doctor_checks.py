"""`kiosk doctor` checks about the hub: reachable, token valid, clock skew (kiosk/doctor.py calls this)."""

from __future__ import annotations

from datetime import datetime

from kiosk.clock import SystemClock
from kiosk.config import Config
from kiosk.doctor import Report, Status
from kiosk.errors import KioskError
from kiosk.store import Store
from sync_client.cli_commands import hub_settings
from sync_client.client import HubClient, HubError, HubUnauthorized
from sync_client.engine import read_link

SKEW_WARN_MS = 10_000
SKEW_FAIL_MS = 10 * 60_000


def check_hub(report: Report, config: Config, now: datetime | None = None) -> None:
    if not config.database_path.exists():
        report.add("hub", Status.WARN, "borne pas encore lancée ni appairée.")
        return
    try:
        store = Store.open(config.database_path)
    except KioskError as error:
        report.add("hub", Status.FAIL, error.text())
        return
    try:
        link = read_link(store.conn)
        pending = store.conn.execute(
            "SELECT count(*) FROM journal WHERE origin = 'local' AND pushed = 0"
        ).fetchone()[0]
        refused = store.conn.execute("SELECT count(*) FROM sync_rejections").fetchone()[0]
    finally:
        store.close()
    if link is None:
        report.add(
            "hub", Status.WARN, "borne non appairée (autonome) : « kiosk pair ADRESSE CODE » pour la relier."
        )
        return
    url, ca_file = hub_settings(config)
    client = HubClient(url or link.hub_url, link.token, ca_file, connect_timeout=3, read_timeout=5)
    try:
        _checks(report, client, now or SystemClock(config.kiosk.timezone).now())
    finally:
        client.close()
    last = link.last_success_at or "jamais"
    report.add(
        "synchronisation",
        Status.WARN if refused else Status.OK,
        f"{pending} évènement(s) à envoyer, dernière réussite : {last}"
        + (f" ; {refused} refusé(s) par le hub : à examiner." if refused else "."),
    )


def _checks(report: Report, client: HubClient, now: datetime) -> None:
    try:
        health = client.health()
    except HubError as error:
        report.add(
            "hub", Status.FAIL, f"{client.base_url} injoignable ({error.message}) : vérifiez le réseau."
        )
        return
    report.add(
        "hub", Status.OK, f"{client.base_url} répond (protocole {health.protocol}, base {health.database})."
    )
    try:
        me = client.whoami(kiosk_time=now)
    except HubUnauthorized as error:
        report.add("jeton", Status.FAIL, f"{error.message} Demandez un nouveau code d’appairage au hub.")
        return
    except HubError as error:
        report.add("jeton", Status.WARN, f"non vérifié ({error.message}).")
        return
    report.add("jeton", Status.OK, f"valide : borne « {me.kiosk_name} » du collectif {me.collective_id}.")
    skew = me.skew_ms or 0
    text = f"{skew / 1000:+.1f} s par rapport au hub"
    if abs(skew) >= SKEW_FAIL_MS:
        report.add(
            "horloge", Status.FAIL, f"{text} : réglez l’heure (NTP) ; les heures enregistrées sont fausses."
        )
    elif abs(skew) >= SKEW_WARN_MS:
        report.add("horloge", Status.WARN, f"{text} : l’horloge dérive, vérifiez la synchronisation NTP.")
    else:
        report.add("horloge", Status.OK, text + ".")
