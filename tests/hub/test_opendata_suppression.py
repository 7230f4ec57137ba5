"""Small-cell protection (hub/opendata/suppression.py): the primary rule, and that an attacker solving the
table's equations by linear programming never pins a hidden figure down (random tables, hypothesis)."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.opendata.suppression import TOTAL, Entry, Key, Table, is_sensitive, primary_only, protect
from tests.hub.opendata_attack import Bounds, ranges


def test_fewer_than_five_members_is_sensitive() -> None:
    assert is_sensitive({m: 60 for m in "abcd"}, 120)
    assert not is_sensitive({m: 60 for m in "abcde"}, 150)


def test_one_member_over_85_percent_of_the_hours_is_sensitive() -> None:
    # "a" takes part in 9 of the 10 hours: 90 % > 85 %.
    assert is_sensitive({"a": 540, "b": 60, "c": 60, "d": 60, "e": 60, "f": 60}, 600)
    # exactly 85 % is not more than 85 %
    assert not is_sensitive({"a": 85, "b": 15, "c": 15, "d": 15, "e": 15}, 100)


def attack(table: Table, hidden: frozenset[Key]) -> dict[Hashable, tuple[float, float]]:
    """Bounds of the hidden entries (first measure) from the published ones and the table's equations."""
    entries = table.entries
    bounds: dict[Hashable, Bounds] = {}
    for key, entry in entries.items():
        value = entry.values[0]
        bounds[key] = (entry.lower[0], None) if key in hidden else (value, value)
    rows = {r for r, c in entries if r != TOTAL}
    cols = {c for r, c in entries if c != TOTAL}
    equations: list[dict[Hashable, float]] = []
    lines: list[tuple[Hashable, list[Key], Key]] = [(r, [(r, c) for c in cols], (r, TOTAL)) for r in rows]
    lines += [(c, [(r, c) for r in rows], (TOTAL, c)) for c in cols]
    lines += [
        (TOTAL, [(r, TOTAL) for r in rows], (TOTAL, TOTAL)),
        (TOTAL, [(TOTAL, c) for c in cols], (TOTAL, TOTAL)),
    ]
    for _, members, margin in lines:
        if margin in entries:  # a margin the file leaves out gives no equation
            equation: dict[Hashable, float] = {key: 1.0 for key in members if key in entries}
            equation[margin] = -1.0
            equations.append(equation)
    return ranges(bounds, equations, sorted(hidden, key=repr))


def _two_by_two() -> Table:
    def entry(count: float, sensitive: bool = False) -> Entry:
        return Entry((count,), (1.0,), sensitive)

    cells: dict[Key, float] = {("a", "x"): 1.0, ("a", "y"): 10.0, ("b", "x"): 8.0, ("b", "y"): 9.0}
    entries: dict[Key, Entry] = {key: entry(value, key == ("a", "x")) for key, value in cells.items()}
    for r in "ab":
        entries[(r, TOTAL)] = entry(sum(v for (row, _), v in cells.items() if row == r))
    for c in "xy":
        entries[(TOTAL, c)] = entry(sum(v for (_, col), v in cells.items() if col == c))
    entries[(TOTAL, TOTAL)] = entry(sum(cells.values()))
    return Table(entries, (1.0,))


def test_primary_suppression_alone_gives_the_cell_away() -> None:
    table = _two_by_two()
    hidden = primary_only(table)
    assert hidden == {("a", "x")}
    assert attack(table, hidden)[("a", "x")] == (1.0, 1.0)  # 11 - 10: the attack works


def test_secondary_suppression_hides_a_cycle_around_the_small_cell() -> None:
    table = _two_by_two()
    hidden = protect(table)
    assert hidden == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}  # the cheapest cycle, totals kept
    low, high = attack(table, hidden)[("a", "x")]
    assert low == 1.0 and high >= 8.0


@st.composite
def tables(draw: st.DrawFn) -> Table:
    rows = draw(st.integers(1, 4))
    cols = draw(st.integers(1, 4))
    cells: dict[Key, float] = {}
    for r in range(rows):
        for c in range(cols):
            value = draw(st.sampled_from([0, 1, 1, 2, 3, 5, 8, 13]))
            if value:
                cells[(f"r{r}", f"c{c}")] = float(value)
    if not cells:
        cells[("r0", "c0")] = 1.0
    # A cell is sensitive when it is small (as with fewer than 5 members), or by a coin toss (dominance).
    entries = {key: Entry((v,), (1.0,), v < 3 or draw(st.booleans())) for key, v in cells.items()}
    margins: dict[Key, float] = {}
    for (row, col), v in cells.items():
        for margin in ((row, TOTAL), (TOTAL, col), (TOTAL, TOTAL)):
            margins[margin] = margins.get(margin, 0.0) + v
    published_margins = draw(st.sampled_from(["all", "rows", "columns"]))
    for key, v in margins.items():
        row_margin, col_margin = key[1] == TOTAL and key[0] != TOTAL, key[0] == TOTAL and key[1] != TOTAL
        if published_margins == "rows" and not row_margin:
            continue
        if published_margins == "columns" and not col_margin:
            continue
        entries[key] = Entry((v,), (1.0,), v < 3)
    return Table(entries, (1.0,))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_figure_can_be_pinned_down(table: Table) -> None:
    hidden = protect(table)
    assert primary_only(table) <= hidden
    found = attack(table, hidden)
    for key in hidden:
        low, high = found[key]
        value = table.entries[key].values[0]
        assert low <= value <= high
        need = max(1.0, 0.5 * value) if table.entries[key].sensitive else 1.0
        assert high - low >= need - 1e-9, (key, value, low, high)
