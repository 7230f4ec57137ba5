"""Benchmarks of the kiosk core: figures and ratios measured side by side, printed, never asserted.

`python -m bench` (or `make bench`) builds, or reuses, a large store under build/bench/ and prints
p50/p95/p99 of each use case next to its goal. `--quick` uses a store ten times smaller.
"""
