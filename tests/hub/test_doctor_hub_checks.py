"""`kiosk doctor`'s hub checks when something is wrong: the hub out of reach, the kiosk's token revoked on
the hub, the kiosk's clock off (sync_client/doctor_checks.py, as kiosk/cli.py's `doctor` calls it).

Every case is a real paired kiosk and the real hub over HTTP; the unreachable hub is a closed port of
127.0.0.1, the revocation is the hub's own admin, and the clock is the kiosk's clock set off.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hub import admin
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.doctor import Check, Report, Status
from sync_client.doctor_checks import SKEW_FAIL_MS, SKEW_WARN_MS, check_hub
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.servers import free_port


def _paired(hub: HubHandle, folder: Path, name: str) -> Kiosk:
    collective = hub.collective(name)
    kiosk = Kiosk(folder, collective, name="Borne du hall")
    kiosk.pair(hub, collective)
    return kiosk


def _doctor(config: Config, now: datetime | None = None) -> dict[str, Check]:
    report = Report()
    check_hub(report, config, now)
    checks = {check.name: check for check in report.checks}
    assert len(checks) == len(report.checks), "a check reported twice"
    return checks


def test_an_unreachable_hub_is_a_failure_that_says_so(hub: HubHandle, tmp_path: Path) -> None:
    kiosk = _paired(hub, tmp_path / "kiosk", "Savoirs des Buttes")
    kiosk.close()
    # The hub's address in the kiosk's config (it wins over the one stored at pairing): nothing listens.
    closed = f"http://127.0.0.1:{free_port()}"
    config = replace(kiosk.config, hub=replace(kiosk.config.hub, url=closed))
    checks = _doctor(config)
    assert checks["hub"].status is Status.FAIL
    assert checks["hub"].message.startswith(f"{closed} injoignable (Hub injoignable")
    assert checks["hub"].message.endswith(": vérifiez le réseau.")
    assert "jeton" not in checks and "horloge" not in checks  # nothing more can be checked
    assert checks["synchronisation"].message.startswith("0 évènement(s) à envoyer")
    assert _doctor(kiosk.config)["hub"].status is Status.OK  # the same kiosk, its real hub: fine


def test_a_revoked_kiosk_is_told_its_token_is_refused(hub: HubHandle, tmp_path: Path) -> None:
    kiosk = _paired(hub, tmp_path / "kiosk", "Savoirs du Télégraphe")
    kiosk_id = kiosk.kiosk_id
    kiosk.close()
    assert _doctor(kiosk.config)["jeton"].status is Status.OK
    assert admin.revoke_kiosk(hub.db, kiosk_id)
    checks = _doctor(kiosk.config)
    assert checks["hub"].status is Status.OK  # the hub answers; it refuses this kiosk
    assert checks["jeton"].status is Status.FAIL
    assert checks["jeton"].message == (
        "Cette borne a été révoquée sur le hub : appairez-la à nouveau."
        " Demandez un nouveau code d’appairage au hub."
    )
    assert "horloge" not in checks


def test_a_kiosk_clock_off_from_the_hub_warns_then_fails(hub: HubHandle, tmp_path: Path) -> None:
    assert (SKEW_WARN_MS, SKEW_FAIL_MS) == (10_000, 600_000)  # the thresholds the offsets below straddle
    kiosk = _paired(hub, tmp_path / "kiosk", "Savoirs de Ménilmontant")
    kiosk.close()
    cases = [
        (timedelta(0), Status.OK, "."),
        (timedelta(seconds=-40), Status.WARN, "l’horloge dérive, vérifiez la synchronisation NTP."),
        (timedelta(minutes=9), Status.WARN, "l’horloge dérive, vérifiez la synchronisation NTP."),
        (timedelta(minutes=15), Status.FAIL, "réglez l’heure (NTP) ; les heures enregistrées sont fausses."),
        (timedelta(minutes=-15), Status.FAIL, "réglez l’heure (NTP) ; les heures enregistrées sont fausses."),
    ]
    for offset, status, advice in cases:
        clock = FixedClock(datetime.now(UTC) + offset)  # the kiosk's own clock, set off
        checks = _doctor(kiosk.config, clock.now())
        assert checks["hub"].status is Status.OK and checks["jeton"].status is Status.OK
        found = checks["horloge"]
        assert found.status is status, (offset, found)
        assert found.message.endswith(advice)
        # The skew the hub measured, in seconds: the offset, give or take the request's own time.
        shown = re.match(r"([+-]\d+\.\d) s par rapport au hub", found.message)
        assert shown is not None, found.message
        assert abs(float(shown.group(1)) - offset.total_seconds()) < 3
