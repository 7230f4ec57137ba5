"""Pure algorithms for representatives and mediators (issue 8): no I/O, no database, no Kivy.

`sortition` (with `quotas` and `tickets`) draws representatives by lot in a way anyone can check;
`majority` counts majority-judgment elections. The kiosk services and the hub both import them.
"""

from kiosk.governance.majority import (
    MENTIONS,
    PUBLISH_MIN_VOTERS,
    CandidateResult,
    MajorityResult,
    tally,
)
from kiosk.governance.quotas import (
    InfeasibleQuotas,
    PanelLottery,
    Quota,
    Volunteer,
    check_feasible,
    fair_panels,
)
from kiosk.governance.sortition import (
    ALGORITHM,
    canonical_pool,
    category_counts,
    derive_seed,
    normalise_randomness,
    panels_hash,
    parse_pool,
    perform_draw,
    pool_hash,
    rank,
    verify_record,
)
from kiosk.governance.tickets import is_ticket, new_ticket

__all__ = [
    "ALGORITHM",
    "MENTIONS",
    "PUBLISH_MIN_VOTERS",
    "CandidateResult",
    "InfeasibleQuotas",
    "MajorityResult",
    "PanelLottery",
    "Quota",
    "Volunteer",
    "canonical_pool",
    "category_counts",
    "check_feasible",
    "derive_seed",
    "fair_panels",
    "is_ticket",
    "new_ticket",
    "normalise_randomness",
    "panels_hash",
    "parse_pool",
    "perform_draw",
    "pool_hash",
    "rank",
    "tally",
    "verify_record",
]
