"""`kiosk-hub network rotate-card-key start|finish|status NETWORK_ID [--json]`: the card key rotation.

The same procedure as the coordinators' page « Clé des cartes » (hub/rotation.py says what each step does).
"""

from __future__ import annotations

import argparse
import json
import sys

from hub import rotation
from hub.db import Database

EXIT_OK = 0
EXIT_ERROR = 2


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    network = sub.add_parser("network", help="réseaux").add_subparsers(dest="action", required=True)
    rotate = network.add_parser(
        "rotate-card-key",
        parents=[common],
        help="changer la clé des cartes du réseau (start, puis finish ; status : avancement)",
    )
    rotate.add_argument("step", choices=("start", "finish", "status"), metavar="start|finish|status")
    rotate.add_argument("network_id", metavar="NETWORK_ID")
    rotate.set_defaults(handler=cmd_rotate_card_key)


def cmd_rotate_card_key(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        if args.step == "start":
            rotation.start(db, args.network_id)
        elif args.step == "finish":
            done = rotation.finish(db, args.network_id)
            if not args.json:
                print(
                    f"Nouvelle clé en service. Cartes gardées : {done.kept} ; cartes à enrôler à nouveau "
                    f"à leur prochain passage : {done.forgotten}."
                )
        now = rotation.status(db, args.network_id)
    except rotation.RotationError as error:
        print(str(error), file=sys.stderr)
        return EXIT_ERROR
    finally:
        db.dispose()
    if args.json:
        data = now.as_dict()
        if args.step == "finish":
            data |= {"kept": done.kept, "forgotten": done.forgotten}
        print(json.dumps(data, ensure_ascii=False))
    elif now.in_progress:
        print(
            f"Changement de clé en cours depuis le {now.started_at} (réseau « {now.network_name} ») : "
            f"{now.rekeyed} carte(s) sur {now.active_cards} déjà passée(s) sur une borne, "
            f"{now.remaining} restante(s)."
        )
    elif args.step == "status":
        print(f"Aucun changement de clé en cours (réseau « {now.network_name} », {now.active_cards} cartes).")
    return EXIT_OK
