"""Small-cell protection (secret statistique) of the open data: pure functions, no database.

Primary rule: a cell built from fewer than MIN_MEMBERS distinct members, or where one member takes part in
more than DOMINANCE_SHARE of its total (hours, or listings), is sensitive and suppressed.

Secondary rule: a table is published with its margins (row totals, column totals, grand total), so a lone
suppressed cell would be its margin minus the published cells. We see the table as a network: one node per
row and per column (the totals too), one edge per entry; every row and column sums to its margin, i.e. once
margins are counted negatively, the flow is conserved at every node. An unknown entry can move by t only if
t goes round a cycle of unknown entries, and only as far as the other entries of the cycle allow (a count
never goes below what everyone knows, e.g. 1 for a listed row; an entry with no upper bound moves freely
up). So: for every suppressed entry we look for cycles of suppressed entries that let it rise and fall by
at least its protection in all; if there are none, we suppress the cheapest path that does (Dijkstra over
the entries that are still published, small cells first), until nothing changes. A margin the file does
not publish is an unknown with no bound. This is the classic « network flow » heuristic of secondary
suppression for two-dimensional tables (Cox 1995, Castro 2004); one widest path each way is a lower bound
of the real range, so it errs on the safe side.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

MIN_MEMBERS = 5
DOMINANCE_SHARE = 0.85
PROTECTION_SHARE = 0.5  # a sensitive value must be able to rise by half of itself (and by one unit at least)
TOTAL = "*"  # the key of a margin: all rows, or all columns

Key = tuple[Hashable, Hashable]  # (row, column); TOTAL in one of them for a margin, in both for the total


def is_sensitive(contributions: Mapping[str, float], total: float) -> bool:
    """The primary rule. `contributions`: member → how much of `total` they take part in (an hour of a
    one-to-one exchange counts for both members, so a member's share is of the cell's hours, not of the
    members' hours added up)."""
    if len(contributions) < MIN_MEMBERS:
        return True
    return total > 0 and max(contributions.values()) > DOMINANCE_SHARE * total


@dataclass(frozen=True)
class Entry:
    """One figure of a table, with one value per measure (e.g. exchanges, minutes)."""

    values: tuple[float, ...]
    lower: tuple[float, ...]  # what anyone knows without the table (1 exchange in a listed row, 0 minutes)
    sensitive: bool = False
    published: bool = True  # False: a margin the file leaves out, an unknown without bounds


@dataclass(frozen=True)
class Table:
    entries: Mapping[Key, Entry]
    minimum: tuple[float, ...]  # the least protection per measure (1 exchange, 60 minutes)


Node = tuple[str, Hashable]


def _nodes(key: Key) -> tuple[Node, Node]:
    return ("row", key[0]), ("col", key[1])


def _sign(key: Key) -> int:
    """Margins enter their row or column with a minus sign; interior cells and the grand total with a plus."""
    return -1 if (key[0] == TOTAL) != (key[1] == TOTAL) else 1


def complete(entries: Mapping[Key, Entry]) -> dict[Key, Entry]:
    """Every margin the equations need, as an unpublished unknown when the file leaves it out."""
    measures = len(next(iter(entries.values())).values) if entries else 0
    free = Entry((math.inf,) * measures, (-math.inf,) * measures, published=False)
    full = dict(entries)
    rows = {row for row, col in entries if row != TOTAL}
    cols = {col for row, col in entries if col != TOTAL}
    for key in [(row, TOTAL) for row in rows] + [(TOTAL, col) for col in cols] + [(TOTAL, TOTAL)]:
        full.setdefault(key, free)
    return full


def _capacity(key: Key, entry: Entry, measure: int, forward: bool) -> float:
    """How far the entry can move when flow crosses it row→column (`forward`: its signed value rises)."""
    if not entry.published:
        return math.inf
    rises = forward == (_sign(key) == 1)
    return math.inf if rises else max(0.0, entry.values[measure] - entry.lower[measure])


def _arcs(
    keys: Sequence[Key], entries: Mapping[Key, Entry], measure: int
) -> dict[Node, list[tuple[Node, Key, float]]]:
    graph: dict[Node, list[tuple[Node, Key, float]]] = {}
    for key in keys:
        row, col = _nodes(key)
        graph.setdefault(row, []).append((col, key, _capacity(key, entries[key], measure, True)))
        graph.setdefault(col, []).append((row, key, _capacity(key, entries[key], measure, False)))
    return graph


def _ends(key: Key, rise: bool) -> tuple[Node, Node]:
    """Where the flow must go back from and to, for the entry's value to rise (or fall)."""
    row, col = _nodes(key)
    return (col, row) if (_sign(key) == 1) == rise else (row, col)


def _own_room(entry: Entry, measure: int, rise: bool) -> float:
    return math.inf if rise else max(0.0, entry.values[measure] - entry.lower[measure])


def widest_move(key: Key, unknown: set[Key], entries: Mapping[Key, Entry], measure: int, rise: bool) -> float:
    """How far the entry can rise (or fall) along one cycle of unknown entries: a lower bound of its range."""
    own = _own_room(entries[key], measure, rise)
    graph = _arcs(sorted((k for k in unknown if k != key), key=repr), entries, measure)
    start, goal = _ends(key, rise)
    best: dict[Node, float] = {start: math.inf}
    heap: list[tuple[float, str, Node]] = [(-math.inf, repr(start), start)]
    while heap:
        negative, _, node = heapq.heappop(heap)
        width = -negative
        if node == goal:
            return min(width, own)
        if width < best.get(node, -1.0):
            continue
        for neighbour, _, capacity in graph.get(node, []):
            through = min(width, capacity)
            if through > best.get(neighbour, 0.0):
                best[neighbour] = through
                heapq.heappush(heap, (-through, repr(neighbour), neighbour))
    return 0.0


def _cheapest_path(
    key: Key, need: float, unknown: set[Key], entries: Mapping[Key, Entry], measure: int, rise: bool
) -> tuple[float, list[Key]] | None:
    """The entries to suppress (small counts first), and their cost, so that `key` can move by `need`."""
    if _own_room(entries[key], measure, rise) < need:
        return None
    keys = sorted((k for k in entries if k != key), key=repr)
    graph = _arcs(keys, entries, measure)
    start, goal = _ends(key, rise)
    cost_of = {k: 0.0 if k in unknown else 1.0 + entries[k].values[0] for k in keys}
    done: set[Node] = set()
    heap: list[tuple[float, str, Node, tuple[Key, ...]]] = [(0.0, repr(start), start, ())]
    while heap:
        cost, _, node, path = heapq.heappop(heap)
        if node in done:
            continue
        if node == goal:
            return cost, [k for k in path if k not in unknown]
        done.add(node)
        for neighbour, edge, capacity in graph.get(node, []):
            if capacity >= need and neighbour not in done:
                heapq.heappush(heap, (cost + cost_of[edge], repr(neighbour), neighbour, (*path, edge)))
    return None


def _need(entry: Entry, measure: int, minimum: float) -> float:
    share = PROTECTION_SHARE * entry.values[measure] if entry.sensitive else 0.0
    return max(minimum, share)


def _every_entry(entries: Mapping[Key, Entry]) -> list[Key]:
    return sorted((key for key, entry in entries.items() if entry.published), key=repr)


def primary_only(table: Table) -> frozenset[Key]:
    """The sensitive entries alone: what a naive publication would hide (the tests show it leaks)."""
    return frozenset(key for key, entry in table.entries.items() if entry.sensitive and entry.published)


def protect(table: Table) -> frozenset[Key]:
    """The published entries to suppress: the sensitive ones and enough others that none can be recovered."""
    entries = complete(table.entries)
    unknown = set(primary_only(table)) | {key for key, entry in entries.items() if not entry.published}
    changed = True
    while changed:
        changed = False
        for key in sorted(unknown, key=repr):
            entry = entries[key]
            if not entry.published:
                continue
            for measure, minimum in enumerate(table.minimum):
                need = _need(entry, measure, minimum)
                moves = [widest_move(key, unknown, entries, measure, rise) for rise in (True, False)]
                if sum(moves) >= need:
                    continue
                paths = [_cheapest_path(key, need, unknown, entries, measure, rise) for rise in (True, False)]
                # A rise always has a path while the table has its margins (they rise without bound).
                _, added = min((p for p in paths if p is not None), default=(0.0, _every_entry(entries)))
                size = len(unknown)
                unknown.update(added)
                changed = changed or len(unknown) > size
    return frozenset(key for key in unknown if entries[key].published)
