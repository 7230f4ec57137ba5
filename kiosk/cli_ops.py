"""The operations commands of `kiosk` (deploy plan): backup, restore, update install|confirm|check|rollback.

Kept out of kiosk/cli.py for size; registered there by `add_ops_commands`. Each prints one sentence and
returns the CLI's exit status (0 done, 1 action needed, 2 refused or failed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.backup import BACKUP_FOLDER, DEFAULT_KEEP, BackupError, make_backup, prune_backups, restore
from kiosk.config import Config, load_config
from kiosk.i18n import set_language
from kiosk.update import Installation, SystemctlRunner, UpdateError, install_root, pip_builder
from kiosk.update import check as update_check
from kiosk.update import confirm as update_confirm
from kiosk.update import install as update_install
from kiosk.update import rollback as update_rollback

EXIT_OK, EXIT_NEEDS_ACTION, EXIT_ERROR = 0, 1, 2
Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    set_language(config.kiosk.language)
    return config


def cmd_backup(args: argparse.Namespace) -> int:
    config = _config(args)
    dest = Path(args.dest) if args.dest else config.data_dir / BACKUP_FOLDER
    try:
        path, info = make_backup(config.database_path, dest)
    except BackupError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    removed = prune_backups(dest, info.kiosk_id, args.keep)
    print(
        f"Sauvegarde faite : {path} ({info.size // 1024} Kio, {info.last_seq} évènement(s))"
        + (f" ; {len(removed)} ancienne(s) supprimée(s)." if removed else ".")
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    config = _config(args)
    try:
        done = restore(Path(args.file), config.database_path, config.data_dir, force=args.force)
    except BackupError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    kept = f" L’ancienne base est gardée sous {done.kept_as}." if done.kept_as else ""
    print(f"Base restaurée depuis {args.file} ({done.info.last_seq} évènement(s)).{kept}")
    return EXIT_OK


def _check_argv(inst: Installation, config_path: str | None) -> list[str]:
    """`kiosk update check` as run by the version installed *before* the switch (it is known to work)."""
    venv = Path(sys.prefix).resolve()
    python = str(venv / "bin" / "python") if inst.running_version() else sys.executable
    argv = [python, "-m", "kiosk.cli", "update", "check", "--root", str(inst.root)]
    return argv + (["--config", config_path] if config_path else [])


def cmd_update(args: argparse.Namespace) -> int:
    config = _config(args)
    inst = Installation(install_root(args.root))
    data_dir = config.data_dir
    systemd = None if getattr(args, "no_restart", False) else SystemctlRunner()
    try:
        if args.action == "install":
            pip_args = ["--no-index", "--find-links", args.find_links] if args.find_links else []
            pending = update_install(
                Path(args.source),
                inst,
                data_dir,
                builder=pip_builder(pip_args=pip_args),
                systemd=systemd,
                check_argv=_check_argv(inst, args.config),
            )
            print(
                f"Version {pending.new} installée et activée (avant : {pending.previous or 'aucune'}). "
                f"Elle doit se déclarer en bonne santé avant {pending.deadline}, sinon retour automatique."
            )
        elif args.action == "confirm":
            done = update_confirm(inst, data_dir)
            print(f"Version {done.new} confirmée." if done else "Aucune mise à jour en attente.")
        elif args.action == "check":
            outcome = update_check(inst, data_dir, systemd=systemd)
            print(
                {
                    "ok": "Aucune mise à jour en attente.",
                    "waiting": "Une mise à jour attend encore sa confirmation (délai non écoulé).",
                    "rolled_back": "La nouvelle version ne s’est pas confirmée : retour à la précédente.",
                }[outcome]
            )
            return EXIT_NEEDS_ACTION if outcome == "rolled_back" else EXIT_OK
        else:
            target = update_rollback(inst, data_dir, systemd=systemd)
            print(f"Retour à la version {target}.")
    except (UpdateError, OSError) as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def add_ops_commands(add: Add) -> None:
    backup = add("backup", cmd_backup, "sauvegarder la base (sauvegarde en ligne SQLite)")
    backup.add_argument(
        "--dest", metavar="DOSSIER", help="dossier des sauvegardes (défaut : données/backups)"
    )
    backup.add_argument(
        "--keep", type=int, default=DEFAULT_KEEP, metavar="N", help=f"garder les N dernières ({DEFAULT_KEEP})"
    )

    rest = add("restore", cmd_restore, "remettre une sauvegarde en place (borne arrêtée)")
    rest.add_argument("file", metavar="FICHIER.sqlite3")
    rest.add_argument(
        "--force", action="store_true", help="même depuis une autre borne, ou la borne en marche"
    )

    update = add("update", cmd_update, "installer, confirmer, vérifier ou annuler une mise à jour")
    actions = update.add_subparsers(dest="action", required=True, metavar="ACTION")
    root_help = "racine de l’installation (défaut : $KIOSK_INSTALL_ROOT ou /opt/kiosque)"
    for name, text in (
        ("install", "installer une roue (.whl) ou un dossier source à côté de la version actuelle"),
        ("confirm", "déclarer la version en marche en bonne santé"),
        ("check", "revenir en arrière si la nouvelle version ne s’est pas confirmée à temps"),
        ("rollback", "revenir à la version précédente"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS)
        action.add_argument("--root", metavar="DOSSIER", help=root_help)
        if name == "install":
            action.add_argument("source", metavar="SOURCE")
            action.add_argument(
                "--find-links", metavar="DOSSIER", help="dépendances depuis ce dossier de roues"
            )
        if name != "confirm":
            action.add_argument("--no-restart", action="store_true", help="ne pas redémarrer la borne")
