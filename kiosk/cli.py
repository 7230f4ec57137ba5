"""`kiosk` command line. Every error prints a sentence (and its next step), never a traceback."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from kiosk import __version__
from kiosk.config import Config, load_config
from kiosk.errors import KioskError
from kiosk.i18n import set_language
from kiosk.paths import default_data_dir

log = logging.getLogger("kiosk")

EXIT_OK = 0
EXIT_NEEDS_ACTION = 1
EXIT_ERROR = 2
EXIT_UNEXPECTED = 70


def parse_date(text: str) -> date:
    """`25/11/2026` (as librarians type it) or `2026-11-25`."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date attendue comme 25/11/2026, reçu « {text} »")


def demo_config(config: Config) -> Config:
    """The demo kiosk: its own data folder and the demo card key (so the demo cards always work)."""
    from kiosk.demo import DEMO_CARD_KEY

    data_dir = config.kiosk.data_dir or str(default_data_dir() / "demo")
    return replace(
        config,
        kiosk=replace(config.kiosk, data_dir=data_dir),
        security=replace(config.security, card_key=DEMO_CARD_KEY.hex()),
    )


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    if getattr(args, "demo", False):
        config = demo_config(config)
    set_language(config.kiosk.language)
    return config


def parse_size(text: str) -> tuple[int, int]:
    """`1280x800` → (1280, 800): a window size for `kiosk run --windowed --size`."""
    width, sep, height = text.lower().replace("×", "x").partition("x")
    try:
        size = (int(width), int(height))
    except ValueError:
        size = (0, 0)
    if not sep or not (320 <= size[0] <= 7680 and 240 <= size[1] <= 4320):
        raise argparse.ArgumentTypeError(f"taille attendue comme 1280x800, reçu « {text} »")
    return size


def cmd_run(args: argparse.Namespace) -> int:
    from kiosk.services import open_services

    config = _config(args)
    services = open_services(config)
    try:
        if args.demo and not services.store.query_one("SELECT 1 FROM members LIMIT 1"):
            from kiosk.demo import generate_demo

            print("Préparation des données de démonstration…")
            summary = generate_demo(services)
            print(summary.describe())
    finally:
        services.close()
    from kiosk.app import run  # imports Kivy, after the environment it reads is set

    return run(config, demo=args.demo, windowed=args.windowed or args.size is not None, size=args.size)


def cmd_demo_data(args: argparse.Namespace) -> int:
    from kiosk.demo import generate_demo
    from kiosk.services import open_services

    services = open_services(_config(args))
    try:
        if services.store.query_one("SELECT 1 FROM members LIMIT 1") and not args.force:
            print(
                "La base contient déjà des membres : rien n’a été ajouté. "
                "Ajoutez --force pour compléter quand même.",
                file=sys.stderr,
            )
            return EXIT_ERROR
        print(generate_demo(services, seed=args.seed).describe())
    finally:
        services.close()
    return EXIT_OK


def cmd_import_register(args: argparse.Namespace) -> int:
    from kiosk.register_csv import import_register
    from kiosk.services import open_services

    services = open_services(_config(args))
    try:
        report = import_register(services, Path(args.file), dry_run=args.dry_run)
    finally:
        services.close()
    print(report.describe())
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_export(args: argparse.Namespace) -> int:
    if args.end < args.start:
        print("La date de fin précède la date de début.", file=sys.stderr)
        return EXIT_ERROR
    from kiosk.register_csv import export_exchanges
    from kiosk.services import open_services

    services = open_services(_config(args))
    try:
        count = export_exchanges(services, Path(args.file), args.start, args.end)
    finally:
        services.close()
    print(f"{count} échange(s) exporté(s) dans {args.file}.")
    return EXIT_OK


def cmd_pair(args: argparse.Namespace) -> int:
    from sync_client.cli_commands import pair_command

    return pair_command(_config(args), args.hub_url, args.code)


def cmd_sync(args: argparse.Namespace) -> int:
    from sync_client.cli_commands import sync_once_command

    if not args.once:
        print(
            "La synchronisation continue tourne dans la borne elle-même ; "
            "utilisez « kiosk sync --once » pour une synchronisation immédiate.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return sync_once_command(_config(args))


def cmd_tap(args: argparse.Namespace) -> int:
    from hardware.nfc import NfcSettings
    from hardware.nfc_cli import tap_command

    config = _config(args)
    return tap_command(config, args.timeout, settings=NfcSettings(feedback=config.nfc.feedback))


def cmd_doctor(args: argparse.Namespace) -> int:
    from hardware.device_doctor import (
        CARD_QUICK_LOOK,
        card_read_check,
        display_check,
        printer_check,
        scanner_check,
        system_roots,
        touch_check,
    )
    from hardware.nfc_doctor import nfc_checks
    from kiosk.doctor import Status, run_checks
    from sync_client.doctor_checks import check_hub

    config = load_config(args.config)
    set_language(config.kiosk.language)
    report = run_checks(config)
    sys_root, dev_root = system_roots()
    # `[nfc] enabled = false`: a kiosk that works with QR passes only; a missing reader then only warns.
    nfc = nfc_checks(required=config.nfc.enabled)
    device_checks = [*nfc]
    if any(name == "lecteurs NFC" and status == "ok" for name, status, _ in nfc):
        device_checks.append(_card_read(config, card_read_check, args.card, CARD_QUICK_LOOK))
    device_checks += [
        display_check(sys_root, dev_root, os.environ),
        touch_check(sys_root, dev_root),
        printer_check(config),
        scanner_check(config),
    ]
    for name, status, message in device_checks:
        report.add(name, Status(status), message)
    check_hub(report, config)
    print(report.to_json() if args.json else report.describe())
    return EXIT_OK if report.ok else EXIT_NEEDS_ACTION


def _card_read(
    config: Config, check: Callable[..., tuple[str, str, str]], wait: float | None, quick: float
) -> tuple[str, str, str]:
    """A card read through the kiosk's own reader monitor (pyscard is there: readers were listed)."""
    from hardware.nfc import NfcSettings, PcscNfcReader
    from hardware.nfc_cli import resolve_card_key

    key = resolve_card_key(config) or bytes(32)  # the hash is not shown: any key reads the card
    settings = NfcSettings(feedback=config.nfc.feedback)
    return check(lambda events: PcscNfcReader(events, key, settings), wait or quick, wait is not None)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="fichier de configuration du site (TOML)")
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Kiosque des savoirs — borne d’échanges de savoirs."
    )
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    def add(name: str, handler: Callable[[argparse.Namespace], int], text: str) -> argparse.ArgumentParser:
        command = sub.add_parser(name, parents=[common], help=text, description=text)
        command.set_defaults(handler=handler)
        return command

    run = add("run", cmd_run, "lancer la borne")
    run.add_argument("--demo", action="store_true", help="données et matériel de démonstration")
    run.add_argument("--windowed", action="store_true", help="dans une fenêtre plutôt qu’en plein écran")
    run.add_argument(
        "--size",
        type=parse_size,
        metavar="LxH",
        help="taille de la fenêtre (défaut 800x480, l’écran officiel 7 pouces) ; implique --windowed",
    )

    demo = add("demo-data", cmd_demo_data, "créer un collectif de démonstration réaliste")
    demo.add_argument("--seed", type=int, default=2026, help="graine (mêmes données à chaque fois)")
    demo.add_argument("--force", action="store_true", help="ajouter même si la base a des membres")
    demo.set_defaults(demo=False)

    imp = add("import-register", cmd_import_register, "importer un registre papier saisi en CSV")
    imp.add_argument("file", metavar="FICHIER.csv")
    imp.add_argument("--dry-run", action="store_true", help="vérifier sans rien importer")

    exp = add("export", cmd_export, "exporter les échanges (CSV pour Excel)")
    exp.add_argument("file", metavar="FICHIER.csv")
    exp.add_argument("--from", dest="start", type=parse_date, required=True, metavar="DATE")
    exp.add_argument("--to", dest="end", type=parse_date, required=True, metavar="DATE")

    tap = add("tap", cmd_tap, "attendre une carte sur un lecteur et afficher son identifiant (JSON)")
    tap.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="secondes d’attente (défaut 30 ; 0 : sans limite)",
    )

    pair = add("pair", cmd_pair, "appairer la borne avec le hub du collectif")
    pair.add_argument("hub_url", metavar="ADRESSE_DU_HUB")
    pair.add_argument("code", metavar="CODE")

    sync = add("sync", cmd_sync, "synchroniser avec le hub")
    sync.add_argument("--once", action="store_true", help="une synchronisation, puis s’arrêter")

    doctor = add("doctor", cmd_doctor, "vérifier la borne : matériel, hub, heure, base, disque, sauvegardes")
    doctor.add_argument("--json", action="store_true", help="résultat en JSON pour les scripts")
    doctor.add_argument(
        "--card",
        type=float,
        nargs="?",
        const=20.0,
        metavar="S",
        help="tester la lecture d’une carte posée sur le lecteur (attente : 20 s)",
    )

    from kiosk.cli_ops import add_ops_commands
    from kiosk.cli_staff import add_staff_commands

    add_ops_commands(add)
    add_staff_commands(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except KioskError as error:
        print(error.text(), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return EXIT_ERROR
    except Exception:
        log_path = _log_unexpected()
        print(
            "Une erreur inattendue est survenue ; rien n’a été perdu de ce qui était déjà enregistré. "
            f"Le détail est dans {log_path}.",
            file=sys.stderr,
        )
        return EXIT_UNEXPECTED


def _log_unexpected() -> Path:
    """Keep the traceback for whoever maintains the kiosk, out of the person's sight."""
    path = default_data_dir() / "logs" / "kiosk-errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat()}\n{traceback.format_exc()}\n")
    except OSError:
        return Path("/dev/stderr")
    return path


if __name__ == "__main__":
    sys.exit(main())
