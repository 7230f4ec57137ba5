"""Quotas and the fair lottery over panels, checked against brute force on small pools.

The brute force lists every panel, checks the quotas with its own code and solves the maximin LP over all of
them at once: the column generation must reach the same minimum probability without listing them.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings
from scipy.optimize import linprog

from kiosk.governance.quotas import (
    InfeasibleQuotas,
    PanelLottery,
    Quota,
    Volunteer,
    check_feasible,
    fair_panels,
    leximin_lottery,
    round_lottery,
)
from kiosk.governance.sortition import perform_draw

ONE_PANEL_IN_1000 = 1 / 1000 + 1e-12  # rounding to 1000 panels moves a share by a panel at most here


def meets(panel: Sequence[str], pool: Sequence[Volunteer], quotas: Sequence[Quota]) -> bool:
    answers = {v.ticket: v.attributes for v in pool}
    for quota in quotas:
        n = len([t for t in panel if answers[t].get(quota.attribute) == quota.value])
        if n < quota.minimum or (quota.maximum is not None and n > quota.maximum):
            return False
    return True


def all_feasible_panels(
    pool: Sequence[Volunteer], seats: int, quotas: Sequence[Quota]
) -> list[tuple[str, ...]]:
    tickets = sorted(v.ticket for v in pool)
    return [p for p in itertools.combinations(tickets, seats) if meets(p, pool, quotas)]


def best_minimum_probability(panels: Sequence[tuple[str, ...]], tickets: Sequence[str]) -> float:
    """max z  s.t. every ticket is in the chosen panel with probability ≥ z, over ALL feasible panels."""
    m = len(panels)
    cost = [0.0] * m + [-1.0]
    a_ub = [[-1.0 if t in p else 0.0 for p in panels] + [1.0] for t in tickets]
    result = linprog(
        cost, A_ub=a_ub, b_ub=[0.0] * len(tickets), A_eq=[[1.0] * m + [0.0]], b_eq=[1.0], method="highs"
    )
    assert result.status == 0
    return float(-result.fun)


def brute_force_leximin(panels: Sequence[tuple[str, ...]], tickets: Sequence[str]) -> list[float]:
    """The leximin probabilities, sorted, over ALL feasible panels, found another way than the kiosk's: raise
    the floor of the unsettled tickets, then settle each ticket that cannot rise above it on its own."""
    m, fixed = len(panels), dict[str, float]()
    member = {t: [-1.0 if t in p else 0.0 for p in panels] for t in tickets}

    def solve(objective: list[float], floor_rows: list[tuple[str, float]], z_rows: list[str]) -> float:
        a_ub = [[*member[t], 0.0] for t, _ in floor_rows] + [[*member[t], 1.0] for t in z_rows]
        b_ub = [-f for _, f in floor_rows] + [0.0] * len(z_rows)
        result = linprog(
            objective, A_ub=a_ub or None, b_ub=b_ub or None, A_eq=[[1.0] * m + [0.0]], b_eq=[1.0],
            bounds=[(0, None)] * m + [(None, None)], method="highs",
        )  # fmt: skip
        assert result.status == 0
        return float(-result.fun)

    while len(fixed) < len(tickets):
        free = [t for t in tickets if t not in fixed]
        floor = solve([0.0] * m + [-1.0], [(t, f - 1e-9) for t, f in fixed.items()], free)
        for t in free:  # can t alone go above the floor while every other free ticket stays on it?
            others = [(o, floor - 1e-9) for o in free if o != t] + [(o, f - 1e-9) for o, f in fixed.items()]
            best = solve([*member[t], 0.0], others, [])  # maximise t's probability (member is negated)
            if best <= floor + 1e-7:
                fixed[t] = floor
        if not set(free) & fixed.keys():
            fixed.update(dict.fromkeys(free, floor))  # never expected: every floor settles someone
    return sorted(fixed.values())


def lp_probabilities(lottery: dict[tuple[str, ...], float], tickets: Sequence[str]) -> dict[str, float]:
    return {t: sum(w for p, w in lottery.items() if t in p) for t in tickets}


def women_and_men(women: int, men: int) -> list[Volunteer]:
    return [Volunteer(f"F{i}", {"gender": "femme"}) for i in range(women)] + [
        Volunteer(f"H{i}", {"gender": "homme"}) for i in range(men)
    ]


# --- the fair lottery, on pools where the answer is known by hand -------------------------------------------


def test_two_women_among_ten_at_least_one_woman_three_seats() -> None:
    # Every panel holds a woman, so the two women share at least 1 expected seat; the 8 men share at most 2,
    # so the least likely person has at most 2/8 = 1/4. That is reached with each woman at 1/2 and each man
    # at (3 − 1)/8 = 1/4 — and leximin, unlike maximin alone, does not favour one woman over the other.
    pool = women_and_men(2, 8)
    quotas = [Quota("gender", "femme", minimum=1)]
    exact = lp_probabilities(leximin_lottery(pool, 3, quotas), [v.ticket for v in pool])
    lottery = fair_panels(pool, 3, quotas)
    for ticket in ("F0", "F1"):
        assert exact[ticket] == pytest.approx(1 / 2, abs=1e-3)
        assert lottery.probabilities[ticket] == pytest.approx(1 / 2, abs=ONE_PANEL_IN_1000)
    for ticket in (f"H{i}" for i in range(8)):
        assert exact[ticket] == pytest.approx(1 / 4, abs=1e-3)
        assert lottery.probabilities[ticket] == pytest.approx(1 / 4, abs=ONE_PANEL_IN_1000)
    assert min(exact.values()) == pytest.approx(
        best_minimum_probability(all_feasible_panels(pool, 3, quotas), list(exact)), abs=1e-6
    )
    assert all(any(t.startswith("F") for t in panel) for panel in lottery.panels)


def test_without_quotas_everyone_has_the_same_chance() -> None:
    pool = [Volunteer(f"T{i}") for i in range(7)]
    lottery = fair_panels(pool, 2, [])
    assert len(lottery.panels) == 1000
    for probability in lottery.probabilities.values():
        assert probability == pytest.approx(2 / 7, abs=1e-2)


def test_a_volunteer_who_gave_no_answer_counts_as_not_having_the_value() -> None:
    pool = [
        Volunteer("A", {"gender": "femme"}),
        Volunteer("B"),
        Volunteer("C"),
        Volunteer("D", {"gender": "homme"}),
    ]
    lottery = fair_panels(pool, 2, [Quota("gender", "femme", minimum=1)])
    assert lottery.probabilities["A"] == 1.0
    assert {t for panel in lottery.panels for t in panel} == {"A", "B", "C", "D"}
    assert sum(lottery.probabilities.values()) == pytest.approx(2)


def test_a_maximum_quota_keeps_a_group_out_of_the_majority() -> None:
    pool = women_and_men(2, 6)
    lottery = fair_panels(pool, 4, [Quota("gender", "homme", minimum=1, maximum=2)])
    assert all(sum(t.startswith("H") for t in panel) <= 2 for panel in lottery.panels)
    assert lottery.probabilities["F0"] == lottery.probabilities["F1"] == 1.0  # 4 seats, at most 2 men
    assert sum(lottery.probabilities.values()) == pytest.approx(4)


def test_the_same_inputs_give_the_same_panels_whatever_the_order_of_the_pool() -> None:
    rng = random.Random(8)
    pool = [
        Volunteer(
            f"JAR-{i:04d}",
            {"gender": rng.choice(["femme", "homme"]), "age_band": rng.choice(["jeune", "âgé"])},
        )
        for i in range(14)
    ]
    quotas = [Quota("gender", "femme", 2), Quota("age_band", "âgé", 1, 2)]
    first = fair_panels(pool, 5, quotas)
    shuffled = list(pool)
    rng.shuffle(shuffled)
    assert fair_panels(shuffled, 5, quotas) == first
    assert list(first.panels) == sorted(first.panels) and all(list(p) == sorted(p) for p in first.panels)


def test_a_pool_of_sixty_with_several_quotas_keeps_every_quota() -> None:
    # The size the kiosk is built for (60 volunteers, 10 seats); bench/ measures its time, not this test.
    rng = random.Random(60)
    pool = [
        Volunteer(
            f"T{i:02d}",
            {
                "gender": rng.choice(["femme", "homme", "autre"]),
                "age_band": rng.choice(["moins_de_30", "30_a_59", "60_et_plus"]),
                "quartier": rng.choice(["Goutte d’Or", "Belleville", "Château Rouge"]),
            },
        )
        for i in range(60)
    ]
    quotas = [
        Quota("gender", "femme", 4, 6),
        Quota("gender", "homme", 3, 6),
        Quota("age_band", "60_et_plus", 2),
        Quota("age_band", "moins_de_30", 2),
        Quota("quartier", "Belleville", 1, 4),
    ]
    lottery = fair_panels(pool, 10, quotas)
    assert len(lottery.panels) == 1000
    assert all(len(p) == 10 and meets(p, pool, quotas) for p in lottery.panels)
    assert sum(lottery.probabilities.values()) == pytest.approx(10)
    assert min(lottery.probabilities.values()) > 0.05  # everyone has a real chance


def test_rounding_keeps_the_count_and_gives_the_remainder_to_the_largest_fractions() -> None:
    panels = round_lottery({("A", "B"): 0.3335, ("A", "C"): 0.3335, ("B", "C"): 0.333}, 1000)
    assert len(panels) == 1000
    assert [panels.count(p) for p in (("A", "B"), ("A", "C"), ("B", "C"))] == [334, 333, 333]


# --- refusals before any seed exists ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seats", "quotas", "expected"),
    [
        (11, [], "11 siège(s)"),
        (3, [Quota("gender", "femme", 2, 1)], "au moins 2 et au plus 1"),
        (
            3,
            [Quota("gender", "homme", 4)],
            "« Genre : Homme » demande au moins 4 personne(s) pour 3 siège(s)",
        ),
        (3, [Quota("gender", "femme", 3)], "mais 2 seulement"),
        (3, [Quota("gender", "femme", 2), Quota("gender", "homme", 2)], "ensemble au moins 4"),
        (2, [Quota("gender", "femme", 2), Quota("age_band", "60_et_plus", 1)], "Aucun groupe de 2 personnes"),
    ],
)
def test_infeasible_quotas_are_refused_with_a_reason(seats: int, quotas: list[Quota], expected: str) -> None:
    pool = women_and_men(2, 8)
    pool[-1] = Volunteer("H7", {"gender": "homme", "age_band": "60_et_plus"})  # the only elder is a man
    with pytest.raises(InfeasibleQuotas) as refused:
        check_feasible(pool, seats, quotas)
    assert expected in refused.value.reason
    assert isinstance(refused.value, ValueError)
    assert refused.value.text("en") != refused.value.reason  # translated where it is shown
    with pytest.raises(InfeasibleQuotas):
        fair_panels(pool, seats, quotas)


def test_a_draw_with_quotas_cannot_be_performed_without_its_published_panels() -> None:
    pool = women_and_men(2, 8)
    with pytest.raises(ValueError, match="published lottery"):
        perform_draw("d", pool, 3, [Quota("gender", "femme", 1)], "dés", "3 5 6", None)
    with pytest.raises(ValueError, match="published lottery"):
        perform_draw("d", pool, 3, [], "dés", "3 5 6", PanelLottery((("F0", "H0", "H1"),), {}))


def test_panels_that_break_the_quotas_are_refused_by_perform_draw() -> None:
    pool = women_and_men(2, 8)
    men_only = PanelLottery((("H0", "H1", "H2"),), {"H0": 1.0, "H1": 1.0, "H2": 1.0})
    with pytest.raises(ValueError, match="breaks a quota"):
        perform_draw("d", pool, 3, [Quota("gender", "femme", 1)], "dés", "3 5 6", men_only)


# --- properties against brute force -------------------------------------------------------------------------

answers = st.fixed_dictionaries(
    {},
    optional={"gender": st.sampled_from(["femme", "homme"]), "age_band": st.sampled_from(["jeune", "âgé"])},
)
quota_lists = st.lists(
    st.builds(
        Quota,
        attribute=st.sampled_from(["gender", "age_band"]),
        value=st.sampled_from(["femme", "homme", "jeune", "âgé"]),
        minimum=st.integers(0, 3),
        maximum=st.one_of(st.none(), st.integers(0, 4)),
    ),
    max_size=3,
)


@st.composite
def draws(draw: st.DrawFn) -> tuple[list[Volunteer], int, list[Quota]]:
    attributes = draw(st.lists(answers, min_size=1, max_size=8))
    pool = [Volunteer(f"T{i}", a) for i, a in enumerate(attributes)]
    seats = draw(st.integers(1, len(pool) + 1))
    return pool, seats, draw(quota_lists)


@given(draws())
@settings(max_examples=80, deadline=None)
def test_quotas_are_met_when_feasible_refused_when_not_and_the_lottery_is_maximin_fair(
    case: tuple[list[Volunteer], int, list[Quota]],
) -> None:
    pool, seats, quotas = case
    tickets = sorted(v.ticket for v in pool)
    feasible = all_feasible_panels(pool, seats, quotas) if seats <= len(pool) else []
    if not feasible:
        with pytest.raises(InfeasibleQuotas):
            check_feasible(pool, seats, quotas)
        return
    check_feasible(pool, seats, quotas)
    lottery = fair_panels(pool, seats, quotas)
    assert len(lottery.panels) == 1000
    assert all(meets(panel, pool, quotas) and len(set(panel)) == seats for panel in lottery.panels)
    assert set(lottery.probabilities) == set(tickets)
    assert sum(lottery.probabilities.values()) == pytest.approx(seats, abs=1e-9)
    for ticket in tickets:
        share = sum(ticket in panel for panel in lottery.panels) / len(lottery.panels)
        assert lottery.probabilities[ticket] == share
    # The LP reaches the best minimum probability over all panels; rounding moves each share by less than
    # (panels used) / 1000.
    exact = lp_probabilities(leximin_lottery(pool, seats, quotas), tickets)
    assert sum(exact.values()) == pytest.approx(seats, abs=1e-6)
    assert min(exact.values()) == pytest.approx(best_minimum_probability(feasible, tickets), abs=1e-6)
    slack = len(set(lottery.panels)) / len(lottery.panels)
    assert all(abs(lottery.probabilities[t] - exact[t]) <= slack + 1e-9 for t in tickets)


@given(draws())
@settings(max_examples=40, deadline=None)
def test_the_lottery_is_leximin_not_only_maximin(case: tuple[list[Volunteer], int, list[Quota]]) -> None:
    # Maximin fixes only the least likely volunteer; leximin then does the best for the next one, and so on.
    # The sorted probabilities of a leximin lottery are unique, so they must match the brute force exactly.
    pool, seats, quotas = case
    tickets = sorted(v.ticket for v in pool)
    feasible = all_feasible_panels(pool, seats, quotas) if seats <= len(pool) else []
    if not feasible:
        return
    exact = lp_probabilities(leximin_lottery(pool, seats, quotas), tickets)
    assert sorted(exact.values()) == pytest.approx(brute_force_leximin(feasible, tickets), abs=1e-6)
