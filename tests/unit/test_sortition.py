"""The verifiable draw: canonical pool, seed, order, record, and `verify_record` catching every tampering."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import assume, given, settings

from kiosk.governance.quotas import Quota, Volunteer, fair_panels
from kiosk.governance.sortition import (
    ALGORITHM,
    canonical_pool,
    derive_seed,
    normalise_randomness,
    panels_hash,
    parse_pool,
    perform_draw,
    pool_hash,
    rank,
    verify_record,
)
from kiosk.governance.tickets import CROCKFORD, is_ticket, new_ticket, theme_letters

SOURCE = "trois dés lancés en public à la réunion du 12 décembre"
WOMAN_QUOTA = [Quota("gender", "femme", minimum=1)]


def pool_of(size: int, women: int = 2) -> list[Volunteer]:
    rng = random.Random(size)
    pool: list[Volunteer] = []
    for i in range(size):
        attributes = {"gender": "femme" if i < women else "homme"} if i % 5 != 4 or i < women else {}
        pool.append(Volunteer(new_ticket("jardinage", rng, {v.ticket for v in pool}), attributes))
    return pool


@pytest.fixture(scope="module")
def quota_draw() -> tuple[dict[str, Any], bytes]:
    pool = pool_of(10)
    lottery = fair_panels(pool, 3, WOMAN_QUOTA)
    record = perform_draw("tirage-jardins", pool, 3, WOMAN_QUOTA, SOURCE, "3 5 6", lottery)
    return record, canonical_pool("tirage-jardins", pool)


# --- the building blocks, against their written definitions -------------------------------------------------


def test_randomness_is_normalised_so_the_same_dice_give_the_same_text() -> None:
    assert normalise_randomness("  3\u00a0 5\t6 \n") == "3 5 6"
    assert normalise_randomness("de\u0301s") == "dés"  # decomposed é (NFD) → NFC
    assert derive_seed("h", "d", " 3  5 6") == derive_seed("h", "d", "3 5 6")


def test_the_pool_file_is_canonical_json_with_sorted_tickets_and_keys() -> None:
    pool = [Volunteer("JAR-B000", {"quartier": "Château Rouge", "gender": "femme"}), Volunteer("JAR-A000")]
    expected = (
        '{"draw_id":"t1","tickets":['
        '{"attributes":{},"ticket":"JAR-A000"},'
        '{"attributes":{"gender":"femme","quartier":"Château Rouge"},"ticket":"JAR-B000"}'
        '],"version":1}'
    ).encode()
    assert canonical_pool("t1", pool) == expected
    assert canonical_pool("t1", list(reversed(pool))) == expected
    assert pool_hash(expected) == hashlib.sha256(expected).hexdigest()
    assert parse_pool(expected) == ("t1", sorted(pool, key=lambda v: v.ticket))
    with pytest.raises(ValueError):
        canonical_pool("t1", [Volunteer("JAR-A000"), Volunteer("JAR-A000", {"gender": "homme"})])
    with pytest.raises(ValueError):
        parse_pool(b"[1, 2]")


def test_seed_and_order_follow_the_published_formulas() -> None:
    seed = derive_seed("abc", "d1", "3 5 6")
    assert seed == hashlib.sha256(b"abc|d1|3 5 6").hexdigest()
    tickets = ["JAR-0001", "JAR-0002", "JAR-0003", "JAR-0004"]
    by_hash = sorted(tickets, key=lambda t: hashlib.sha256(f"{seed}|{t}".encode()).hexdigest())
    assert rank(seed, tickets) == by_hash == rank(seed, list(reversed(tickets)))


def test_tickets_are_three_theme_letters_and_four_crockford_characters() -> None:
    rng = random.Random(3)
    tickets = {new_ticket("jardinage.potager", rng) for _ in range(200)}
    assert all(is_ticket(t) and t.startswith("JAR-") for t in tickets)
    assert not set("ILOU") & set("".join(t[4:] for t in tickets))
    assert set("".join(t[4:] for t in tickets)) <= set(CROCKFORD)
    assert theme_letters("écologie") == "ECO" and theme_letters("a1") == "AXX"
    taken = {new_ticket("cuisine", random.Random(1))}
    assert new_ticket("cuisine", random.Random(1), taken) not in taken
    assert not is_ticket("JAR-7K3O") and not is_ticket("jar-7K3Q") and is_ticket("JAR-7K3Q")


def test_a_draw_without_quotas_takes_the_first_of_the_order() -> None:
    pool = pool_of(8)
    record = perform_draw("d", pool, 3, [], SOURCE, "3 5 6", None)
    assert record["algorithm"] == ALGORITHM
    assert record["seed"] == derive_seed(pool_hash(canonical_pool("d", pool)), "d", "3 5 6")
    assert record["order"] == rank(record["seed"], [v.ticket for v in pool])
    assert record["selected"] == record["order"][:3] and record["replacements"] == record["order"][3:]
    assert record["randomness"] == {"source": SOURCE, "value": "3 5 6"}
    assert record["category_counts"] == {"gender": {"femme": 2, "homme": 5}}
    assert "panels" not in record and "probabilities" not in record
    assert verify_record(record) == []
    assert verify_record(json.loads(json.dumps(record)), canonical_pool("d", pool)) == []


def test_the_record_never_holds_anyone_s_attributes(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, _ = quota_draw
    text = json.dumps(record, ensure_ascii=False)
    assert "attributes" not in text
    assert set(record) == {
        "algorithm", "draw_id", "seats", "pool_hash", "pool_size", "category_counts", "quotas", "randomness",
        "seed", "order", "selected", "replacements", "panels_hash", "panels", "panel_index", "probabilities",
    }  # fmt: skip
    for ticket in record["order"]:  # a ticket is never next to an answer
        assert all(ticket not in values for values in record["category_counts"].values())


def test_a_draw_with_quotas_picks_the_panel_the_seed_designates(
    quota_draw: tuple[dict[str, Any], bytes],
) -> None:
    record, pool_bytes = quota_draw
    assert record["panel_index"] == int(record["seed"], 16) % 1000
    chosen = record["panels"][record["panel_index"]]
    assert sorted(record["selected"]) == chosen
    assert record["selected"] == [t for t in record["order"] if t in chosen]
    assert record["panels_hash"] == panels_hash(record["panels"])
    _, pool = parse_pool(pool_bytes)
    women = {v.ticket for v in pool if v.attributes.get("gender") == "femme"}
    assert women & set(record["selected"])
    assert sum(record["probabilities"].values()) == pytest.approx(3)
    assert verify_record(record, pool_bytes) == []


# --- same inputs, same result; any change, another result ------------------------------------------------

attribute_maps = st.dictionaries(
    st.sampled_from(["gender", "age_band", "quartier"]),
    st.sampled_from(["a", "b", "Goutte d’Or"]),
    max_size=3,
)
pools = st.dictionaries(
    st.from_regex(r"[A-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}", fullmatch=True), attribute_maps, min_size=1, max_size=12
).map(lambda tickets: [Volunteer(t, a) for t, a in tickets.items()])
randomness = st.text(min_size=1, max_size=20)


@given(pools, randomness, st.integers(1, 5), st.randoms(use_true_random=False))
@settings(max_examples=150, deadline=None)
def test_the_same_inputs_give_the_same_record(
    pool: list[Volunteer], dice: str, seats: int, rng: random.Random
) -> None:
    shuffled = list(pool)
    rng.shuffle(shuffled)
    first = perform_draw("d", pool, seats, [], SOURCE, dice, None)
    assert perform_draw("d", shuffled, seats, [], SOURCE, dice, None) == first
    assert verify_record(first, canonical_pool("d", shuffled)) == []


@st.composite
def changed_pools(draw: st.DrawFn) -> tuple[list[Volunteer], list[Volunteer]]:
    pool = draw(pools)
    k = draw(st.integers(0, len(pool) - 1))
    change = draw(st.sampled_from(["add", "remove", "rename", "attribute"]))
    changed = list(pool)
    if change == "add":
        ticket = draw(st.from_regex(r"[A-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}", fullmatch=True))
        assume(ticket not in {v.ticket for v in pool})
        changed.append(Volunteer(ticket, draw(attribute_maps)))
    elif change == "remove":
        assume(len(pool) > 1)
        del changed[k]
    elif change == "rename":
        ticket = draw(st.from_regex(r"[A-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}", fullmatch=True))
        assume(ticket not in {v.ticket for v in pool})
        changed[k] = Volunteer(ticket, pool[k].attributes)
    else:
        attributes = draw(attribute_maps)
        assume(attributes != pool[k].attributes)
        changed[k] = Volunteer(pool[k].ticket, attributes)
    return pool, changed


@given(changed_pools(), randomness)
@settings(max_examples=200, deadline=None)
def test_any_change_of_the_pool_changes_its_hash_the_seed_and_the_record(
    pools_: tuple[list[Volunteer], list[Volunteer]], dice: str
) -> None:
    pool, changed = pools_
    before, after = canonical_pool("d", pool), canonical_pool("d", changed)
    assert pool_hash(before) != pool_hash(after)
    assert derive_seed(pool_hash(before), "d", dice) != derive_seed(pool_hash(after), "d", dice)
    assert perform_draw("d", pool, 2, [], SOURCE, dice, None) != perform_draw(
        "d", changed, 2, [], SOURCE, dice, None
    )
    # And the published record of one pool does not verify against the other pool's file.
    assert verify_record(perform_draw("d", pool, 2, [], SOURCE, dice, None), after) != []


@given(pools, randomness, randomness)
@settings(max_examples=150, deadline=None)
def test_any_change_of_the_randomness_changes_the_seed(pool: list[Volunteer], dice: str, other: str) -> None:
    assume(normalise_randomness(dice) != normalise_randomness(other))
    one, two = (perform_draw("d", pool, 1, [], SOURCE, text, None) for text in (dice, other))
    assert one["seed"] != two["seed"] and one != two
    assert one["pool_hash"] == two["pool_hash"]


@given(st.integers(1, 2), st.integers(0, 1), st.sampled_from(["homme", "femme"]))
@settings(max_examples=12, deadline=None)
def test_any_change_of_a_quota_changes_the_record(minimum: int, extra: int, value: str) -> None:
    pool = pool_of(8, women=3)
    base = perform_draw("d", pool, 3, WOMAN_QUOTA, SOURCE, "4 4 2", fair_panels(pool, 3, WOMAN_QUOTA))
    quotas = [Quota("gender", value, minimum, None if extra == 0 else minimum + extra)]
    assume(quotas != WOMAN_QUOTA)
    other = perform_draw("d", pool, 3, quotas, SOURCE, "4 4 2", fair_panels(pool, 3, quotas))
    assert other != base and other["quotas"] != base["quotas"]
    assert other["seed"] == base["seed"]  # the seed depends on the pool and the dice only


# --- verify_record catches every tampering -----------------------------------------------------------------


def tampered(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(record)
    copied.update(changes)
    return copied


def test_verify_catches_a_changed_seed_or_randomness(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, _ = quota_draw
    other_seed = derive_seed(record["pool_hash"], record["draw_id"], "6 6 6")
    problems = verify_record(tampered(record, seed=other_seed))
    assert any("graine ne correspond pas" in p for p in problems)
    changed_dice = tampered(record, randomness={"source": SOURCE, "value": "1 2 3"})
    assert any("graine ne correspond pas" in p for p in verify_record(changed_dice))


def test_verify_catches_a_swapped_ticket_in_the_order(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, _ = quota_draw
    order = list(record["order"])
    order[3], order[7] = order[7], order[3]
    problems = verify_record(tampered(record, order=order))
    assert any("L’ordre publié n’est pas celui que donne la graine" in p for p in problems)


def test_verify_catches_another_panel_index(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, _ = quota_draw
    other = next(k for k, p in enumerate(record["panels"]) if p != record["panels"][record["panel_index"]])
    chosen = record["panels"][other]
    forged = tampered(
        record,
        panel_index=other,
        selected=[t for t in record["order"] if t in chosen],
        replacements=[t for t in record["order"] if t not in chosen],
    )
    problems = verify_record(forged)
    assert any(f"le n° {other}, mais la graine désigne le n° {record['panel_index']}" in p for p in problems)


def test_verify_catches_a_tampered_panel(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, pool_bytes = quota_draw
    k = 1 if record["panel_index"] == 0 else 0  # a panel the seed did not pick
    panels = copy.deepcopy(record["panels"])
    _, pool = parse_pool(pool_bytes)
    panels[k] = sorted(v.ticket for v in pool if v.attributes.get("gender") == "homme")[:3]  # no woman
    assert any("empreinte des groupes" in p for p in verify_record(tampered(record, panels=panels)))
    # With its hash and the shares recomputed, only the pool file can show the panel breaks the quota.
    forged = tampered(record, panels=panels, panels_hash=panels_hash(panels))
    forged["probabilities"] = {t: sum(t in p for p in panels) / len(panels) for t in sorted(record["order"])}
    assert verify_record(forged) == []
    problems = verify_record(forged, pool_bytes)
    assert problems == [f"Le groupe n° {k} ne respecte pas le quota « gender = femme »."]


def test_verify_catches_changed_selections_and_probabilities(
    quota_draw: tuple[dict[str, Any], bytes],
) -> None:
    record, _ = quota_draw
    swapped = [record["replacements"][0], *record["selected"][1:]]
    assert any("ne sont pas ceux du groupe" in p for p in verify_record(tampered(record, selected=swapped)))
    shorter = tampered(record, replacements=record["replacements"][:-1])
    assert any("remplaçants" in p for p in verify_record(shorter))
    probabilities = dict(record["probabilities"], **{record["order"][0]: 0.99})
    assert any("probabilités" in p for p in verify_record(tampered(record, probabilities=probabilities)))


def test_verify_catches_a_pool_file_whose_hash_differs(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, pool_bytes = quota_draw
    draw_id, pool = parse_pool(pool_bytes)
    pool[0] = Volunteer(pool[0].ticket, {"gender": "autre"})
    problems = verify_record(record, canonical_pool(draw_id, pool))
    assert any("L’empreinte du fichier du vivier" in p for p in problems)
    # A record whose counts were edited to hide a category no longer matches the true pool file.
    counts = {"gender": {"homme": 10}}
    assert any("effectifs" in p for p in verify_record(tampered(record, category_counts=counts), pool_bytes))


def test_verify_explains_a_file_that_is_not_a_record(quota_draw: tuple[dict[str, Any], bytes]) -> None:
    record, _ = quota_draw
    assert verify_record([1, 2]) != []  # type: ignore[arg-type]
    missing = {k: v for k, v in record.items() if k != "seed"}
    assert any("« seed »" in p for p in verify_record(missing))
    assert any("« panels »" in p for p in verify_record(tampered(record, panels="?")))
    assert any("Algorithme inconnu" in p for p in verify_record(tampered(record, algorithm="autre/9")))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2000) | st.floats(allow_nan=False) | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # the record holds 1000 panels
@given(st.data())
@settings(max_examples=300, deadline=None)
def test_verify_never_crashes_on_a_damaged_record(
    quota_draw: tuple[dict[str, Any], bytes], data: st.DataObject
) -> None:
    # Whatever a file holds, the command answers with sentences, never a traceback.
    record, pool_bytes = quota_draw
    damaged = copy.deepcopy(record)
    field = data.draw(st.sampled_from(sorted(record)))
    if isinstance(damaged[field], list) and damaged[field] and data.draw(st.booleans()):
        damaged[field][data.draw(st.integers(0, len(damaged[field]) - 1))] = data.draw(json_values)
    else:
        damaged[field] = data.draw(json_values)
    assume(damaged != record)
    pool_file = data.draw(st.sampled_from([None, pool_bytes, b"{}", b"\xff"]))
    problems = verify_record(damaged, pool_file)
    assert all(isinstance(p, str) and p for p in problems)
    if pool_file is not None and pool_file != pool_bytes:
        assert problems  # another pool file never verifies
    if field in ("seed", "order", "selected", "panels", "panel_index", "pool_hash", "draw_id", "seats"):
        assert problems  # the fields the seed and the choice are computed from
