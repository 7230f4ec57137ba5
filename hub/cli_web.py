"""`kiosk-hub coordinator add|list|remove`: the accounts of the coordinators' web pages (hub/web/).

The password is typed twice at a prompt (never on the command line, where `ps` and the shell history would
keep it), or read from the first line of standard input with --password-stdin (for scripts).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from hub import admin
from hub.db import DB_ENV, Database
from hub.web.accounts import add_coordinator, list_coordinators, remove_coordinator

EXIT_OK = 0
EXIT_ERROR = 2


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help=f"base (sqlite:///… ou postgresql://…; sinon ${DB_ENV})")
    common.add_argument("--json", action="store_true", help="résultat en JSON pour les scripts")
    return common


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    common = _common()
    parser = sub.add_parser("coordinator", help="comptes des coordinateurs (pages web du hub)")
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", parents=[common], help="créer un compte de coordinateur")
    add.add_argument("email", metavar="EMAIL")
    scope = add.add_mutually_exclusive_group(required=True)
    scope.add_argument("--collective", metavar="ID", help="coordinateur d’un collectif (id ou nom)")
    scope.add_argument("--network", metavar="ID", help="coordinateur de tout un réseau")
    add.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l’entrée standard"
    )
    add.set_defaults(handler=cmd_add)
    actions.add_parser("list", parents=[common], help="comptes existants").set_defaults(handler=cmd_list)
    remove = actions.add_parser("remove", parents=[common], help="supprimer un compte (et ses sessions)")
    remove.add_argument("email", metavar="EMAIL")
    remove.set_defaults(handler=cmd_remove)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe (12 caractères au moins) : ")
    if getpass.getpass("Le même, encore une fois : ") != first:
        raise ValueError("Les deux mots de passe sont différents : rien n’a été créé.")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    db = Database(args.db)
    admin.init(db)
    collective_id = None
    if args.collective is not None:
        collective = admin.find_collective(db, args.collective)
        if collective is None:
            raise ValueError(f"Collectif inconnu : « {args.collective} ».")
        collective_id = collective.id
    coordinator = add_coordinator(
        db, args.email, _password(args.password_stdin), collective_id=collective_id, network_id=args.network
    )
    where = (
        f"du collectif {coordinator.collective_id}"
        if coordinator.role == "collective"
        else f"du réseau {coordinator.network_id}"
    )
    data = {
        "email": coordinator.email,
        "role": coordinator.role,
        "network_id": coordinator.network_id,
        "collective_id": coordinator.collective_id,
    }
    text = f"Compte créé : {coordinator.email}, coordination {where}. Pages : <hub>/coordination/"
    print(json.dumps(data, ensure_ascii=False) if args.json else text)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    coordinators = list_coordinators(Database(args.db))
    if args.json:
        rows = [
            {"email": c.email, "role": c.role, "network_id": c.network_id, "collective_id": c.collective_id}
            for c in coordinators
        ]
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    lines = [
        f"{c.email:<40} "
        + (f"collectif {c.collective_id}" if c.role == "collective" else f"réseau {c.network_id}")
        for c in coordinators
    ]
    print("\n".join(lines) or "Aucun compte de coordinateur.")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    if not remove_coordinator(Database(args.db), args.email):
        print(f"Aucun compte pour {args.email}.", file=sys.stderr)
        return EXIT_ERROR
    data = {"email": args.email, "removed": True}
    print(json.dumps(data) if args.json else f"Compte {args.email} supprimé (ses sessions sont fermées).")
    return EXIT_OK
