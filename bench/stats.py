"""Timing samples and how they are printed: percentiles next to the goal, never an assertion."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def percentile(samples_ns: Sequence[int], q: float) -> float:
    """Nearest-rank percentile of nanosecond samples, in milliseconds."""
    ordered = sorted(samples_ns)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] / 1e6


def timed(action: Callable[[], object], count: int, warmup: int) -> list[int]:
    """`count` timings of `action` after `warmup` untimed calls (caches, statements, branch predictors)."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(count):
        started = time.perf_counter_ns()
        action()
        samples.append(time.perf_counter_ns() - started)
    return samples


@dataclass(frozen=True)
class Goal:
    quantile: float  # 50, 95 or 99
    limit_ms: float

    def text(self) -> str:
        return f"p{self.quantile:g} ≤ {self.limit_ms:g} ms"


@dataclass(frozen=True)
class Figure:
    name: str
    samples_ns: list[int]
    goal: Goal | None = None

    def p(self, q: float) -> float:
        return percentile(self.samples_ns, q)

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.p(self.goal.quantile) <= self.goal.limit_ms

    def line(self) -> str:
        figures = "  ".join(f"p{q} {ms(self.p(q))}" for q in (50, 95, 99))
        text = f"  {self.name:<50} {figures}  n={len(self.samples_ns):<6}"
        if self.goal is not None:
            text += f"  goal {self.goal.text()}: {'met' if self.met else 'MISSED'}"
        return text


def ms(value: float) -> str:
    return f"{value:8.3f} ms"


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its direct children (uvicorn's
    workers), read from /proc: what a server spent, apart from the load generator beside it."""
    ticks = os.sysconf("SC_CLK_TCK")

    def stat(proc: str) -> list[str]:
        with open(f"/proc/{proc}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()

    total = 0.0
    for proc in os.listdir("/proc"):
        if not proc.isdigit():
            continue
        try:
            fields = stat(proc)
            if int(proc) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
                total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return total
