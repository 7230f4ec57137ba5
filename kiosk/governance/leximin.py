"""The leximin lottery over panels, by column generation (SciPy's HiGHS: `linprog` and `milp`).

Volunteers are indices 0…n−1; a group is a quota: who it counts, its minimum and its maximum. A panel is
`seats` volunteers meeting every group's bounds. We want the lottery over panels where the least likely
volunteer is as likely as possible, then the next least likely, and so on (leximin; Flanigan, Gölz, Gupta,
Hennig, Procaccia, « Fair algorithms for selecting citizens' assemblies », Nature 596, 2021).

Each round maximises the lowest probability of the volunteers not yet settled. It is an LP over every feasible
panel, far too many to list, so its dual is solved over the panels found so far (`linprog`), giving weights on
volunteers; the pricing oracle (`milp` under the quotas) finds the heaviest feasible panel; while it is
heavier than the dual allows, it is added. Volunteers counted by the same quotas are interchangeable (leximin
gives them the same probability), which spares most of the work: panels come with their rotations within
each kind, and a dual averaged per kind often proves optimality at once.

SciPy is imported inside the functions: the kiosk pays for it only when a draw with quotas is frozen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Group = tuple[Sequence[bool], int, int | None]  # who a quota counts, its minimum, its maximum (None: none)

# Numerical tolerances of the LP (HiGHS works to about 1e-9).
_EPS = 1e-7  # dual weights and panel gains below this are solver noise
_SLACK = 1e-9  # settled probabilities are fixed this much lower, so the next round stays feasible


class PanelOracle:
    """The heaviest feasible panel for given weights on volunteers: a small integer programme (HiGHS)."""

    def __init__(self, n: int, seats: int, groups: Sequence[Group]) -> None:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint

        rows = [np.ones(n)]
        lower, upper = [float(seats)], [float(seats)]
        for members, minimum, maximum in groups:
            rows.append(np.array(members, dtype=float))
            lower.append(float(minimum))
            upper.append(float(maximum) if maximum is not None else np.inf)
        self._constraints = LinearConstraint(np.vstack(rows), lower, upper)
        self._bounds = Bounds(0, 1)
        self._integrality = np.ones(n)

    def best(self, weights: Sequence[float]) -> tuple[int, ...] | None:
        """Indices of the panel maximising the sum of `weights`, or None when no panel is feasible."""
        import numpy as np
        from scipy.optimize import milp

        result = milp(
            -np.asarray(weights, dtype=float),
            constraints=self._constraints,
            bounds=self._bounds,
            integrality=self._integrality,
            options={"mip_rel_gap": 0.0, "presolve": True},
        )
        if result.status == 2:  # infeasible
            return None
        if result.x is None:
            raise RuntimeError(f"panel search failed: {result.message}")
        return tuple(int(i) for i in np.flatnonzero(result.x > 0.5))


def _solve_dual(
    panels: Sequence[tuple[int, ...]], n: int, fixed: Mapping[int, float]
) -> tuple[list[float], float, float]:
    """min upper − Σ_fixed f_i·y_i  s.t.  Σ_{i∈P} y_i ≤ upper for every panel P, Σ_unfixed y_i = 1, y ≥ 0.

    Its value is the best minimum probability of the unfixed volunteers; returns (y, upper, value).
    """
    import numpy as np
    from scipy.optimize import linprog

    cost = np.zeros(n + 1)
    cost[0] = 1.0  # variable 0 is `upper`, then y_0 … y_{n-1}
    for i, probability in fixed.items():
        cost[1 + i] = -probability
    a_ub = np.zeros((len(panels), n + 1))
    a_ub[:, 0] = -1.0
    for row, panel in enumerate(panels):
        a_ub[row, [1 + i for i in panel]] = 1.0
    a_eq = np.array([[0.0] + [0.0 if i in fixed else 1.0 for i in range(n)]])
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.zeros(len(panels)),
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=[(None, None)] + [(0, None)] * n,
        method="highs",
    )
    if result.status != 0:
        raise RuntimeError(f"fair lottery LP failed: {result.message}")
    return [float(v) for v in result.x[1:]], float(result.x[0]), float(result.fun)


def _panel_weights(panels: Sequence[tuple[int, ...]], n: int, fixed: Mapping[int, float]) -> list[float]:
    """A lottery over `panels` giving each volunteer at least its fixed probability (least shortfall)."""
    import numpy as np
    from scipy.optimize import linprog

    m = len(panels)
    cost = np.zeros(m + 1)
    cost[m] = 1.0  # the shortfall s
    a_ub = np.zeros((n, m + 1))
    for column, panel in enumerate(panels):
        a_ub[list(panel), column] = -1.0
    a_ub[:, m] = -1.0
    b_ub = -np.array([fixed[i] for i in range(n)])
    a_eq = np.array([[1.0] * m + [0.0]])
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=(0, None), method="highs")
    if result.status != 0:
        raise RuntimeError(f"fair lottery LP failed: {result.message}")
    weights = [max(0.0, float(w)) for w in result.x[:m]]
    total = sum(weights)
    return [w / total for w in weights]


def _rotations(panel: tuple[int, ...], kinds: Sequence[tuple[bool, ...]]) -> list[tuple[int, ...]]:
    """Panels with the same number of each kind as `panel`, the members taken in turn within each kind.

    They meet the quotas as `panel` does and cover every member of its kinds: adding them with each panel the
    oracle finds spares most of the (costly) oracle calls.
    """
    members: dict[tuple[bool, ...], list[int]] = {}
    for i, kind in enumerate(kinds):
        members.setdefault(kind, []).append(i)
    counts: dict[tuple[bool, ...], int] = {}
    for i in panel:
        counts[kinds[i]] = counts.get(kinds[i], 0) + 1
    turns = max(-(-len(members[kind]) // count) for kind, count in counts.items())
    return [
        tuple(
            sorted(
                members[k][(turn * c + t) % len(members[k])]
                for k, c in sorted(counts.items())
                for t in range(c)
            )
        )
        for turn in range(turns)
    ]


def _average_per_kind(y: Sequence[float], kinds: Sequence[tuple[bool, ...]]) -> list[float]:
    totals: dict[tuple[bool, ...], list[float]] = {}
    for weight, kind in zip(y, kinds, strict=True):
        totals.setdefault(kind, []).append(weight)
    return [sum(totals[kind]) / len(totals[kind]) for kind in kinds]


def _price(
    oracle: PanelOracle,
    y: list[float],
    upper: float,
    value: float,
    fixed: Mapping[int, float],
    kinds: Sequence[tuple[bool, ...]],
) -> tuple[list[float] | None, list[tuple[int, ...]]]:
    """(weights proving the restricted LP optimal over ALL panels, or None and the panels to add).

    Weights prove it when no feasible panel is heavier than the LP's value allows. The solver's y is a
    vertex, often lopsided among interchangeable volunteers, so their average per kind is tried as well: it
    proves optimality far sooner. Panels found that the current y does not allow are added.
    """

    def heaviest(weights: list[float]) -> tuple[tuple[int, ...], float]:
        panel = oracle.best(weights)
        assert panel is not None  # feasible once, feasible always: weights do not change the set
        return panel, sum(weights[i] for i in panel) - sum(f * weights[i] for i, f in fixed.items())

    panel, bound = heaviest(y)
    if bound <= value + _EPS:
        return y, []
    found = [panel]
    average = _average_per_kind(y, kinds)
    if average != y:
        other, bound = heaviest(average)
        if bound <= value + _EPS:
            return average, []
        if sum(y[i] for i in other) > upper + _EPS:
            found.append(other)
    return None, found


def leximin(n: int, seats: int, groups: Sequence[Group]) -> list[tuple[tuple[int, ...], float]]:
    """The leximin lottery: (panel as sorted indices, probability) pairs, panels in the order found.

    Raises ValueError when no panel is feasible (check the quotas first, with a reason for people).
    """
    oracle = PanelOracle(n, seats, groups)
    first = oracle.best([0.0] * n)
    if first is None:
        raise ValueError("no feasible panel: call check_feasible first")
    kinds = [tuple(bool(members[i]) for members, _, _ in groups) for i in range(n)]
    panels: list[tuple[int, ...]] = []
    known: set[tuple[int, ...]] = set()

    def add(found: tuple[int, ...]) -> None:
        for panel in [found, *_rotations(found, kinds)]:
            if panel not in known:
                panels.append(panel)
                known.add(panel)

    add(first)
    fixed: dict[int, float] = {}
    while len(fixed) < n:
        while True:
            y, upper, value = _solve_dual(panels, n, fixed)
            certificate, found = _price(oracle, y, upper, value, fixed, kinds)
            new = [panel for panel in found if panel not in known]
            if certificate is None and not new:
                certificate = y  # what is left is the solver's noise
            if certificate is not None:
                break
            for panel in new:
                add(panel)
        # Complementary slackness: a volunteer with a positive weight in an optimal dual solution has
        # probability `value` in every optimal lottery, so it is settled, and so are those of its kind. The
        # weights of the unfixed sum to 1, so one at least is settled.
        unfixed = [i for i in range(n) if i not in fixed]
        settled_kinds = {kinds[i] for i in unfixed if certificate[i] > _EPS}
        for i in [i for i in unfixed if kinds[i] in settled_kinds] or unfixed:
            fixed[i] = max(0.0, value - _SLACK)
    weights = _panel_weights(panels, n, fixed)
    return [(panel, weight) for panel, weight in zip(panels, weights, strict=True) if weight > 0]
