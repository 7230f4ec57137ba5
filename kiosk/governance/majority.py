"""Majority judgment (jugement majoritaire, Balinski & Laraki): every voter grades every candidate.

Definitions, as published (M. Balinski, R. Laraki, « Majority Judgment », MIT Press 2011):
- a candidate's *merit profile* is how many voters gave each grade;
- the *majority grade* is the median grade, the lower one for an even number of grades (the grade that a
  majority supports: at least half gave it or better, at least half gave it or worse);
- the *majority value* is the sequence of majority grades obtained by taking the majority grade, removing one
  occurrence of it, taking the majority grade of what remains, and so on until no grade is left;
- candidates are ranked by majority value, compared lexicographically: the first majority grade decides, and
  when two candidates share it the following ones separate them.
Two candidates with the same majority value have the same profile: nothing in the votes can separate them, so
a published seed does (SHA-256 of « seed | candidate », smallest first), and the result says so.

A grade left blank counts as « À rejeter » (grade 0), as the ballot tells the voter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kiosk.i18n import N_

MENTIONS: tuple[str, ...] = (
    N_("À rejeter"),
    N_("Insuffisant"),
    N_("Passable"),
    N_("Assez bien"),
    N_("Bien"),
    N_("Très bien"),
    N_("Excellent"),
)
WORST, BEST = 0, len(MENTIONS) - 1
PUBLISH_MIN_VOTERS = 5  # below this, publishing the ballots could tell who voted what


@dataclass(frozen=True)
class CandidateResult:
    candidate: str
    median: int  # the majority grade, an index into MENTIONS
    profile: tuple[int, ...]  # voters per grade, index 0 = « À rejeter »
    majority_values: tuple[int, ...]
    tie_broken_by_seed: bool = False  # same profile as another candidate: the seed ordered them

    @property
    def mention(self) -> str:
        """The French name of the majority grade (translate it where it is shown)."""
        return MENTIONS[self.median]


@dataclass(frozen=True)
class MajorityResult:
    ranking: list[CandidateResult]  # best first
    voters: int

    @property
    def tie_broken_by_seed(self) -> bool:
        return any(result.tie_broken_by_seed for result in self.ranking)

    @property
    def published(self) -> bool:
        return self.voters >= PUBLISH_MIN_VOTERS


def lower_median(sorted_grades: Sequence[int]) -> int:
    """The majority grade of grades sorted from worst to best (the lower of the two middle ones if even)."""
    return sorted_grades[(len(sorted_grades) - 1) // 2]


def majority_values(grades: Iterable[int]) -> tuple[int, ...]:
    remaining = sorted(grades)
    values = []
    while remaining:
        values.append(remaining.pop((len(remaining) - 1) // 2))
    return tuple(values)


def _grade(value: int | None, candidate: str) -> int:
    if value is None:
        return WORST
    if isinstance(value, bool) or not isinstance(value, int) or not WORST <= value <= BEST:
        raise ValueError(f"grade {value!r} for {candidate!r} is not between {WORST} and {BEST}")
    return value


def _tie_key(tie_seed: str, candidate: str) -> str:
    return hashlib.sha256(f"{tie_seed}|{candidate}".encode()).hexdigest()


def tally(
    candidates: Sequence[str], ballots: Iterable[Mapping[str, int | None]], tie_seed: str = ""
) -> MajorityResult:
    """Rank `candidates` by majority judgment; a missing or None grade is « À rejeter »."""
    if len(set(candidates)) != len(candidates):
        raise ValueError("a candidate appears twice")
    grades: dict[str, list[int]] = {candidate: [] for candidate in candidates}
    voters = 0
    for ballot in ballots:
        unknown = set(ballot) - grades.keys()
        if unknown:
            raise ValueError(f"ballot grades unknown candidates: {sorted(unknown)}")
        for candidate in candidates:
            grades[candidate].append(_grade(ballot.get(candidate), candidate))
        voters += 1
    values = {candidate: majority_values(grades[candidate]) for candidate in candidates}
    tied = {c for c in candidates if sum(1 for other in candidates if values[other] == values[c]) > 1}
    # Best first: the majority value, compared grade by grade (negated to sort ascending), then the seed.
    order = sorted(candidates, key=lambda c: (tuple(-g for g in values[c]), _tie_key(tie_seed, c)))
    ranking = [
        CandidateResult(
            candidate=c,
            median=values[c][0] if values[c] else WORST,
            profile=tuple(grades[c].count(grade) for grade in range(len(MENTIONS))),
            majority_values=values[c],
            tie_broken_by_seed=c in tied,
        )
        for c in order
    ]
    return MajorityResult(ranking, voters)
