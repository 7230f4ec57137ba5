"""Majority judgment: worked examples written from Balinski & Laraki's definitions, and properties.

Definitions (Balinski & Laraki, « Majority Judgment », MIT Press 2011; PNAS 104(21), 2007): the majority
grade is the median, the lower one for an even number of grades; the majority value is the sequence of
majority grades obtained by removing one occurrence of the majority grade at a time; candidates are ranked by
majority value, lexicographically. Their *majority gauge* theorem gives an independent check: with p (resp.
q) the number of grades above (resp. below) the majority grade α, A beats B when α_A > α_B, or when the grades
are equal and p_A > max(q_A, p_B, q_B) or q_B > max(p_A, q_A, p_B).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from kiosk.governance.majority import (
    MENTIONS,
    PUBLISH_MIN_VOTERS,
    MajorityResult,
    lower_median,
    majority_values,
    tally,
)
from kiosk.i18n import gettext

REJECT, INSUFFICIENT, PASSABLE, FAIRLY_GOOD, GOOD, VERY_GOOD, EXCELLENT = range(7)


def ballots_from_columns(columns: Mapping[str, Sequence[int | None]]) -> list[dict[str, int | None]]:
    """Ballots from each candidate's list of grades (voter k gave columns[c][k] to c)."""
    voters = len(next(iter(columns.values())))
    return [{candidate: grades[k] for candidate, grades in columns.items()} for k in range(voters)]


def names(result: MajorityResult) -> list[str]:
    return [r.candidate for r in result.ranking]


def test_the_seven_mentions_go_from_worst_to_best_and_are_translated() -> None:
    assert MENTIONS[0] == "À rejeter" and MENTIONS[-1] == "Excellent" and len(MENTIONS) == 7
    english = [gettext(m, "en") for m in MENTIONS]
    assert english == [
        "To reject",
        "Insufficient",
        "Passable",
        "Fairly good",
        "Good",
        "Very good",
        "Excellent",
    ]


def test_the_majority_grade_of_an_odd_count_is_the_middle_grade() -> None:
    # Five voters grade A: Excellent, Bien, Bien, Passable, À rejeter → sorted 0 2 4 4 6, middle = Bien.
    result = tally(["A"], ballots_from_columns({"A": [EXCELLENT, GOOD, GOOD, PASSABLE, REJECT]}))
    (a,) = result.ranking
    assert a.median == GOOD and a.mention == "Bien"
    assert a.profile == (1, 0, 1, 0, 2, 0, 1)
    # 0 2 4 4 6 → take 4 (left 0 2 4 6) → lower middle 2 (0 4 6) → 4 (0 6) → lower middle 0 (6) → 6.
    assert a.majority_values == (GOOD, PASSABLE, GOOD, REJECT, EXCELLENT)


def test_an_even_count_takes_the_lower_of_the_two_middle_grades() -> None:
    # 1 2 5 6: the two middle grades are Passable and Très bien; majority judgment takes the lower one, which
    # a majority (3 of 4) judges deserved or exceeded, where only half would support Très bien.
    assert lower_median([INSUFFICIENT, PASSABLE, VERY_GOOD, EXCELLENT]) == PASSABLE
    # 1 2 5 6 → take 2 (left 1 5 6) → 5 (left 1 6) → lower middle 1 (left 6) → 6.
    assert majority_values([1, 2, 5, 6]) == (PASSABLE, VERY_GOOD, INSUFFICIENT, EXCELLENT)
    # A has a higher average (3) than B (1) but half the voters reject A: B's majority grade is higher.
    result = tally(
        ["A", "B"],
        ballots_from_columns({"A": [REJECT, REJECT, EXCELLENT, EXCELLENT], "B": [1, 1, 1, 1]}),
    )
    assert names(result) == ["B", "A"]
    assert [r.median for r in result.ranking] == [INSUFFICIENT, REJECT]


def test_two_candidates_sharing_the_majority_grade_are_separated_by_their_majority_values() -> None:
    # Both have « Assez bien » as majority grade. A: 2 3 3 3 5, B: 1 3 3 4 4.
    # A: 3, then 2 3 3 5 → 3, then 2 3 5 → 3, then 2 5 → 2, then 5 : (3, 3, 3, 2, 5).
    # B: 3, then 1 3 4 4 → 3, then 1 4 4 → 4, then 1 4 → 1, then 4 : (3, 3, 4, 1, 4).
    # The third majority grade separates them: B is ahead (two voters above the majority grade, one below;
    # A has one above and one below), as the majority gauge says too.
    columns = {"A": [2, 3, 3, 3, 5], "B": [1, 3, 3, 4, 4]}
    result = tally(["A", "B"], ballots_from_columns(columns))
    assert names(result) == ["B", "A"]
    b, a = result.ranking
    assert a.median == b.median == FAIRLY_GOOD
    assert a.majority_values == (3, 3, 3, 2, 5) and b.majority_values == (3, 3, 4, 1, 4)
    assert not result.tie_broken_by_seed


def test_a_candidate_pulled_down_below_the_median_loses_the_tie_on_majority_values() -> None:
    # Same majority grade « Bien », same voters above it; C has more voters below → C after D.
    columns = {"C": [0, 1, 4, 4, 4, 6, 6], "D": [3, 3, 4, 4, 4, 6, 6]}
    result = tally(["C", "D"], ballots_from_columns(columns))
    assert names(result) == ["D", "C"]
    assert result.ranking[0].median == result.ranking[1].median == GOOD


def test_a_blank_or_missing_grade_counts_as_reject() -> None:
    ballots: list[dict[str, int | None]] = [{"A": GOOD, "B": None}, {"A": GOOD}, {"A": GOOD, "B": GOOD}]
    result = tally(["A", "B"], ballots)
    assert result.voters == 3
    by_name = {r.candidate: r for r in result.ranking}
    assert by_name["B"].profile == (2, 0, 0, 0, 1, 0, 0)
    assert by_name["B"].median == REJECT
    assert names(result) == ["A", "B"]


@pytest.mark.parametrize("bad", [7, -1, True, "3", 2.0])
def test_a_grade_outside_the_scale_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        tally(["A"], [{"A": bad}])  # type: ignore[dict-item]


def test_ballots_for_unknown_candidates_and_duplicate_candidates_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        tally(["A"], [{"A": 1, "Z": 2}])
    with pytest.raises(ValueError, match="twice"):
        tally(["A", "A"], [])


def test_an_exact_tie_is_broken_by_the_published_seed_only_and_flagged() -> None:
    # A and B have the same profile (from different voters): nothing in the votes separates them.
    columns = {"A": [GOOD, PASSABLE, EXCELLENT], "B": [EXCELLENT, GOOD, PASSABLE], "C": [0, 0, 1]}
    orders = set()
    for seed in ("dés 3 5 6", "dés 1 1 2", "tirage du loto", "x", "y", "z"):
        result = tally(["A", "B", "C"], ballots_from_columns(columns), tie_seed=seed)
        key = {c: hashlib.sha256(f"{seed}|{c}".encode()).hexdigest() for c in "AB"}
        assert names(result)[:2] == sorted("AB", key=key.__getitem__)
        assert names(result)[2] == "C"
        assert result.tie_broken_by_seed
        assert [r.tie_broken_by_seed for r in result.ranking] == [True, True, False]
        orders.add(tuple(names(result)))
    assert orders == {("A", "B", "C"), ("B", "A", "C")}  # the seed, and only it, decides


def test_no_ballot_and_the_publication_threshold() -> None:
    empty = tally(["A", "B"], [])
    assert empty.voters == 0 and all(r.median == REJECT and r.majority_values == () for r in empty.ranking)
    assert not empty.published
    four = tally(["A"], [{"A": 3}] * (PUBLISH_MIN_VOTERS - 1))
    five = tally(["A"], [{"A": 3}] * PUBLISH_MIN_VOTERS)
    assert not four.published and five.published


# --- properties -------------------------------------------------------------------------------------------

CANDIDATES = ["Ana", "Bilal", "Chloé", "Dmitri", "Eun-ji"]
grades = st.one_of(st.none(), st.integers(0, 6))
elections = st.integers(1, 5).flatmap(
    lambda k: st.tuples(
        st.just(CANDIDATES[:k]),
        st.lists(st.fixed_dictionaries({c: grades for c in CANDIDATES[:k]}), min_size=0, max_size=12),
        st.text(max_size=8),
    )
)


def gauge_compare(a: Sequence[int], b: Sequence[int]) -> int:
    """B&L's majority gauge: +1 if it says a beats b, -1 if b beats a, 0 when it does not decide."""

    def gauge(grades: Sequence[int]) -> tuple[int, int, int]:
        alpha = lower_median(sorted(grades))
        return sum(g > alpha for g in grades), alpha, sum(g < alpha for g in grades)

    (pa, aa, qa), (pb, ab, qb) = gauge(a), gauge(b)
    if aa != ab:
        return 1 if aa > ab else -1
    if pa > max(qa, pb, qb) or qb > max(pa, qa, pb):
        return 1
    if pb > max(qb, pa, qa) or qa > max(pb, qb, pa):
        return -1
    return 0


@given(elections)
@settings(max_examples=300, deadline=None)
def test_the_ranking_is_a_total_order_that_agrees_with_the_majority_gauge(
    election: tuple[list[str], list[dict[str, int | None]], str],
) -> None:
    candidates, ballots, seed = election
    result = tally(candidates, ballots, tie_seed=seed)
    assert sorted(names(result)) == sorted(candidates) and result.voters == len(ballots)
    columns = {c: [b[c] or 0 for b in ballots] for c in candidates}
    for better, worse in zip(result.ranking, result.ranking[1:], strict=False):
        assert better.majority_values >= worse.majority_values
        if better.majority_values == worse.majority_values:
            assert better.profile == worse.profile and better.tie_broken_by_seed and worse.tie_broken_by_seed
            key = [hashlib.sha256(f"{seed}|{r.candidate}".encode()).hexdigest() for r in (better, worse)]
            assert key[0] < key[1]
    position = {name: k for k, name in enumerate(names(result))}
    for a in candidates:
        for b in candidates:
            if a != b and len(ballots) > 0 and gauge_compare(columns[a], columns[b]) == 1:
                assert position[a] < position[b]


@given(elections, st.randoms(use_true_random=False))
@settings(max_examples=200, deadline=None)
def test_the_result_does_not_depend_on_the_order_of_ballots_or_candidates(
    election: tuple[list[str], list[dict[str, int | None]], str], rng: object
) -> None:
    import random

    assert isinstance(rng, random.Random)
    candidates, ballots, seed = election
    shuffled_ballots = list(ballots)
    rng.shuffle(shuffled_ballots)
    shuffled_candidates = list(candidates)
    rng.shuffle(shuffled_candidates)
    assert tally(shuffled_candidates, shuffled_ballots, seed) == tally(candidates, ballots, seed)


@given(elections, st.data())
@settings(max_examples=300, deadline=None)
def test_a_better_grade_never_lowers_the_candidates_rank(
    election: tuple[list[str], list[dict[str, int | None]], str], data: st.DataObject
) -> None:
    candidates, ballots, seed = election
    if not ballots:
        return
    who = data.draw(st.sampled_from(candidates))
    voter = data.draw(st.integers(0, len(ballots) - 1))
    before = ballots[voter].get(who) or 0
    if before == EXCELLENT:
        return
    after = data.draw(st.integers(before + 1, EXCELLENT))
    better = [dict(b) for b in ballots]
    better[voter][who] = after
    rank_before = names(tally(candidates, ballots, seed)).index(who)
    rank_after = names(tally(candidates, better, seed)).index(who)
    assert rank_after <= rank_before


@given(elections, st.text(max_size=8))
@settings(max_examples=200, deadline=None)
def test_the_seed_only_reorders_candidates_with_identical_profiles(
    election: tuple[list[str], list[dict[str, int | None]], str], other_seed: str
) -> None:
    candidates, ballots, seed = election
    first, second = tally(candidates, ballots, seed), tally(candidates, ballots, other_seed)
    # Same majority values at every rank; only candidates that share a profile may swap places.
    assert [r.majority_values for r in first.ranking] == [r.majority_values for r in second.ranking]
    for a, b in zip(first.ranking, second.ranking, strict=True):
        assert a.candidate == b.candidate or (a.tie_broken_by_seed and a.profile == b.profile)
