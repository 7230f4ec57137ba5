"""Quotas for a draw, and the fair lottery over panels that meets them.

A panel is a set of `seats` volunteers meeting every quota. Among all lotteries over such panels we want the
fairest: the one where the least likely volunteer is as likely as possible (maximin), and then, among those,
the next least likely too, and so on (leximin, Flanigan et al., « Fair algorithms for selecting
citizens' assemblies », Nature 2021). Maximin alone leaves the others arbitrary (with 2 women among 10 and
« at least one woman », maximin may give the women 3/4 and 1/4); leximin gives each 1/2, as people expect.

The LP is solved in `leximin.py`. The lottery is then rounded to `count` equally likely panels (largest
remainder), which are published before the seed exists; the seed picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.governance.leximin import Group, PanelOracle, leximin
from kiosk.i18n import N_, gettext

# What a volunteer may be asked, with their consent, so that quotas can be met (and nothing else).
AGE_BAND, GENDER, QUARTIER = "age_band", "gender", "quartier"
ATTRIBUTE_LABELS: dict[str, str] = {
    AGE_BAND: N_("Tranche d’âge"),
    GENDER: N_("Genre"),
    QUARTIER: N_("Quartier"),
}
# The answers offered (tapped, never typed); the quartier is one of the collective's (free text).
ATTRIBUTE_VALUES: dict[str, dict[str, str]] = {
    AGE_BAND: {
        "moins_de_30": N_("Moins de 30 ans"),
        "30_a_59": N_("De 30 à 59 ans"),
        "60_et_plus": N_("60 ans et plus"),
    },
    GENDER: {
        "femme": N_("Femme"),
        "homme": N_("Homme"),
        "autre": N_("Autre"),
    },
}


def attribute_words(attribute: str, language: str | None = None) -> str:
    label = ATTRIBUTE_LABELS.get(attribute)
    return gettext(label, language) if label else attribute


class QuotaName:
    """A quota named in an error's text, in the language on screen when the text is shown."""

    def __init__(self, attribute: str, value: str) -> None:
        self.attribute, self.value = attribute, value

    def __format__(self, _spec: str) -> str:
        return quota_words(self.attribute, self.value)


def quota_words(attribute: str, value: str, language: str | None = None) -> str:
    """« Genre : Femme » — how a quota is named to a person (the codes are for records and files)."""
    words = ATTRIBUTE_VALUES.get(attribute, {}).get(value)
    shown = gettext(words, language) if words else value
    return gettext(N_("{attribute} : {value}"), language).format(
        attribute=attribute_words(attribute, language), value=shown
    )


@dataclass(frozen=True)
class Volunteer:
    """A ticket in the pool and the answers given with consent (empty without consent)."""

    ticket: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Quota:
    """Between `minimum` and `maximum` (None: no limit) of the panel answer `value` to `attribute`."""

    attribute: str
    value: str
    minimum: int = 0
    maximum: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "value": self.value,
            "minimum": self.minimum,
            "maximum": self.maximum,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Quota:
        """ValueError (or TypeError, KeyError) when `data` is not a quota."""
        minimum, maximum = data.get("minimum", 0), data.get("maximum")
        if not isinstance(minimum, int) or not (maximum is None or isinstance(maximum, int)):
            raise ValueError(f"quota bounds must be integers: {data!r}")
        return cls(str(data["attribute"]), str(data["value"]), minimum, maximum)

    def label(self) -> str:
        return f"{self.attribute} = {self.value}"


class InfeasibleQuotas(ValueError):
    """No panel can meet the quotas. `reason` is a short French sentence; `text(language)` translates it."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        self.reason = self.text("fr")
        super().__init__(self.reason)

    def text(self, language: str | None = None) -> str:
        params = dict(self.params)
        if isinstance(params.get("quota"), Quota):
            params["quota"] = quota_words(params["quota"].attribute, params["quota"].value, language)
        if "attribute" in params:
            params["attribute"] = attribute_words(str(params["attribute"]), language)
        return gettext(self.template, language).format(**params)


@dataclass(frozen=True)
class PanelLottery:
    """`count` equally likely panels (sorted tuples of tickets) and each ticket's share of them."""

    panels: tuple[tuple[str, ...], ...]
    probabilities: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        """As the `draw.frozen` event carries it (with `panels_hash` beside it)."""
        return {"panels": [list(panel) for panel in self.panels], "probabilities": dict(self.probabilities)}

    @classmethod
    def from_json(cls, panels: Sequence[Sequence[str]], probabilities: Mapping[str, float]) -> PanelLottery:
        return cls(tuple(tuple(panel) for panel in panels), dict(probabilities))


def quota_problems(
    panel: Iterable[str], attributes: Mapping[str, Mapping[str, str]], quotas: Sequence[Quota]
) -> list[Quota]:
    """The quotas that `panel` breaks, given each ticket's attributes."""
    members = list(panel)
    broken = []
    for quota in quotas:
        n = sum(1 for ticket in members if attributes.get(ticket, {}).get(quota.attribute) == quota.value)
        if n < quota.minimum or (quota.maximum is not None and n > quota.maximum):
            broken.append(quota)
    return broken


def _sorted_pool(volunteers: Sequence[Volunteer]) -> list[Volunteer]:
    pool = sorted(volunteers, key=lambda v: v.ticket)
    if len({v.ticket for v in pool}) != len(pool):
        raise ValueError("the same ticket appears twice in the pool")
    return pool


def check_feasible(volunteers: Sequence[Volunteer], seats: int, quotas: Sequence[Quota]) -> None:
    """Raise `InfeasibleQuotas` when no panel of `seats` volunteers meets every quota; `reason` says why."""
    if seats < 1:
        raise ValueError("a draw needs at least one seat")
    pool = _sorted_pool(volunteers)
    if len(pool) < seats:
        raise InfeasibleQuotas(
            N_(
                "Il y a {volunteers} volontaire(s) pour {seats} siège(s) : "
                "il en faut au moins autant que de sièges."
            ),
            volunteers=len(pool),
            seats=seats,
        )
    minimums: dict[tuple[str, str], int] = {}  # two quotas on the same value overlap, they do not add up
    for quota in quotas:
        if quota.minimum < 0 or (quota.maximum is not None and quota.maximum < 0):
            raise ValueError(f"negative bound in quota {quota}")
        available = sum(1 for v in pool if v.attributes.get(quota.attribute) == quota.value)
        if quota.maximum is not None and quota.minimum > quota.maximum:
            raise InfeasibleQuotas(
                N_("Le quota « {quota} » demande au moins {minimum} et au plus {maximum} personne(s)."),
                quota=quota,
                minimum=quota.minimum,
                maximum=quota.maximum,
            )
        if quota.minimum > seats:
            raise InfeasibleQuotas(
                N_("Le quota « {quota} » demande au moins {minimum} personne(s) pour {seats} siège(s)."),
                quota=quota,
                minimum=quota.minimum,
                seats=seats,
            )
        if quota.minimum > available:
            raise InfeasibleQuotas(
                N_(
                    "Le quota « {quota} » demande au moins {minimum} personne(s), "
                    "mais {available} seulement parmi les volontaires."
                ),
                quota=quota,
                minimum=quota.minimum,
                available=available,
            )
        key = (quota.attribute, quota.value)
        minimums[key] = max(minimums.get(key, 0), quota.minimum)
    for attribute in sorted({attribute for attribute, _ in minimums}):
        total = sum(n for (other, _), n in minimums.items() if other == attribute)
        if total > seats:
            raise InfeasibleQuotas(
                N_(
                    "Les quotas sur « {attribute} » demandent ensemble au moins {total} personne(s) "
                    "pour {seats} siège(s)."
                ),
                attribute=attribute,
                total=total,
                seats=seats,
            )
    if quotas and PanelOracle(len(pool), seats, _groups(pool, quotas)).best([0.0] * len(pool)) is None:
        raise InfeasibleQuotas(
            N_("Aucun groupe de {seats} personnes ne respecte tous les quotas à la fois."), seats=seats
        )


def _groups(pool: Sequence[Volunteer], quotas: Sequence[Quota]) -> list[Group]:
    return [
        (tuple(v.attributes.get(q.attribute) == q.value for v in pool), q.minimum, q.maximum) for q in quotas
    ]


def leximin_lottery(
    volunteers: Sequence[Volunteer], seats: int, quotas: Sequence[Quota]
) -> dict[tuple[str, ...], float]:
    """The leximin-fair lottery: panel (sorted tickets) → probability. Call `check_feasible` first."""
    pool = _sorted_pool(volunteers)
    tickets = [v.ticket for v in pool]
    lottery: dict[tuple[str, ...], float] = {}
    for panel, weight in leximin(len(pool), seats, _groups(pool, quotas)):
        key = tuple(sorted(tickets[i] for i in panel))
        lottery[key] = lottery.get(key, 0.0) + weight
    return lottery


def round_lottery(lottery: Mapping[tuple[str, ...], float], count: int) -> tuple[tuple[str, ...], ...]:
    """`count` panels, each repeated in proportion to its probability, by largest remainder.

    Among equal remainders (a lottery of halves is common) the next copy goes to the panel whose tickets are
    furthest below their share, then to the first panel in order, so that symmetric volunteers stay equal.
    Shares are rounded to 1/1000 of a panel first: the solver's noise (about 1e-6) never decides.
    """
    items = sorted(lottery.items())
    panels = [panel for panel, _ in items]
    shares = [round(weight * count, 3) for _, weight in items]
    copies = [int(share) for share in shares]
    target: dict[str, float] = {}
    current: dict[str, int] = {}
    for panel, share, n in zip(panels, shares, copies, strict=True):
        for ticket in panel:
            target[ticket] = target.get(ticket, 0.0) + share
            current[ticket] = current.get(ticket, 0) + n

    def priority(k: int) -> tuple[float, float, int]:
        deficit = sum(target[ticket] - current[ticket] for ticket in panels[k])
        return round(shares[k] - copies[k], 3), round(deficit, 3), -k

    waiting = set(range(len(items)))
    for _ in range(count - sum(copies)):
        k = max(waiting, key=priority)
        waiting.discard(k)
        copies[k] += 1
        for ticket in panels[k]:
            current[ticket] += 1
    return tuple(panel for panel, n in zip(panels, copies, strict=True) for _ in range(n))


def fair_panels(
    volunteers: Sequence[Volunteer], seats: int, quotas: Sequence[Quota], count: int = 1000
) -> PanelLottery:
    """The leximin-fair lottery rounded to `count` equally likely panels; raises `InfeasibleQuotas`."""
    if count < 1:
        raise ValueError("count must be positive")
    check_feasible(volunteers, seats, quotas)
    panels = round_lottery(leximin_lottery(volunteers, seats, quotas), count)
    attributes = {v.ticket: v.attributes for v in volunteers}
    if any(quota_problems(panel, attributes, quotas) for panel in panels):
        raise RuntimeError("a computed panel breaks a quota")  # the solver's tolerance, never expected
    return PanelLottery(panels, panel_shares(panels, sorted(attributes)))


def panel_shares(panels: Sequence[Sequence[str]], tickets: Iterable[str]) -> dict[str, float]:
    """Each ticket's share of the panels that contain it."""
    counts = dict.fromkeys(tickets, 0)
    for panel in panels:
        for ticket in panel:
            counts[ticket] = counts.get(ticket, 0) + 1
    return {ticket: n / len(panels) for ticket, n in sorted(counts.items())}
