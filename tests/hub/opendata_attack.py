"""The attacker of the open data tests: bounds of every hidden figure by linear programming (scipy/HiGHS).

It knows what anyone knows: the published figures (hours only to the rounding), that the listed rows add up
to their totals, and each figure's lower bound. It does not use the production code's own reasoning.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from scipy.optimize import linprog

Bounds = tuple[float, float | None]
K = TypeVar("K", bound=Hashable)


def ranges(
    bounds: Mapping[K, Bounds], equations: Sequence[Mapping[K, float]], hidden: Sequence[K]
) -> dict[K, tuple[float, float]]:
    """For each hidden figure, its least and greatest value under `equations` (each sums to 0) and bounds."""
    names = sorted(bounds, key=repr)
    index = {name: i for i, name in enumerate(names)}
    rows = [[0.0] * len(names) for _ in equations]
    for row, equation in zip(rows, equations, strict=True):
        for name, coefficient in equation.items():
            row[index[name]] += coefficient
    found: dict[K, tuple[float, float]] = {}
    for name in hidden:
        ends = []
        for sign in (1.0, -1.0):
            objective = [0.0] * len(names)
            objective[index[name]] = sign
            result = linprog(
                objective,
                A_eq=rows or None,
                b_eq=[0.0] * len(rows) or None,
                bounds=[bounds[n] for n in names],
                method="highs",
            )
            if result.status == 3:  # unbounded: it can grow without end
                ends.append(float("inf"))
            else:
                assert result.status == 0, result.message
                ends.append(sign * result.fun)
        found[name] = (ends[0], ends[1])
    return found
