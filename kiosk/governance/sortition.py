"""A draw by lot that anyone can check (RFC 3797 in spirit, « kiosque-tirage/1 »).

At the cut-off the pool is frozen in a canonical file whose SHA-256 is published, with the panels when there
are quotas. Only then is the public randomness known (dice rolled in public, a named lottery draw), announced
before anyone could know the pool: nobody, not even the librarian, can choose the result. Then

    seed  = SHA-256(« pool hash | draw id | randomness »)
    order = tickets sorted by SHA-256(« seed | ticket »)

Without quotas the first `seats` of the order are drawn and the rest is the replacement list, in order (a
withdrawal never needs a new draw). With quotas the seed picks one of the published panels (`quotas.py`).
The record never holds anyone's attributes: only counts per category. `verify_record` recomputes it all.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from kiosk.governance.quotas import (
    InfeasibleQuotas,
    PanelLottery,
    Quota,
    Volunteer,
    check_feasible,
    fair_panels,
    panel_shares,
    quota_problems,
)
from kiosk.governance.tickets import new_ticket

ALGORITHM = "kiosque-tirage/1"
POOL_VERSION = 1

__all__ = [
    "ALGORITHM",
    "InfeasibleQuotas",
    "PanelLottery",
    "Quota",
    "Volunteer",
    "canonical_pool",
    "category_counts",
    "check_feasible",
    "derive_seed",
    "fair_panels",
    "new_ticket",
    "normalise_randomness",
    "panel_index",
    "panels_hash",
    "parse_pool",
    "perform_draw",
    "pool_hash",
    "rank",
    "verify_record",
]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def normalise_randomness(text: str) -> str:
    """The same dice read aloud give the same text: NFC, trimmed, inner whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def canonical_pool(draw_id: str, volunteers: Sequence[Volunteer]) -> bytes:
    """The frozen pool as canonical JSON (UTF-8, sorted keys, no spaces, tickets sorted)."""
    tickets = sorted(volunteers, key=lambda v: v.ticket)
    if len({v.ticket for v in tickets}) != len(tickets):
        raise ValueError("the same ticket appears twice in the pool")
    return _canonical_json(
        {
            "version": POOL_VERSION,
            "draw_id": draw_id,
            "tickets": [{"ticket": v.ticket, "attributes": dict(v.attributes)} for v in tickets],
        }
    )


def parse_pool(pool_bytes: bytes) -> tuple[str, list[Volunteer]]:
    """(draw id, volunteers) from a pool file; ValueError when it is not one."""
    try:
        data = json.loads(pool_bytes.decode("utf-8"))
        if data["version"] != POOL_VERSION:
            raise ValueError(f"pool version {data['version']!r}")
        volunteers = [
            Volunteer(str(item["ticket"]), {str(k): str(v) for k, v in item["attributes"].items()})
            for item in data["tickets"]
        ]
        return str(data["draw_id"]), volunteers
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a pool file: {error}") from error


def pool_hash(pool_bytes: bytes) -> str:
    return hashlib.sha256(pool_bytes).hexdigest()


def derive_seed(pool_hash: str, draw_id: str, randomness: str) -> str:
    return _sha256(f"{pool_hash}|{draw_id}|{normalise_randomness(randomness)}")


def rank(seed: str, tickets: Sequence[str]) -> list[str]:
    """Tickets in draw order: by SHA-256(« seed | ticket »), then by ticket (a tie never happens)."""
    return sorted(tickets, key=lambda ticket: (_sha256(f"{seed}|{ticket}"), ticket))


def panels_hash(panels: Sequence[Sequence[str]]) -> str:
    return hashlib.sha256(_canonical_json([list(panel) for panel in panels])).hexdigest()


def panel_index(seed: str, panel_count: int) -> int:
    return int(seed, 16) % panel_count


def category_counts(volunteers: Sequence[Volunteer]) -> dict[str, dict[str, int]]:
    """{attribute: {value: how many volunteers gave it}} — what the record says instead of attributes."""
    counts: dict[str, dict[str, int]] = {}
    for volunteer in volunteers:
        for attribute, value in volunteer.attributes.items():
            per_value = counts.setdefault(attribute, {})
            per_value[value] = per_value.get(value, 0) + 1
    return {attribute: dict(sorted(values.items())) for attribute, values in sorted(counts.items())}


def _check_lottery(
    lottery: PanelLottery, volunteers: Sequence[Volunteer], seats: int, quotas: Sequence[Quota]
) -> None:
    attributes = {v.ticket: v.attributes for v in volunteers}
    for panel in lottery.panels:
        if len(set(panel)) != seats or not set(panel) <= attributes.keys():
            raise ValueError("a panel of the lottery is not made of `seats` tickets of this pool")
        if quota_problems(panel, attributes, quotas):
            raise ValueError("a panel of the lottery breaks a quota")


def perform_draw(
    draw_id: str,
    volunteers: Sequence[Volunteer],
    seats: int,
    quotas: Sequence[Quota],
    randomness_source: str,
    randomness: str,
    lottery: PanelLottery | None,
) -> dict[str, Any]:
    """The published record (JSON-ready). With quotas, `lottery` is the one published at the freeze."""
    if seats < 1:
        raise ValueError("a draw needs at least one seat")
    if bool(quotas) != (lottery is not None):
        raise ValueError("a draw with quotas needs its published lottery, and only then")
    pool = canonical_pool(draw_id, volunteers)
    the_pool_hash = pool_hash(pool)
    seed = derive_seed(the_pool_hash, draw_id, randomness)
    order = rank(seed, [v.ticket for v in volunteers])
    record: dict[str, Any] = {
        "algorithm": ALGORITHM,
        "draw_id": draw_id,
        "seats": seats,
        "pool_hash": the_pool_hash,
        "pool_size": len(order),
        "category_counts": category_counts(volunteers),
        "quotas": [quota.to_json() for quota in quotas],
        "randomness": {"source": randomness_source, "value": normalise_randomness(randomness)},
        "seed": seed,
        "order": order,
    }
    if lottery is None:
        record["selected"], record["replacements"] = order[:seats], order[seats:]
        return record
    _check_lottery(lottery, volunteers, seats, quotas)
    index = panel_index(seed, len(lottery.panels))
    chosen = set(lottery.panels[index])
    record["selected"] = [ticket for ticket in order if ticket in chosen]
    # A replacement should keep the quotas when the order allows it: the librarian's call, not enforced here.
    record["replacements"] = [ticket for ticket in order if ticket not in chosen]
    record["panels_hash"] = panels_hash(lottery.panels)
    record["panels"] = [list(panel) for panel in lottery.panels]
    record["panel_index"] = index
    record["probabilities"] = dict(sorted(lottery.probabilities.items()))
    return record


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _problem_fields(record: Mapping[str, Any]) -> list[str]:
    """Missing or mistyped fields: the rest of the checks need them."""
    expected: dict[str, type | tuple[type, ...]] = {
        "algorithm": str,
        "draw_id": str,
        "seats": int,
        "pool_hash": str,
        "pool_size": int,
        "category_counts": dict,
        "quotas": list,
        "randomness": dict,
        "seed": str,
        "order": list,
        "selected": list,
        "replacements": list,
    }
    wrong = [name for name, kind in expected.items() if not isinstance(record.get(name), kind)]
    if not wrong and not isinstance(record["randomness"].get("value"), str):
        wrong.append("randomness.value")
    if not wrong and not all(isinstance(t, str) for t in record["order"]):
        wrong.append("order")
    if not wrong and not _is_sha256(record["seed"]):
        wrong.append("seed")
    if not wrong and record["quotas"]:
        for name, kind in (
            ("panels", list),
            ("panels_hash", str),
            ("panel_index", int),
            ("probabilities", dict),
        ):
            if not isinstance(record.get(name), kind):
                wrong.append(name)
        panels = record.get("panels")
        if isinstance(panels, list) and not all(
            isinstance(p, list) and all(isinstance(t, str) for t in p) for p in panels
        ):
            wrong.append("panels")
        try:
            [Quota.from_json(q) for q in record["quotas"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            wrong.append("quotas")
    return [
        f"Champ « {name} » absent ou invalide : ce fichier n’est pas un enregistrement de tirage complet."
        for name in wrong
    ]


def verify_record(record: Mapping[str, Any], pool_bytes: bytes | None = None) -> list[str]:
    """What is wrong with a published record, in French; an empty list means the draw is verified."""
    if not isinstance(record, Mapping):
        return ["Ce fichier n’est pas un enregistrement de tirage (un objet JSON est attendu)."]
    problems = _problem_fields(record)
    if problems:
        return problems
    if record["algorithm"] != ALGORITHM:
        return [f"Algorithme inconnu : « {record['algorithm']} » (ce programme vérifie « {ALGORITHM} »)."]
    seats, order, seed = record["seats"], record["order"], record["seed"]
    if derive_seed(record["pool_hash"], record["draw_id"], record["randomness"]["value"]) != seed:
        problems.append("La graine ne correspond pas à l’empreinte du vivier, au tirage et à l’aléa publiés.")
    if len(set(order)) != len(order):
        problems.append("Un ticket apparaît plusieurs fois dans l’ordre publié.")
    elif rank(seed, order) != order:
        problems.append("L’ordre publié n’est pas celui que donne la graine.")
    if record["pool_size"] != len(order):
        problems.append(
            f"Le vivier compte {record['pool_size']} tickets, mais l’ordre en donne {len(order)}."
        )
    quotas = [Quota.from_json(q) for q in record["quotas"]]
    if not quotas:
        chosen = set(order[:seats])
        if record["selected"] != order[:seats]:
            problems.append(f"Les tickets tirés ne sont pas les {seats} premiers de l’ordre.")
    else:
        chosen = _verify_panels(record, problems)
        if record["selected"] != [t for t in order if t in chosen]:
            problems.append(f"Les tickets tirés ne sont pas ceux du groupe n° {record['panel_index']}.")
    if record["replacements"] != [t for t in order if t not in chosen]:
        problems.append("La liste des remplaçants n’est pas le reste de l’ordre.")
    if pool_bytes is not None:
        problems.extend(_verify_pool(record, quotas, pool_bytes))
    return problems


def _verify_panels(record: Mapping[str, Any], problems: list[str]) -> set[str]:
    """Check the published panels and the seed's choice among them; returns the chosen panel's tickets."""
    panels, seats, order = record["panels"], record["seats"], set(record["order"])
    if panels_hash(panels) != record["panels_hash"]:
        problems.append("L’empreinte des groupes publiés ne correspond pas aux groupes du fichier.")
    if not panels:
        problems.append("Aucun groupe n’est publié alors que le tirage a des quotas.")
        return set()
    bad = [
        k
        for k, p in enumerate(panels)
        if not isinstance(p, list) or len(set(p)) != seats or not set(p) <= order
    ]
    if bad:
        problems.append(
            f"{len(bad)} groupe(s) n’ont pas {seats} tickets différents pris dans l’ordre (n° {bad[0]}…)."
        )
        return set()
    expected = panel_index(record["seed"], len(panels))
    if record["panel_index"] != expected:
        problems.append(
            f"Le groupe tiré est le n° {record['panel_index']}, mais la graine désigne le n° {expected}."
        )
    shares = panel_shares(panels, record["order"])
    published = record["probabilities"]
    if published.keys() != shares.keys() or any(
        not isinstance(published[t], int | float) or abs(published[t] - shares[t]) > 1e-9 for t in shares
    ):
        problems.append("Les probabilités publiées ne sont pas la part des groupes où figure chaque ticket.")
    return set(panels[expected])


def _verify_pool(record: Mapping[str, Any], quotas: Sequence[Quota], pool_bytes: bytes) -> list[str]:
    actual = pool_hash(pool_bytes)
    if actual != record["pool_hash"]:
        return [
            f"L’empreinte du fichier du vivier ({actual[:16]}…) "
            f"n’est pas celle publiée ({record['pool_hash'][:16]}…)."
        ]
    try:
        draw_id, volunteers = parse_pool(pool_bytes)
    except ValueError:
        return ["Le fichier du vivier ne peut pas être lu."]
    problems = []
    if draw_id != record["draw_id"]:
        problems.append(
            f"Le fichier du vivier est celui du tirage « {draw_id} », pas « {record['draw_id']} »."
        )
    if sorted(v.ticket for v in volunteers) != sorted(record["order"]):
        problems.append("Les tickets du vivier ne sont pas ceux de l’ordre publié.")
    if category_counts(volunteers) != record["category_counts"]:
        problems.append("Les effectifs par catégorie publiés ne correspondent pas au vivier.")
    if quotas and isinstance(record.get("panels"), list):
        attributes = {v.ticket: v.attributes for v in volunteers}
        for k, panel in enumerate(record["panels"]):
            broken = quota_problems(panel, attributes, quotas) if isinstance(panel, list) else []
            if broken:
                problems.append(f"Le groupe n° {k} ne respecte pas le quota « {broken[0].label()} ».")
                break
    return problems
