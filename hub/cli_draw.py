"""`kiosk-hub draw verify FILE [--pool POOL]`: recompute a published draw record, with nothing but the file.

Exit 0 and « Tirage vérifié » when every figure is recomputed; exit 1 with the problems otherwise; exit 2
when a file cannot be read. Needs no database: anyone who downloaded the record can run it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from kiosk.governance.sortition import verify_record

EXIT_VERIFIED = 0
EXIT_PROBLEMS = 1
EXIT_UNREADABLE = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    draw = sub.add_parser("draw", help="tirages au sort").add_subparsers(dest="action", required=True)
    verify = draw.add_parser("verify", help="vérifier un tirage publié (son fichier JSON)")
    verify.add_argument("file", metavar="FICHIER", help="l’enregistrement publié du tirage (JSON)")
    verify.add_argument(
        "--pool", metavar="VIVIER", help="le vivier gelé (JSON) : vérifie aussi son empreinte et les quotas"
    )
    verify.add_argument("--json", action="store_true", help="résultat en JSON pour les scripts")
    verify.set_defaults(handler=cmd_draw_verify)


def _unwrap(data: Any) -> Any:
    """Accept the record itself or the `draw.performed` payload that carries it."""
    if isinstance(data, dict) and "algorithm" not in data and isinstance(data.get("record"), dict):
        return data["record"]
    return data


def cmd_draw_verify(args: argparse.Namespace) -> int:
    try:
        raw = Path(args.file).read_bytes()
        pool = Path(args.pool).read_bytes() if args.pool else None
    except OSError as error:
        print(f"Fichier illisible : {error.filename} ({error.strerror}).")
        return EXIT_UNREADABLE
    try:
        record = _unwrap(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        problems = ["Ce fichier n’est pas du JSON : ce n’est pas un enregistrement de tirage."]
        record = {}
    else:
        problems = verify_record(record, pool)
    if args.json:
        verified = not problems
        print(json.dumps({"verified": verified, "problems": problems, "pool_checked": pool is not None}))
        return EXIT_VERIFIED if verified else EXIT_PROBLEMS
    if problems:
        print(f"Tirage NON vérifié : {len(problems)} problème(s).")
        print("\n".join(f"- {problem}" for problem in problems))
        return EXIT_PROBLEMS
    lines = [
        f"Tirage vérifié : « {record['draw_id']} » "
        f"({record['pool_size']} volontaires, {record['seats']} sièges).",
        f"Aléa public : « {record['randomness']['value']} »",
        f"Graine : {record['seed']}",
        f"Tirés : {', '.join(record['selected'])}",
        f"Remplaçants, dans l’ordre : {', '.join(record['replacements']) or '(aucun)'}",
    ]
    if record["quotas"]:
        lines.append(
            f"Groupe n° {record['panel_index']} parmi {len(record['panels'])} ; empreinte des groupes "
            f"{record['panels_hash']} (à comparer à celle publiée au gel du vivier)."
        )
    lines.append(
        "Vivier vérifié : empreinte, effectifs par catégorie et quotas."
        if pool is not None
        else "Vivier non fourni : ajoutez --pool VIVIER pour vérifier aussi son empreinte et les quotas."
    )
    print("\n".join(lines))
    return EXIT_VERIFIED
