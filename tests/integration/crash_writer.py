"""A kiosk process recording a stream of exchanges, to be killed with SIGKILL by `test_kill9.py`.

    python crash_writer.py DATA_DIR COUNT SEED

Registers its members first (those a previous, killed run did not get to), then records COUNT exchanges
through the services: one-to-one with the partner present or absent, with a guest, and workshops with
several learners; now and then a pending partner confirms. Each exchange id is printed and flushed right
AFTER the call returns: a printed id is an exchange a person was told is saved.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from kiosk.config import load_config, with_data_dir
from kiosk.domain import ExchangeKind, ParticipantRole, Partner
from kiosk.services import Services, open_services
from kiosk.themes import load_catalogue

MEMBERS = [f"Voisin·e {number:02d}" for number in range(1, 13)]
TITLES = ["Réparer un vélo", "Pain au levain", "Remplir sa déclaration", "Tricot", "Potager en bacs"]
GUESTS = ["Lucie", "Samir", "Mme Diallo"]


def members(services: Services) -> list[str]:
    """The writer's members, registering those a killed run did not get to."""
    known = {
        row["pseudonym"]: row["id"]
        for row in services.store.query("SELECT id, pseudonym FROM members WHERE erased_at IS NULL")
    }
    for name in MEMBERS:
        if name not in known:
            known[name] = services.members.register(name, "Belleville").id
    return [known[name] for name in MEMBERS]


def record_one(services: Services, rng: random.Random, people: list[str], themes: list[str]) -> str:
    transmitter, *learners = rng.sample(people, rng.choice([2, 2, 2, 3, 6]))
    recorder = rng.choice([transmitter, *learners])
    partners = [Partner(ParticipantRole.TRANSMITTER, member_id=transmitter, present=rng.random() < 0.7)]
    partners += [
        Partner(ParticipantRole.LEARNER, member_id=learner, present=rng.random() < 0.5)
        for learner in learners
    ]
    if rng.random() < 0.2:
        partners.append(Partner(ParticipantRole.LEARNER, guest_name=rng.choice(GUESTS)))
    exchange = services.exchanges.record(
        recorder,
        rng.choice(list(ExchangeKind)),
        rng.choice(themes),
        rng.choice(TITLES),
        rng.randint(15, 240),
        partners,
    )
    return exchange.id


def main(argv: list[str]) -> int:
    data_dir, count, seed = Path(argv[1]), int(argv[2]), int(argv[3])
    rng = random.Random(seed)
    themes = [theme.id for theme in load_catalogue().themes]
    services = open_services(with_data_dir(load_config(None), data_dir))
    people = members(services)
    print("ready", flush=True)
    for number in range(count):
        exchange_id = record_one(services, rng, people, themes)
        sys.stdout.write(exchange_id + "\n")
        sys.stdout.flush()
        if number % 7 == 0:  # someone who was absent taps their card and confirms
            waiting = services.store.query_one(
                "SELECT p.exchange_id, p.member_id FROM exchange_participants p"
                " JOIN exchanges e ON e.id = p.exchange_id"
                " WHERE p.confirmation = 'pending' AND e.status = 'pending' LIMIT 1"
            )
            if waiting is not None:
                services.exchanges.confirm(waiting["exchange_id"], waiting["member_id"])
    services.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
