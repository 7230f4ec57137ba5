"""The hub's statistics (hub/stats/) from activity recorded at real kiosks synced to the real hub, on SQLite
and PostgreSQL; every expected number below is worked out by hand from the scenario.

Scenario (Paris times; kiosk clocks set by the test and known good, so the hub keeps them as they are):
collective A (Belleville, kiosk `ka`) and B (Ménilmontant, kiosk `kb`) of one network of their own.
- 2026-01-10 A: Alice (librarian, animator), Bruno, Chloé, Gaston register; 2026-01-12 B: Dora, Émile.
- A's listings: Alice offers cuisine.quotidien (01-11); Chloé offers cuisine.patisserie (01-15), withdrawn
  (02-15); Bruno requests numerique.smartphone (02-01), Alice is interested (02-03): matched in 2 days;
  Chloé requests « jardinage » (03-01), learns jardinage.potager from Dora on 03-10: matched in 9 days.
- Exchanges: E1 Alice→Bruno 60 min (01-20), E2 Bruno→Alice 90 min (02-05), E3 Dora (B)→Chloé (A) 120 min
  recorded at ka (03-10: counts in A and in B), E4 Alice→Chloé 30 min cancelled (03-12), the workshop
  « Atelier compost » (03-20 14:30, capacity 10, Bruno and Chloé registered, Chloé and a guest at the door)
  closed as Alice→Chloé 90 min, E5 Chloé→Bruno 45 min pending (04-01), E6 Émile→Dora 45 min at kb (04-02).
- 2026-04-10: Bruno is erased (his exchanges stay counted, under his opaque id).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub import admin
from hub.stats import dashboard as d
from hub.stats.facts import Facts, Scope, load_facts
from kiosk.domain import ListingKind, Role
from tests.hub.kiosks import HubHandle, Kiosk
from tests.hub.stats_helpers import SetClock, exchange, facts, new_network, paris, share_member

NOW = paris(2026, 4, 15, 12, 0)


@dataclass(frozen=True)
class World:
    network: str
    a: str
    b: str
    ids: dict[str, str]
    pushed_by_ka: int


@pytest.fixture(scope="module")
def world(hub: HubHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("stats")
    network = new_network(hub)
    a = admin.add_collective(hub.db, "Savoirs de Belleville", "Belleville", network).id
    b = admin.add_collective(hub.db, "Savoirs de Ménilmontant", "Ménilmontant", network).id
    ca, cb = SetClock(paris(2026, 1, 10, 10, 0)), SetClock(paris(2026, 1, 12, 10, 0))
    ka = Kiosk(folder / "a", a, clock=ca, name="Borne du marché")
    kb = Kiosk(folder / "b", b, clock=cb, name="Borne de la MJC")
    idle = Kiosk(folder / "c", a, name="Borne retirée")
    for kiosk, collective in ((ka, a), (kb, b), (idle, a)):
        kiosk.pair(hub, collective)
    ids: dict[str, str] = {"ka": ka.kiosk_id, "kb": kb.kiosk_id, "idle": idle.kiosk_id}
    admin.revoke_kiosk(hub.db, idle.kiosk_id)
    idle.close()

    for minute, name in enumerate(("alice", "bruno", "chloe", "gaston")):
        ca.at(2026, 1, 10, 10, minute)
        roles = (Role.LIBRARIAN, Role.ANIMATOR) if name == "alice" else ()
        ids[name] = ka.member(name.capitalize(), *roles)
    for minute, name in enumerate(("dora", "emile")):
        cb.at(2026, 1, 12, 10, minute)
        ids[name] = kb.services.members.register(name.capitalize(), "Ménilmontant").id
    kb.sync()
    share_member(kb, ka, ids["dora"])

    listings, members = ka.services.listings, ka.services
    ca.at(2026, 1, 11, 10, 0)
    ids["offer_alice"] = listings.publish(ids["alice"], ListingKind.OFFER, "cuisine.quotidien", "Tartes").id
    ca.at(2026, 1, 15, 10, 0)
    ids["offer_chloe"] = listings.publish(ids["chloe"], ListingKind.OFFER, "cuisine.patisserie", "Pain").id
    ca.at(2026, 1, 20, 10, 0)
    ids["e1"] = exchange(ka, ids["alice"], ids["bruno"], "cuisine.quotidien", 60)
    ca.at(2026, 2, 1, 10, 0)
    ids["request_bruno"] = listings.publish(
        ids["bruno"], ListingKind.REQUEST, "numerique.smartphone", "Mon téléphone"
    ).id
    ca.at(2026, 2, 3, 10, 0)
    listings.express_interest(ids["request_bruno"], ids["alice"])
    ca.at(2026, 2, 5, 10, 0)
    ids["e2"] = exchange(ka, ids["bruno"], ids["alice"], "numerique.smartphone", 90)
    ca.at(2026, 2, 15, 10, 0)
    listings.withdraw(ids["offer_chloe"], ids["chloe"])
    ca.at(2026, 3, 1, 10, 0)
    ids["request_chloe"] = listings.publish(ids["chloe"], ListingKind.REQUEST, "jardinage", "Un potager").id
    ca.at(2026, 3, 10, 10, 0)
    ids["e3"] = exchange(ka, ids["dora"], ids["chloe"], "jardinage.potager", 120, recorder=ids["chloe"])
    ca.at(2026, 3, 12, 10, 0)
    ids["e4"] = exchange(ka, ids["alice"], ids["chloe"], "cuisine.monde", 30)
    ca.at(2026, 3, 12, 10, 5)
    ka.services.exchanges.cancel(ids["e4"], ids["alice"], "Erreur de saisie")

    workshops = members.workshops
    ca.at(2026, 3, 15, 10, 0)
    ids["workshop"] = workshops.schedule(
        ids["alice"],
        "Atelier compost",
        "jardinage.compost",
        paris(2026, 3, 20, 14, 30),
        90,
        10,
        [ids["alice"]],
    ).id
    ca.at(2026, 3, 16, 10, 0)
    workshops.register(ids["workshop"], ids["bruno"])
    workshops.register(ids["workshop"], ids["chloe"])
    ca.at(2026, 3, 20, 14, 35)
    workshops.check_in(ids["workshop"], ids["chloe"])
    workshops.check_in_guest(ids["workshop"])
    ca.at(2026, 3, 20, 16, 0)
    ids["e_workshop"] = workshops.close_as_exchange(ids["workshop"], ids["alice"]).id
    ca.at(2026, 4, 1, 10, 0)
    ids["e5"] = exchange(ka, ids["chloe"], ids["bruno"], "langues.francais", 45, learner_present=False)
    ca.at(2026, 4, 10, 10, 0)
    members.members.erase(ids["bruno"], ids["bruno"])
    pushed = len(ka.local_ids())
    ka.sync()
    cb.at(2026, 4, 2, 10, 0)
    ids["e6"] = exchange(kb, ids["emile"], ids["dora"], "couture.tricot", 45)
    kb.sync()
    assert ka.pending() == 0 and kb.pending() == 0
    yield World(network, a, b, ids, pushed)
    ka.close()
    kb.close()


def _by_id(items: tuple[object, ...]) -> dict[str, object]:
    return {item.id: item for item in items}  # type: ignore[attr-defined]


# Facts --------------------------------------------------------------------------------------------------


def test_facts_of_a_collective_replay_the_kiosks_projections(hub: HubHandle, world: World) -> None:
    got, i = facts(hub, world.network, world.a), world.ids
    assert got.collectives == {world.a: ("Savoirs de Belleville", "Belleville")}
    members = {m.id: m for m in got.members}
    assert set(members) == {i["alice"], i["bruno"], i["chloe"], i["gaston"]}
    assert members[i["bruno"]].erased and not members[i["alice"]].erased
    assert members[i["alice"]].registered_at == "2026-01-10T09:00:00.000+00:00"  # 10:00 in Paris, winter
    assert {m.quartier for m in got.members} == {"Belleville"}

    exchanges = {e.id: e for e in got.exchanges}
    assert set(exchanges) == {i[k] for k in ("e1", "e2", "e3", "e4", "e_workshop", "e5")}  # not E6 (B only)
    e1, e3 = exchanges[i["e1"]], exchanges[i["e3"]]
    assert (e1.transmitters, e1.learners, e1.status) == ((i["alice"],), (i["bruno"],), "confirmed")  # erased
    assert (e1.occurred_at, e1.duration_min, e1.theme_id) == (
        "2026-01-20T09:00:00.000+00:00",
        60,
        "cuisine.quotidien",
    )
    assert e3.collective_ids == {world.a, world.b} and e3.recorded_in == world.a
    assert exchanges[i["e4"]].status == "cancelled"
    assert (exchanges[i["e5"]].status, exchanges[i["e5"]].learners) == ("pending", (i["bruno"],))
    assert exchanges[i["e_workshop"]].workshop_id == i["workshop"]

    listings = {x.id: x for x in got.listings}
    assert listings[i["offer_alice"]].ended_at is None and listings[i["offer_alice"]].matched_at is None
    assert listings[i["offer_chloe"]].ended_at == "2026-02-15T09:00:00.000+00:00"
    bruno = listings[i["request_bruno"]]
    assert (bruno.matched_at, bruno.ended_at) == (
        "2026-02-03T09:00:00.000+00:00",
        "2026-04-10T08:00:00.000+00:00",
    )
    assert listings[i["request_chloe"]].matched_at == "2026-03-10T09:00:00.000+00:00"  # a sub-theme, learnt

    (workshop,) = got.workshops
    assert (workshop.registered, workshop.attended, workshop.status) == (2, 2, "held")
    assert (workshop.starts_at, workshop.capacity) == ("2026-03-20T13:30:00.000+00:00", 10)
    assert {k.id for k in got.kiosks} == {i["ka"], i["idle"]}
    assert len(got.kiosk_acts) == world.pushed_by_ka and {k for k, _ in got.kiosk_acts} == {i["ka"]}


def test_facts_of_the_other_collective_and_of_the_network(hub: HubHandle, world: World) -> None:
    b, net, i = facts(hub, world.network, world.b), facts(hub, world.network), world.ids
    assert {m.id for m in b.members} == {i["dora"], i["emile"]}
    assert {m.quartier for m in b.members} == {"Ménilmontant"}
    assert {e.id for e in b.exchanges} == {i["e3"], i["e6"]}  # E3, recorded in A, counts in B too
    assert b.listings == () and b.workshops == () and [k.id for k in b.kiosks] == [i["kb"]]
    assert set(net.collectives) == {world.a, world.b} and len(net.members) == 6
    assert len(net.exchanges) == 7  # E3 once, though it counts in both collectives


def test_an_empty_network_and_an_unknown_collective(hub: HubHandle) -> None:
    network = new_network(hub)
    empty = facts(hub, network)
    assert empty == Facts(Scope(network), {}, (), (), (), (), (), (), (), ())
    months = d.monthly_activity(empty, NOW)
    assert len(months) == 12 and months[0].month == "2025-05" and months[-1].month == "2026-04"
    assert all((m.registrations, m.exchanges, m.minutes, m.active_members) == (0, 0, 0, 0) for m in months)
    assert d.engagement(empty, NOW) == d.Engagement(0, 0, (), (), 0.0, 0, 0, 0)
    assert d.themes_balance(empty) == [] and d.kiosk_health(empty, NOW) == []
    assert d.kiosk_use(empty) == [[0] * 24 for _ in range(7)]
    assert d.governance_summary(empty) == d.GovernanceSummary(
        (), {"announced": 0, "frozen": 0, "performed": 0}, 0, ()
    )
    with pytest.raises(ValueError), hub.db.read() as conn:
        load_facts(conn, Scope(network, "pas-un-collectif"))


# Aggregates ---------------------------------------------------------------------------------------------


def test_monthly_activity_counts_confirmed_exchanges_in_each_collective(hub: HubHandle, world: World) -> None:
    def rows(collective: str | None) -> list[tuple[str, int, int, int, int]]:
        months = d.monthly_activity(facts(hub, world.network, collective), NOW, months=6)
        return [(m.month, m.registrations, m.exchanges, m.minutes, m.active_members) for m in months]

    quiet = [("2025-11", 0, 0, 0, 0), ("2025-12", 0, 0, 0, 0)]  # months without activity
    # A in March: E3 (120) and the workshop (90); E4 cancelled is not counted; Dora is not A's member.
    # April: E5 is pending. January's 4 sign-ups include Bruno, erased since.
    assert rows(world.a) == [
        *quiet,
        ("2026-01", 4, 1, 60, 2),
        ("2026-02", 0, 1, 90, 2),
        ("2026-03", 0, 2, 210, 2),
        ("2026-04", 0, 0, 0, 0),
    ]
    assert rows(world.b) == [
        *quiet,
        ("2026-01", 2, 0, 0, 0),
        ("2026-02", 0, 0, 0, 0),
        ("2026-03", 0, 1, 120, 1),
        ("2026-04", 0, 1, 45, 2),
    ]
    assert rows(None) == [
        *quiet,
        ("2026-01", 6, 1, 60, 2),
        ("2026-02", 0, 1, 90, 2),
        ("2026-03", 0, 2, 210, 3),
        ("2026-04", 0, 1, 45, 2),
    ]


def test_themes_balance_and_time_to_match(hub: HubHandle, world: World) -> None:
    balance = d.themes_balance(facts(hub, world.network, world.a))
    assert [(t.theme_id, t.offers, t.requests, t.matched, t.median_days_to_match) for t in balance] == [
        ("cuisine.patisserie", 0, 0, 0, None),  # withdrawn
        ("cuisine.quotidien", 1, 0, 0, None),
        ("jardinage", 0, 1, 1, 9.0),
        ("numerique.smartphone", 0, 0, 1, 2.0),  # ended by the erasure, matched before
    ]
    assert balance[1].label == "Cuisine du quotidien" and d.theme_label("jardinage", "en") == "Gardening"
    assert d.theme_label("inconnu.x") == "inconnu.x"


def test_engagement_lists_whom_to_invite_and_reciprocity(hub: HubHandle, world: World) -> None:
    i = world.ids
    # Since 2026-01-15 12:00: Alice gave (E1, workshop) and received (E2); Bruno (erased, still counted)
    # gave (E2) and received (E1); Chloé only received (E3, workshop). Gaston did nothing after signing up.
    a = d.engagement(facts(hub, world.network, world.a), NOW)
    assert a == d.Engagement(
        members=3,
        active_90d=2,
        inactive_90d=(i["gaston"],),
        without_offer=(i["chloe"], i["gaston"]),
        reciprocity=2 / 3,
        givers=2,
        receivers=3,
        both=2,
    )
    b = d.engagement(facts(hub, world.network, world.b), NOW)
    assert (b.members, b.active_90d, b.givers, b.receivers, b.both, b.reciprocity) == (2, 2, 2, 1, 1, 0.5)
    with hub.db.read() as conn:
        names = d.pseudonyms(conn, [i["alice"], i["bruno"], i["chloe"]])
    assert names == {i["alice"]: "Alice", i["chloe"]: "Chloe"}  # never an erased member


def test_workshops_and_kiosk_health(hub: HubHandle, world: World) -> None:
    got = facts(hub, world.network, world.a)
    (workshop,) = d.workshops_summary(got)
    assert (workshop.title, workshop.date, workshop.time) == ("Atelier compost", "2026-03-20", "14:30")
    assert (workshop.capacity, workshop.registered, workshop.attended, workshop.rate) == (10, 2, 2, 1.0)
    now = datetime.now(UTC)
    health = {h.name: h for h in d.kiosk_health(got, now)}
    assert (health["Borne du marché"].status, health["Borne retirée"].status) == ("à jour", "retirée")
    assert health["Borne du marché"].collective == "Savoirs de Belleville"
    later = {h.name: h for h in d.kiosk_health(got, now + timedelta(days=3, minutes=5))}
    assert (
        later["Borne du marché"].status == "muette depuis 3 jours"
        and later["Borne du marché"].code == "silent"
    )
    hours = {h.name: h for h in d.kiosk_health(got, now + timedelta(hours=5))}
    assert hours["Borne du marché"].status == "en retard"
    use = d.kiosk_use(got)
    assert sum(map(sum, use)) == world.pushed_by_ka
    assert use[5][10] == 4 + 0  # Saturday 2026-01-10, 10:00–10:59: the four sign-ups


def test_kiosk_use_and_months_in_paris_time_across_the_change_to_summer_time(
    hub: HubHandle, tmp_path: Path
) -> None:
    """Summer time began on Sunday 2026-03-29 at 2:00 (UTC+1 → UTC+2); in UTC these acts would fall an hour
    or two earlier, and the exchange of 1 April at 00:30 (31 March 22:30 UTC) in March."""
    network = new_network(hub)
    collective = admin.add_collective(hub.db, "Collectif de l’heure d’été", "Belleville", network).id
    clock = SetClock(paris(2026, 3, 28, 10, 30))  # Saturday, UTC+1
    kiosk = Kiosk(tmp_path / "k", collective, clock=clock)
    kiosk.pair(hub, collective)
    first = kiosk.member("Zoé")
    clock.at(2026, 3, 29, 1, 30)  # Sunday, still UTC+1
    second = kiosk.member("Yanis")
    clock.at(2026, 3, 29, 3, 30)  # Sunday, now UTC+2
    kiosk.services.listings.publish(first, ListingKind.OFFER, "reparation.velo", "Freins")
    clock.at(2026, 3, 29, 10, 30)
    kiosk.services.listings.publish(second, ListingKind.REQUEST, "reparation.velo", "Dérailleur")
    clock.at(2026, 3, 31, 23, 30)  # Tuesday
    exchange(kiosk, first, second, "reparation.velo", 30)
    clock.at(2026, 4, 1, 0, 30)  # Wednesday
    exchange(kiosk, first, second, "reparation.velo", 40)
    kiosk.sync()
    kiosk.close()
    got = facts(hub, network, collective)
    expected = [[0] * 24 for _ in range(7)]
    for weekday, hour in ((5, 10), (6, 1), (6, 3), (6, 10), (1, 23), (2, 0)):
        expected[weekday][hour] = 1
    assert d.kiosk_use(got) == expected
    months = d.monthly_activity(got, paris(2026, 4, 2, 12, 0), months=2)
    assert [(m.month, m.registrations, m.exchanges, m.minutes) for m in months] == [
        ("2026-03", 2, 1, 30),
        ("2026-04", 0, 1, 40),
    ]
    # The 30-minute exchange (Yanis learns, same theme) matched the request published on Sunday at 10:30
    # (08:30 UTC): 2 days and 13 hours later (Tuesday 21:30 UTC).
    (balance,) = d.themes_balance(got)
    assert (balance.offers, balance.requests, balance.matched) == (1, 1, 1)
    assert balance.median_days_to_match == pytest.approx((2 * 24 + 13) / 24)


def test_governance_pools_draws_and_a_published_election(hub: HubHandle, tmp_path: Path) -> None:
    network = new_network(hub)
    collective = admin.add_collective(hub.db, "Collectif du tirage", "Belleville", network).id
    kiosk = Kiosk(tmp_path / "g", collective)
    kiosk.pair(hub, collective)
    librarian = kiosk.member("Bibliothécaire", Role.LIBRARIAN)
    draws, clock = kiosk.services.draws, kiosk.clock
    cutoff = clock.now() + timedelta(hours=1)
    open_draw = draws.announce(
        librarian, "cuisine.quotidien", "Cuisine", 1, cutoff, "deux dés lancés en public"
    )
    people = [kiosk.member(f"Volontaire {n}") for n in range(5)]
    for member_id in people[:3]:
        draws.volunteer(open_draw.id, member_id, None)
    draws.withdraw(open_draw.id, people[0])
    drawn = draws.announce(
        librarian, "jardinage", "Jardins partagés", 2, cutoff, "trois dés lancés en public"
    )
    for member_id in people:
        draws.volunteer(drawn.id, member_id, None)
    clock.offset = timedelta(hours=2)  # past the cut-off
    draws.freeze(librarian, drawn.id)
    draws.perform(librarian, drawn.id, "3 5 2")
    # An election at the booth: announced two hours back (its vote open now), closed two hours on.
    clock.offset = timedelta(hours=-2)
    until = clock.now() + timedelta(minutes=30)
    real_now = datetime.now(UTC)
    election = kiosk.services.elections.announce(
        librarian, "Médiation", None, 1, "kiosk", until, until, real_now + timedelta(hours=1)
    )
    for member_id in people[:2]:
        kiosk.services.elections.stand(election.id, member_id)
    clock.offset = timedelta(0)
    for n, voter in enumerate(people):
        kiosk.services.elections.cast(election.id, voter, {people[0]: n, people[1]: 6})
    clock.offset = timedelta(hours=2)
    kiosk.services.elections.close(librarian, election.id)
    clock.offset = timedelta(0)
    kiosk.sync()
    kiosk.close()

    summary = d.governance_summary(facts(hub, network))
    pools = {pool.title: pool for pool in summary.pools}
    assert (pools["Cuisine"].volunteers, pools["Cuisine"].status, pools["Cuisine"].selected) == (
        2,
        "announced",
        None,
    )
    assert (pools["Jardins partagés"].volunteers, pools["Jardins partagés"].status) == (5, "performed")
    assert pools["Jardins partagés"].selected == 2
    assert summary.draws == {"announced": 1, "frozen": 0, "performed": 1} and summary.volunteers == 7
    (vote,) = summary.elections
    assert (vote.title, vote.status, vote.voters, vote.published) == ("Médiation", "closed", 5, True)
    assert vote.result is not None
    ranking = vote.result["ranking"]
    assert [entry["candidate"] for entry in ranking] == [people[1], people[0]]
    assert ranking[1]["profile"] == [1, 1, 1, 1, 1, 0, 0]  # grades 0 to 4, one voter each
