"""Write the files: CSV after Etalab's conventions, `datapackage.json` (Frictionless) and a French README.

Everything written is a function of the datasets alone (stable order, no clock, sorted JSON keys), so the
same data exported twice gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hub.opendata.model import Dataset
from hub.opendata.suppression import DOMINANCE_SHARE, MIN_MEMBERS, PROTECTION_SHARE

LICENSE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
MISSING = ""  # a suppressed cell (secret statistique), or a figure that does not exist yet


def file_name(date: str, producer: str, dataset: Dataset) -> str:
    return f"{date}_{producer}_{dataset.name}.csv"


def csv_bytes(dataset: Dataset) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([field.name for field in dataset.fields])
    for row in dataset.rows:
        writer.writerow([MISSING if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8")


def datapackage(date: str, producer: str, network_name: str, datasets: list[Dataset]) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": f"{producer}-savoirs",
        "title": f"Échanges de savoirs du réseau « {network_name} »",
        "description": "Données ouvertes des collectifs de partage de savoirs : échanges, annonces, "
        "inscriptions, tirages au sort et élections. Petites cellules masquées (voir README.md).",
        "version": f"{date[:4]}-{date[4:6]}-{date[6:]}",
        "licenses": [LICENSE],
        "resources": [_resource(date, producer, dataset) for dataset in datasets],
    }


def _resource(date: str, producer: str, dataset: Dataset) -> dict[str, Any]:
    return {
        "profile": "tabular-data-resource",
        "name": dataset.name,
        "path": file_name(date, producer, dataset),
        "title": dataset.title,
        "description": dataset.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "licenses": [LICENSE],
        "dialect": {"delimiter": ",", "header": True},
        "schema": {
            "fields": [
                {"name": f.name, "type": f.type, "title": f.title, "description": f.description}
                | ({"constraints": {"minimum": 0}} if f.type == "integer" else {})
                for f in dataset.fields
            ],
            "missingValues": [MISSING],
            "primaryKey": list(dataset.primary_key),
        },
    }


def json_bytes(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def readme(date: str, producer: str, network_name: str, datasets: list[Dataset]) -> str:
    day = f"{date[:4]}-{date[4:6]}-{date[6:]}"
    lines = [
        f"# Données ouvertes du réseau « {network_name} »",
        "",
        f"Export du {day}. Producteur : `{producer}`. Fichiers CSV en UTF-8, séparateur virgule, dates",
        "ISO 8601, noms de colonnes en camelCase ASCII, noms de fichiers `AAAAMMJJ_producteur_nom.csv`",
        "(conventions d’Etalab). Le fichier `datapackage.json` décrit chaque fichier (Frictionless Data",
        "Package, Table Schema).",
        "",
        "## Licence",
        "",
        f"{LICENSE['title']} (`{LICENSE['name']}`) : {LICENSE['path']}.",
        "Vous pouvez réutiliser ces données librement, y compris commercialement, en citant leur source :",
        f"« {network_name}, Kiosque des savoirs, {day} ».",
        "",
        "## Fichiers et colonnes",
        "",
    ]
    for dataset in datasets:
        lines += [
            f"### `{file_name(date, producer, dataset)}` — {dataset.title}",
            "",
            dataset.description,
            "",
        ]
        lines += ["| Colonne | Type | Description |", "|---|---|---|"]
        lines += [f"| `{f.name}` | {f.type} | {f.description} |" for f in dataset.fields]
        lines.append("")
    return "\n".join(lines + _protection_section()) + "\n"


def _protection_section() -> list[str]:
    share = round(DOMINANCE_SHARE * 100)
    return [
        "## Protection des personnes (secret statistique)",
        "",
        "Une cellule vide est une valeur masquée. Règles appliquées :",
        "",
        f"1. **Masquage primaire** : une cellule construite à partir de moins de {MIN_MEMBERS} membres "
        f"distincts, ou dont un seul membre représente plus de {share} % du total (des heures pour les "
        "échanges : un membre « fait » les heures des échanges auxquels il participe ; des annonces pour "
        "les offres et demandes), est masquée.",
        "2. **Masquage secondaire** : chaque tableau est publié avec ses totaux (par collectif, par "
        "thématique, pour le réseau). Pour qu’aucune valeur masquée ne se déduise d’un total moins les "
        "valeurs publiées, d’autres cellules (ou des totaux) sont masquées aussi. Le tableau est vu comme "
        "un réseau (une ligne ou une colonne par nœud, une cellule par arête) ; une valeur masquée ne peut "
        "varier que le long d’un cycle de cellules masquées. Pour chaque valeur masquée, on vérifie qu’un "
        f"cycle lui permet de varier d’au moins {round(PROTECTION_SHARE * 100)} % de sa valeur (et d’au "
        "moins un échange et une heure) ; sinon on masque le chemin le moins coûteux qui le permet (les "
        "plus petites cellules d’abord). Les échanges entre membres de deux collectifs comptent dans "
        "chacun d’eux mais une seule fois pour le réseau : le calcul suppose le pire cas, où ce décalage "
        "serait connu.",
        "3. **Regroupement** : les échanges et annonces sont comptés par grande thématique (« cuisine » "
        "regroupe « cuisine du quotidien », « cuisines du monde »…), jamais par sous-thématique.",
        "4. **Cohérence entre fichiers** : les membres actifs du fichier des membres sont les membres "
        "distincts des totaux par collectif du fichier des échanges, masqués de la même façon.",
        "5. **Tirages au sort** : jamais les tickets ni l’ordre du tirage ; les volontaires par catégorie "
        "sont publiés une caractéristique à la fois (quartier, âge et genre ne sont jamais croisés), et "
        f"seulement si chaque catégorie, « non renseigné » compris, compte au moins {MIN_MEMBERS} "
        f"volontaires. Un vivier de moins de {MIN_MEMBERS} volontaires n’a ni sa taille ni son nombre de "
        "tirés publiés.",
        f"6. **Élections** : seuls les résultats déjà publiés (au moins {MIN_MEMBERS} votants) figurent, "
        "candidats non nommés.",
        "",
        "Les membres effacés à leur demande (RGPD) restent comptés, anonymement. Seuls les échanges "
        "confirmés par les deux parties comptent. Les mois sont ceux de l’heure de Paris.",
    ]
