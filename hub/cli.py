"""`kiosk-hub`: run the hub and administer it (collectives, pairing codes, kiosks).

Every command takes `--json` for scripts; every error prints a sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from hub import admin, cli_draw, cli_opendata, cli_rotation, cli_web, themes
from hub.db import DB_ENV, Database
from hub.util import format_code

EXIT_OK = 0
EXIT_ERROR = 2


def _out(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if args.json else text)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hub.transport import event_loop, http_protocol

    db = Database(args.db)
    admin.init(db)  # once, here, before any worker process starts
    db.dispose()
    print(f"Hub : base {db.kind}, écoute sur http://{args.host}:{args.port}", flush=True)
    if args.opendata_dir:  # issue 9: open data at start, then daily, in this (parent) process only
        cli_opendata.DailyExport(db.url, Path(args.opendata_dir)).start()
    if args.workers > 1:
        os.environ[DB_ENV] = db.url  # each worker process opens its own engine
        uvicorn.run(
            "hub.app:factory",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            http=http_protocol(),
            loop=event_loop(),
            log_level=args.log_level,
            timeout_graceful_shutdown=5,
        )
    else:
        from hub.app import create_app, settle_gc

        app = create_app(Database(db.url))
        settle_gc()
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            http=http_protocol(),
            loop=event_loop(),
            log_level=args.log_level,
            timeout_graceful_shutdown=5,
        )
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    db = Database(args.db)
    admin.init(db)
    _out(args, {"database": db.kind, "ok": True}, f"Base du hub prête ({db.kind}).")
    return EXIT_OK


def cmd_collective_add(args: argparse.Namespace) -> int:
    db = Database(args.db)
    admin.init(db)
    collective = admin.add_collective(db, args.name, args.quartier, args.network)
    _out(
        args,
        {"id": collective.id, "name": collective.name, "quartier": collective.quartier},
        f"Collectif « {collective.name} » créé : id {collective.id}\n"
        f'(à mettre dans la configuration des bornes : [collective] id = "{collective.id}")',
    )
    return EXIT_OK


def _qr_text(code: str) -> str | None:
    try:
        import qrcode  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return None
    qr = qrcode.QRCode(border=1)
    qr.add_data(code)
    buffer = io.StringIO()
    qr.print_ascii(out=buffer, invert=True)
    return buffer.getvalue()


def cmd_pairing_code(args: argparse.Namespace) -> int:
    db = Database(args.db)
    collective = admin.find_collective(db, args.collective)
    if collective is None:
        print(f"Collectif inconnu : « {args.collective} ».", file=sys.stderr)
        return EXIT_ERROR
    code, expires_at = admin.create_pairing_code(db, collective.id)
    if args.json:
        _out(args, {"code": code, "expires_at": expires_at, "collective_id": collective.id}, "")
        return EXIT_OK
    lines = [
        f"Code d’appairage pour « {collective.name} » : {format_code(code)}",
        f"Valable une seule fois, jusqu’à {expires_at} (UTC).",
    ]
    qr = _qr_text(code)
    lines.append(qr if qr else "(QR non affiché : le paquet Python « qrcode » n’est pas installé.)")
    print("\n".join(lines))
    return EXIT_OK


def cmd_kiosk_list(args: argparse.Namespace) -> int:
    kiosks = admin.list_kiosks(Database(args.db))
    lines = [
        f"{k['id']}  {k['collective_id']:<20} {k['name']:<24} "
        f"{'RÉVOQUÉE' if k['revoked_at'] else 'active'}  vue {k['last_seen_at'] or '-'}"
        f"  décalage {k['skew_ms'] if k['skew_ms'] is not None else '?'} ms"
        f"  en attente {k['pending_events'] if k['pending_events'] is not None else '?'}"
        for k in kiosks
    ]
    _out(args, kiosks, "\n".join(lines) or "Aucune borne appairée.")
    return EXIT_OK


def cmd_kiosk_revoke(args: argparse.Namespace) -> int:
    revoked = admin.revoke_kiosk(Database(args.db), args.kiosk_id)
    if not revoked:
        print(f"Aucune borne active avec l’id {args.kiosk_id}.", file=sys.stderr)
        return EXIT_ERROR
    _out(args, {"id": args.kiosk_id, "revoked": True}, f"Borne {args.kiosk_id} révoquée.")
    return EXIT_OK


def cmd_theme_add(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        collective = admin.find_collective(db, args.collective)
        if collective is None:
            print(f"Collectif inconnu : « {args.collective} ».", file=sys.stderr)
            return EXIT_ERROR
        event_id = themes.add_theme(db, collective.id, args.theme_id, args.fr, args.en, args.parent)
    finally:
        db.dispose()
    _out(
        args,
        {"event_id": event_id, "theme_id": args.theme_id},
        f"Thème « {args.theme_id} » ajouté au collectif « {collective.name} » :"
        " ses bornes le recevront à leur prochaine synchronisation.",
    )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help=f"base (sqlite:///… ou postgresql://…; sinon ${DB_ENV})")
    common.add_argument("--json", action="store_true", help="résultat en JSON pour les scripts")
    parser = argparse.ArgumentParser(prog="kiosk-hub", description="Hub des Kiosques des savoirs.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    serve = sub.add_parser("serve", parents=[common], help="lancer le serveur")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=int, default=1, help="processus (PostgreSQL conseillé au-delà de 1)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--opendata-dir",
        metavar="DOSSIER",
        help="exporter les données ouvertes au démarrage puis chaque jour",
    )
    serve.set_defaults(handler=cmd_serve)

    sub.add_parser("init", parents=[common], help="créer ou mettre à jour la base").set_defaults(
        handler=cmd_init
    )

    collective = sub.add_parser("collective", help="collectifs").add_subparsers(dest="action", required=True)
    add = collective.add_parser("add", parents=[common], help="ajouter un collectif")
    add.add_argument("name", metavar="NOM")
    add.add_argument("--quartier", required=True)
    add.add_argument(
        "--network", default=admin.DEFAULT_NETWORK, help="réseau (par défaut : le réseau du hub)"
    )
    add.set_defaults(handler=cmd_collective_add)

    code = sub.add_parser("pairing-code", parents=[common], help="code d’appairage à usage unique (15 min)")
    code.add_argument("collective", metavar="COLLECTIF", help="id ou nom du collectif")
    code.set_defaults(handler=cmd_pairing_code)

    kiosk = sub.add_parser("kiosk", help="bornes").add_subparsers(dest="action", required=True)
    kiosk.add_parser("list", parents=[common], help="bornes appairées").set_defaults(handler=cmd_kiosk_list)
    revoke = kiosk.add_parser("revoke", parents=[common], help="révoquer une borne (son jeton)")
    revoke.add_argument("kiosk_id", metavar="KIOSK_ID")
    revoke.set_defaults(handler=cmd_kiosk_revoke)
    theme = sub.add_parser("theme", help="thèmes propres à un collectif").add_subparsers(
        dest="action", required=True
    )
    theme_add = theme.add_parser(
        "add", parents=[common], help="ajouter un thème aux bornes d’un collectif (absent du catalogue)"
    )
    theme_add.add_argument("collective", metavar="COLLECTIF", help="id ou nom du collectif")
    theme_add.add_argument("theme_id", metavar="THEME_ID", help="ex. jardinage.lombricompost")
    theme_add.add_argument("--fr", required=True, metavar="LIBELLÉ", help="libellé en français")
    theme_add.add_argument("--en", required=True, metavar="LIBELLÉ", help="libellé en anglais")
    theme_add.add_argument(
        "--parent", metavar="PARENT_ID", help="thème parent d’un sous-thème (ex. jardinage)"
    )
    theme_add.set_defaults(handler=cmd_theme_add)
    cli_draw.register(sub)
    cli_opendata.register(sub, common)
    cli_web.register(sub)  # coordinators' accounts (issue 9)
    cli_rotation.register(sub, common)  # the card key rotation (issue 9)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    except SQLAlchemyError as error:
        print(f"La base du hub est inaccessible : {error.__class__.__name__} ({error}).", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_OK
