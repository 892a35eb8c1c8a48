"""PIX certifications and Open Badges (Action 7): achievements (admin), badges awarded (structure, prescriber,
admin), and a badge's two forms for its holder: the signed credential (JSON, for a wallet) and a PDF to print."""

from __future__ import annotations

import json

from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.problems import post_problems, problems
from ledger import types as t
from paper.badge import render_badge

CREDENTIAL_MEDIA_TYPE = "application/ld+json"


@post(
    "/v1/beneficiaries/{beneficiary_id:str}/pix-certifications",
    status_code=201,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["pix"],
)
def record_pix_certification(
    beneficiary_id: FromPath[str],
    data: JSONBody[t.NewPixCertification],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.PixCertificationOut:
    """A PIX certification passed (score 0..1024; `certified_on` not after today). Counted in the indicators'
    `pix.certifications`. A prescriber records for its own beneficiaries."""
    return ledger.record_pix_certification(actor, beneficiary_id, data, idempotency(request, actor, data))


@get(
    "/v1/beneficiaries/{beneficiary_id:str}/pix-certifications",
    sync_to_thread=True,
    responses=problems(404),
    tags=["pix"],
)
def pix_certifications(beneficiary_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.PixCertificationList:
    """A prescriber sees its beneficiaries' certifications; a structure those it recorded."""
    return ledger.pix_certifications_of(actor, beneficiary_id)


@post("/v1/achievements", status_code=201, sync_to_thread=True, responses=post_problems(409), tags=["badges"])
def define_achievement(
    data: JSONBody[t.NewAchievement],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.AchievementOut:
    """What a badge recognises (French texts). The same slug again: 409 `already-exists`."""
    return ledger.define_achievement(actor, data, idempotency(request, actor, data))


@get("/v1/achievements", sync_to_thread=True, responses=problems(), tags=["badges"])
def list_achievements(ledger: LedgerDep, actor: ActorDep) -> t.AchievementList:
    return ledger.list_achievements(actor)


@post(
    "/v1/beneficiaries/{beneficiary_id:str}/badges",
    status_code=201,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["badges"],
)
def award_badge(
    beneficiary_id: FromPath[str],
    data: JSONBody[t.NewBadge],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.BadgeOut:
    """Awards the achievement `achievement` (a slug; unknown: 404) to the beneficiary. The answer's `credential`
    is an Open Badges 3.0 `OpenBadgeCredential` signed with Data Integrity `eddsa-rdfc-2022` by the ledger's
    did:key; the person is named in it by a salted hash only. 503 `badges-not-configured` when no signing key
    is set (PostgreSQL without `LEDGER_BADGE_KEY`)."""
    return ledger.award_badge(actor, beneficiary_id, data, idempotency(request, actor, data))


@get("/v1/beneficiaries/{beneficiary_id:str}/badges", sync_to_thread=True, responses=problems(404), tags=["badges"])
def beneficiary_badges(beneficiary_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.BadgeList:
    """A prescriber sees its beneficiaries' badges; a structure those it awarded."""
    return ledger.badges_of(actor, beneficiary_id)


@get(
    "/v1/badges/{badge_id:str}/credential.json",
    sync_to_thread=True,
    responses=problems(404),
    tags=["badges"],
    media_type=CREDENTIAL_MEDIA_TYPE,
)
def badge_credential(badge_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> Response[bytes]:
    """The signed credential as a file to keep in a wallet (JSON-LD), for the admin, the beneficiary's
    prescriber and whoever awarded it."""
    credential = ledger.badge_credential(actor, badge_id)
    return Response(
        content=json.dumps(credential, ensure_ascii=False, indent=2).encode(),
        media_type=CREDENTIAL_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="badge-{badge_id}.json"'},
    )


@get(
    "/v1/badges/{badge_id:str}/badge.pdf",
    sync_to_thread=True,
    responses=problems(404),
    tags=["badges"],
    media_type="application/pdf",
)
def badge_pdf(badge_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> Response[bytes]:
    """The badge to print (French), with a QR code of the signed credential."""
    award = ledger.badge(actor, badge_id)
    return Response(
        content=render_badge(json.loads(award.credential), award.awarded_on),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="badge-{badge_id}.pdf"'},
    )


ROUTES = [
    record_pix_certification,
    pix_certifications,
    define_achievement,
    list_achievements,
    award_badge,
    beneficiary_badges,
    badge_credential,
    badge_pdf,
]
