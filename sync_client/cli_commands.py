"""What `kiosk pair HUB_URL CODE` and `kiosk sync --once` do (kiosk/cli.py calls these).

Return codes follow kiosk.cli: 0 ok, 1 needs a person's action (events refused by the hub), 2 error.
"""

from __future__ import annotations

import sys
from typing import Any

from kiosk.config import Config
from kiosk.services import open_services
from sync_client.client import HubClient, HubError, HubRefused
from sync_client.engine import KioskTooOld, SyncEngine, read_link
from sync_client.pairing import pair_kiosk

EXIT_OK = 0
EXIT_NEEDS_ACTION = 1
EXIT_ERROR = 2


def hub_settings(config: Config) -> tuple[str | None, str | None]:
    """(url, ca_file) from the config's `[hub]` section, None where empty or absent."""
    section: Any = getattr(config, "hub", None)
    url = getattr(section, "url", "") or None
    ca_file = getattr(section, "ca_file", "") or None
    return url, ca_file


def pair_command(config: Config, hub_url: str, code: str) -> int:
    services = open_services(config)
    _, ca_file = hub_settings(config)
    try:
        client = HubClient(hub_url, ca_file=ca_file)
        try:
            paired = pair_kiosk(
                services.store, client, code, config.kiosk.name, configured_card_key=config.card_key_bytes()
            )
        finally:
            client.close()
    except HubError as error:
        print(f"Appairage impossible : {error.message}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        services.close()
    print(f"Borne appairée au collectif « {paired.collective_name} » ({paired.collective_id}).")
    print(f"Identifiant de la borne : {paired.kiosk_id}")
    if paired.card_key_changed:
        print("La borne utilise désormais la clé de cartes du réseau.")
    print("Lancez « kiosk sync --once » pour une première synchronisation.")
    return EXIT_OK


def sync_once_command(config: Config) -> int:
    services = open_services(config)
    url, ca_file = hub_settings(config)
    try:
        link = read_link(services.store.conn)
        if link is None:
            print(
                "Cette borne n’est pas appairée : lancez d’abord « kiosk pair ADRESSE CODE ».",
                file=sys.stderr,
            )
            return EXIT_ERROR
        client = HubClient(url or link.hub_url, link.token, ca_file)
        try:
            report = SyncEngine(services.store, client, services.ctx.clock).sync_once()
        except (HubError, KioskTooOld) as error:
            message = error.message if isinstance(error, HubError) else str(error)
            kind = (
                "refusée"
                if isinstance(error, HubRefused | KioskTooOld)
                else "interrompue (réessayez plus tard)"
            )
            print(f"Synchronisation {kind} : {message}", file=sys.stderr)
            return EXIT_ERROR
        finally:
            client.close()
    finally:
        services.close()
    print(report.describe())
    return EXIT_NEEDS_ACTION if report.rejected or report.apply_errors else EXIT_OK
