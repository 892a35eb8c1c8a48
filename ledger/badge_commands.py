"""PIX certifications (structure, prescriber, admin), achievements (admin) and Open Badges awarded to
beneficiaries (structure, prescriber, admin), each with a signed Open Badges 3.0 credential.

The credential is built and signed before the command is decided (a signature takes a few milliseconds: not
inside the group-commit writer's batch); the decision checks the beneficiary and the achievement again."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from domain import errors
from domain.badges import Achievement, BadgeAward, achievement_id
from domain.beneficiaries import Beneficiary
from domain.pix import PixCertification
from ledger import data_integrity
from ledger import types as t
from ledger.badge_key import BadgeKey, load_badge_key
from ledger.config import ConfigurationError
from ledger.idempotency import Idem
from ledger.service import Decision, LedgerCore

ISSUER_NAME = "Département de la Drôme – Chèque numérique drômois"


def achievement_out(a: Achievement) -> t.AchievementOut:
    return t.AchievementOut(id=a.id, slug=a.slug, name=a.name, description=a.description, criteria=a.criteria)


def subject_hash(beneficiary_id: UUID, salt: str) -> str:
    """OB 3.0 ``identityHash``: SHA-256 of the beneficiary's pseudonymous id and the salt, never a name."""
    return "sha256$" + hashlib.sha256((str(beneficiary_id) + salt).encode()).hexdigest()


def unsigned_credential(
    *, badge_id: UUID, achievement: Achievement, beneficiary_id: UUID, key: BadgeKey, valid_from: str, salt: str
) -> dict[str, Any]:
    """An ``OpenBadgeCredential`` (Open Badges 3.0 on the VC Data Model 2.0), before its proof."""
    return {
        "@context": [data_integrity.VC_V2, data_integrity.OB_V3],
        "id": f"urn:uuid:{badge_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "issuer": {"id": key.did, "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": subject_hash(beneficiary_id, salt),
                    "identityType": "identifier",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": {
                "id": f"urn:uuid:{achievement.id}",
                "type": ["Achievement"],
                "name": achievement.name,
                "description": achievement.description,
                "criteria": {"narrative": achievement.criteria},
                "inLanguage": "fr",
            },
        },
    }


class BadgeCommands(LedgerCore):
    _badge_key: BadgeKey | None = None

    def badge_key(self) -> BadgeKey:
        """The key that signs credentials (``ledger/badge_key.py``), loaded once."""
        if self._badge_key is None:
            try:
                self._badge_key = load_badge_key(self.config, self.settings.badge_key)
            except ConfigurationError:
                raise errors.BadgesNotConfigured(
                    "Les badges ne peuvent pas être signés : la clé LEDGER_BADGE_KEY n'est pas configurée."
                ) from None
        return self._badge_key

    def _beneficiary_for(self, actor: t.Actor, beneficiary_id: str | UUID) -> Beneficiary:
        """A beneficiary not erased, named by its id or by the reference printed on its carnet; a prescriber acts
        only for its own."""
        b = self._load_id(self._beneficiary_key(beneficiary_id), Beneficiary, "Bénéficiaire")
        if b.erased:
            raise errors.NotFound("Bénéficiaire introuvable.")
        if actor.role == "prescriber":
            self._require_org(actor, b.prescriber_id)
        return b

    @staticmethod
    def _by(actor: t.Actor) -> str:
        return "admin" if actor.role == "admin" else f"{actor.role}:{actor.org}"

    # -- PIX certifications --------------------------------------------------------------------
    def record_pix_certification(
        self, actor: t.Actor, beneficiary_id: str, body: t.NewPixCertification, idem: Idem | None = None
    ) -> t.PixCertificationOut:
        self._require(actor, "structure", "prescriber")
        self._facts_happened(certified_on=body.certified_on)

        def decide() -> Decision:
            b = self._beneficiary_for(actor, beneficiary_id)
            p = PixCertification.record(
                beneficiary_id=b.id,
                score=body.score,
                certified_on=body.certified_on,
                recorded_by=self._by(actor),
                today=self.today(),
            )
            out = t.PixCertificationOut(id=p.id, beneficiary_id=b.id, score=p.score, certified_on=p.certified_on)
            return Decision([p], out)

        return self._execute(idem, decide, t.PixCertificationOut)

    # -- achievements --------------------------------------------------------------------------
    def define_achievement(self, actor: t.Actor, body: t.NewAchievement, idem: Idem | None = None) -> t.AchievementOut:
        self._require(actor)

        def decide() -> Decision:
            if self._exists(achievement_id(body.slug)):
                raise errors.AlreadyExists(f"La réalisation {body.slug} existe déjà.")
            a = Achievement.define(slug=body.slug, name=body.name, description=body.description, criteria=body.criteria)
            return Decision([a], achievement_out(a))

        return self._execute(idem, decide, t.AchievementOut)

    def get_achievement(self, actor: t.Actor, slug: str) -> t.AchievementOut:
        self._require(actor, "structure", "prescriber")
        return achievement_out(self._load(achievement_id(slug), Achievement, "Réalisation"))

    # -- badges --------------------------------------------------------------------------------
    def award_badge(
        self, actor: t.Actor, beneficiary_id: str, body: t.NewBadge, idem: Idem | None = None
    ) -> t.BadgeOut:
        self._require(actor, "structure", "prescriber")
        b = self._beneficiary_for(actor, beneficiary_id)
        achievement = self._load(achievement_id(body.achievement), Achievement, "Réalisation")
        key = self.badge_key()
        badge_id = uuid4()
        valid_from = datetime.fromtimestamp(self.wall_clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        credential = data_integrity.sign(
            unsigned_credential(
                badge_id=badge_id,
                achievement=achievement,
                beneficiary_id=b.id,
                key=key,
                valid_from=valid_from,
                salt=secrets.token_hex(16),
            ),
            key,
            valid_from,
        )
        text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))

        def decide() -> Decision:
            beneficiary = self._beneficiary_for(actor, beneficiary_id)
            award = BadgeAward.award(
                badge_id=badge_id,
                achievement=self._load(achievement_id(body.achievement), Achievement, "Réalisation"),
                beneficiary_id=beneficiary.id,
                awarded_by=self._by(actor),
                awarded_on=self.today(),
                credential=text,
                today=self.today(),
            )
            return Decision([award], t.BadgeOut(id=award.id, credential=credential))

        return self._execute(idem, decide, t.BadgeOut)

    def badge(self, actor: t.Actor, badge_id: str) -> BadgeAward:
        """A badge awarded, for the admin, the beneficiary's prescriber and whoever awarded it; a badge of an
        erased beneficiary is no longer given out."""
        self._require(actor, "structure", "prescriber")
        award = self._load_id(badge_id, BadgeAward, "Badge")
        b = self._load(award.beneficiary_id, Beneficiary, "Bénéficiaire")
        if b.erased:
            raise errors.NotFound("Badge introuvable.")
        own_beneficiary = actor.role == "prescriber" and actor.org == str(b.prescriber_id)
        if actor.role != "admin" and award.awarded_by != self._by(actor) and not own_beneficiary:
            raise errors.Forbidden("Ce badge a été remis par une autre organisation.")
        return award

    def badge_credential(self, actor: t.Actor, badge_id: str) -> dict[str, Any]:
        return dict(json.loads(self.badge(actor, badge_id).credential))
