"""A collective's own themes: `kiosk-hub theme add` on a real hub, pulled by the collective's kiosks.

The command appends a hub-made `theme.added` to the collective's sequence (hub/themes.py); every kiosk of that
collective pulls it into its `themes` table beside the shipped catalogue (kiosk/projections_themes.py), a
kiosk of another collective never sees it, and a newer shipped catalogue does not overwrite it. Bad ids, a
catalogue id and a second add are refused with a French sentence, and a kiosk may not push the type itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from hub import cli as hub_cli
from hub import schema as t
from hub.network_outbox import hub_kiosk_id
from hub.themes import theme_event_id
from kiosk.domain import ListingKind
from kiosk.paths import assets_dir
from kiosk.services import open_services
from kiosk.themes import load_catalogue
from sync_client.engine import read_link
from sync_client.protocol import API_PREFIX, PullResponse
from tests.hub.kiosks import HubHandle, Kiosk, wire_event

THEME_COLUMNS = "SELECT id, parent_id, label_fr, label_en, collective_id FROM themes"
WORMS = "jardinage.lombricompost"


def _theme_add(hub: HubHandle, *args: str) -> int:
    return hub_cli.main(["theme", "add", *args, "--db", hub.server.db_url])


def _themes(kiosk: Kiosk, *theme_ids: str) -> list[tuple[Any, ...]]:
    marks = ", ".join("?" * len(theme_ids))
    rows = kiosk.store.conn.execute(f"{THEME_COLUMNS} WHERE id IN ({marks}) ORDER BY id", theme_ids)
    return [tuple(row) for row in rows]


def _raw_pull(kiosk: Kiosk) -> PullResponse:
    """The hub's pull answer as sent over HTTP (not through the kiosk's client, which validates it too)."""
    link = read_link(kiosk.store.conn)
    assert link is not None
    answer = requests.get(
        f"{link.hub_url}{API_PREFIX}/sync/pull",
        params={"cursor": 0, "limit": 1000},
        headers={"Authorization": f"Bearer {link.token}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return PullResponse.model_validate_json(answer.text)


def _last_seq(hub: HubHandle, collective: str) -> int:
    with hub.db.read() as conn:
        found = conn.execute(select(t.collectives.c.last_seq).where(t.collectives.c.id == collective))
        return int(found.scalar_one())


def test_a_theme_added_on_the_hub_reaches_every_kiosk_of_its_collective_and_no_other(
    hub: HubHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collective = hub.collective("Jardiniers du Ruisseau")
    elsewhere = hub.collective("Savoirs de la Butte")
    a = Kiosk(tmp_path / "a", collective, name="Jardin partagé")
    b = Kiosk(tmp_path / "b", collective, name="Médiathèque")
    c = Kiosk(tmp_path / "c", elsewhere, name="Ailleurs")
    for kiosk, its_collective in ((a, collective), (b, collective), (c, elsewhere)):
        kiosk.pair(hub, its_collective)
    capsys.readouterr()

    # By id, as text; then by the collective's name, a top theme, as JSON.
    assert _theme_add(hub, collective, WORMS, "--fr", "Lombricompost", "--en", "Worm composting",
                      "--parent", "jardinage") == 0  # fmt: skip
    assert capsys.readouterr().out.strip() == (
        f"Thème « {WORMS} » ajouté au collectif « Jardiniers du Ruisseau » :"
        " ses bornes le recevront à leur prochaine synchronisation."
    )
    assert (
        _theme_add(hub, "Jardiniers du Ruisseau", "tricot", "--fr", "Tricot", "--en", "Knitting", "--json")
        == 0
    )
    added = json.loads(capsys.readouterr().out)
    assert added == {"event_id": theme_event_id(collective, "tricot"), "theme_id": "tricot"}

    # What the hub serves: the collective's kiosks get both, as hub-made changes of a valid PullResponse.
    served = [change.event for change in _raw_pull(a).changes if change.event.type == "theme.added"]
    assert [(e.id, e.kiosk_id, e.payload) for e in served] == [
        (
            theme_event_id(collective, WORMS),
            hub_kiosk_id(collective),
            {"theme_id": WORMS, "label_fr": "Lombricompost", "label_en": "Worm composting",
             "parent_id": "jardinage", "collective_id": collective},
        ),
        (
            added["event_id"],
            hub_kiosk_id(collective),
            {"theme_id": "tricot", "label_fr": "Tricot", "label_en": "Knitting", "parent_id": None,
             "collective_id": collective},
        ),
    ]  # fmt: skip
    assert not [change for change in _raw_pull(c).changes if change.event.type == "theme.added"]

    for kiosk in (a, b, c):
        assert kiosk.sync().apply_errors == 0
    expected = [
        (WORMS, "jardinage", "Lombricompost", "Worm composting", collective),
        ("tricot", None, "Tricot", "Knitting", collective),
    ]
    assert _themes(a, WORMS, "tricot") == _themes(b, WORMS, "tricot") == expected
    assert _themes(c, WORMS, "tricot") == []
    assert _themes(c, "jardinage.compost") == [
        ("jardinage.compost", "jardinage", "Compost", "Composting", None)
    ]

    # A listing on the new theme, published at A, is found at B by the theme's label (not in its own text).
    amina = a.member("Amina")
    listing = a.services.listings.publish(amina, ListingKind.OFFER, WORMS, "Bac à vers sur le balcon")
    a.sync()
    b.sync()
    assert [found.id for found in b.services.listings.search("worm")] == [listing.id]
    assert [found.id for found in b.services.listings.search("lombricompost")] == [listing.id]
    assert [found.id for found in b.services.listings.search(theme_id="jardinage")] == [listing.id]
    for kiosk in (a, b, c):
        kiosk.close()


def test_a_collective_theme_survives_a_newer_catalogue(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Compost des Lilas")
    kiosk = Kiosk(tmp_path / "k", collective)
    kiosk.pair(hub, collective)
    assert _theme_add(hub, collective, WORMS, "--fr", "Lombricompost", "--en", "Worm composting",
                      "--parent", "jardinage") == 0  # fmt: skip
    kiosk.sync()
    # A newer shipped catalogue (version 2) that renames a theme and ships the collective's id too.
    shipped = (assets_dir() / "themes.toml").read_text(encoding="utf-8")
    newer = tmp_path / "themes.toml"
    newer.write_text(
        shipped.replace("version = 1", "version = 2", 1)
        .replace('"Vélo", "Bicycle"', '"Vélo et trottinette", "Bicycle and scooter"', 1)
        .replace(
            '["jardinage.compost",',
            '["jardinage.lombricompost", "Vers de terre", "Earthworms"],\n  ["jardinage.compost",',
            1,
        ),
        encoding="utf-8",
    )
    catalogue = load_catalogue(newer)
    assert catalogue.version == 2 and WORMS in catalogue.by_id()
    kiosk.services.close()
    kiosk.services = open_services(kiosk.config, kiosk.clock, catalogue=catalogue)

    conn = kiosk.store.conn
    assert conn.execute("SELECT themes_version FROM kiosk_state").fetchone()[0] == 2
    assert _themes(kiosk, "reparation.velo") == [
        ("reparation.velo", "reparation", "Vélo et trottinette", "Bicycle and scooter", None)
    ]  # the reload ran
    assert _themes(kiosk, WORMS) == [(WORMS, "jardinage", "Lombricompost", "Worm composting", collective)]
    kiosk.close()


# (arguments after COLLECTIF, the French sentence on stderr): each refused, nothing added.
REFUSED = [
    (["Jardinage.Compost!", "--fr", "x", "--en", "x"],
     "Identifiant de thème invalide : « Jardinage.Compost! »."),
    (["jardinage.a.b", "--fr", "x", "--en", "x", "--parent", "jardinage"], "Identifiant de thème invalide"),
    (["jardinage.mare", "--fr", "Mare", "--en", "Pond"],
     "« jardinage.mare » est un sous-thème : indiquez son thème parent (--parent)."),
    (["cuisine.mare", "--fr", "Mare", "--en", "Pond", "--parent", "jardinage"],
     "Le sous-thème « cuisine.mare » doit commencer par l’identifiant de son parent suivi d’un point :"
     " « jardinage. »."),
    (["potagers.mare", "--fr", "Mare", "--en", "Pond", "--parent", "potagers"],
     "Thème parent inconnu : « potagers » (ni dans le catalogue, ni ajouté à ce collectif)."),
    (["jardinage.compost", "--fr", "Compost partagé", "--en", "Shared compost", "--parent", "jardinage"],
     "Le thème « jardinage.compost » fait déjà partie du catalogue (« Compost »)."),
    (["mares", "--fr", "  ", "--en", "Ponds"],
     "Le libellé français du thème doit faire de 1 à 80 caractères."),
    # Added already (below): refused, the first label stays (a rename is another fact, not made here).
    (["mares", "--fr", "Mares et étangs", "--en", "Ponds"],
     "Le thème « mares » existe déjà dans ce collectif (« Mares ») : un thème ajouté garde son libellé."),
]  # fmt: skip


def test_bad_theme_ids_a_catalogue_id_and_a_second_add_are_refused_in_french(
    hub: HubHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    collective = hub.collective("Mares du Parc")
    assert _theme_add(hub, collective, "mares", "--fr", "Mares", "--en", "Ponds") == 0
    # A sub-theme of the collective's own top theme is fine.
    assert _theme_add(hub, collective, "mares.batraciens", "--fr", "Batraciens", "--en", "Amphibians",
                      "--parent", "mares") == 0  # fmt: skip
    capsys.readouterr()
    before = _last_seq(hub, collective)
    for args, message in REFUSED:
        assert _theme_add(hub, collective, *args) == 2, args
        assert message in capsys.readouterr().err, args
    assert _theme_add(hub, "nulle-part", "mares", "--fr", "Mares", "--en", "Ponds") == 2
    assert capsys.readouterr().err.strip() == "Collectif inconnu : « nulle-part »."
    assert _last_seq(hub, collective) == before  # nothing appended by a refused add
    with hub.db.read() as conn:
        payloads = conn.execute(
            select(t.events.c.payload).where(
                t.events.c.type == "theme.added", t.events.c.collective_id == collective
            )
        ).scalars()
        assert sorted(json.loads(text)["label_fr"] for text in payloads) == ["Batraciens", "Mares"]


def test_a_kiosk_cannot_push_a_theme_itself(hub: HubHandle, tmp_path: Path) -> None:
    collective = hub.collective("Thèmes de borne")
    kiosk = Kiosk(tmp_path / "k", collective)
    kiosk.pair(hub, collective)
    payload = {"theme_id": "bidouille", "label_fr": "Bidouille", "label_en": "Tinkering", "parent_id": None,
               "collective_id": collective}  # fmt: skip
    client = kiosk.client()
    try:
        answer = client.push([wire_event(kiosk.kiosk_id, 1, "theme.added", payload)])
    finally:
        client.close()
    # Only the hub makes `theme.added` (after checking it): a kiosk's is refused for good.
    assert [(r.status, r.reason) for r in answer.results] == [("rejected", "unsupported")]
    kiosk.close()
