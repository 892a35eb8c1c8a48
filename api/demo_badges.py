"""The demo's PIX certifications and Open Badges: three achievements, certifications and badges for some of the
people followed by the lending structure (no badge when no signing key is set, PostgreSQL without
LEDGER_BADGE_KEY: the demo says so instead of failing)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from api.bootstrap import Ledger
from domain import errors
from ledger import types as t

ADMIN = t.Actor(role="admin", key_id="demo")
ACHIEVEMENTS = [
    t.NewAchievement(
        slug="premiers-pas",
        name="Premiers pas numériques",
        description="Sait allumer un ordinateur ou une tablette, se servir de la souris, du clavier et de l'écran"
        " tactile, et ouvrir une page web.",
        criteria="A suivi au moins deux séances et réalisé seul les exercices de prise en main avec son médiateur.",
    ),
    t.NewAchievement(
        slug="demarches-en-ligne",
        name="Démarches en ligne",
        description="Sait se connecter avec FranceConnect et faire une démarche administrative en ligne (CAF,"
        " impots.gouv, ameli).",
        criteria="A réalisé une démarche réelle de bout en bout, son médiateur à côté sans intervenir.",
    ),
    t.NewAchievement(
        slug="courriel-et-pieces-jointes",
        name="Courriel et pièces jointes",
        description="Sait écrire, envoyer et lire un courriel, joindre une photo ou un document scanné.",
        criteria="A envoyé à son médiateur un courriel avec une pièce jointe.",
    ),
]


def badges_and_certifications(
    ledger: Ledger, rng: random.Random, awarder: t.Actor, people: list[Any], counts: dict[str, int]
) -> None:
    for achievement in ACHIEVEMENTS:
        ledger.define_achievement(ADMIN, achievement)
    certified = 0
    for i, person in enumerate(people[:6]):
        ledger.record_pix_certification(
            awarder,
            str(person.id),
            t.NewPixCertification(certified_on=date(2026, 6, 15) + timedelta(days=i), score=rng.randint(180, 520)),
        )
        certified += 1
    awarded = 0
    try:
        for i, person in enumerate(people[:9]):
            for achievement in ACHIEVEMENTS[: 1 + i % 3]:
                ledger.award_badge(awarder, str(person.id), t.NewBadge(achievement=achievement.slug))
                awarded += 1
    except errors.BadgesNotConfigured:
        pass  # PostgreSQL without LEDGER_BADGE_KEY: achievements and certifications only
    counts["certifications PIX"] = certified
    counts["badges"] = awarded
