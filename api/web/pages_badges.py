"""Badges and PIX certifications on the pages (Action 7): the admin defines achievements; a structure (its PIX
page) or a prescriber (the beneficiary's page) records a PIX certification and awards a badge; whoever may see a
badge downloads it as a PDF to print and as the JSON file to keep in a wallet."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, field_errors, form_error
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.render import SECURITY_HEADERS, page
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from ledger import types as t
from paper.badge import render_badge

DONE = {
    "certification": "Certification PIX enregistrée.",
    "badge": "Badge remis : téléchargez-le ci-dessous pour la personne.",
    "realisation": "Badge défini : les structures et les prescripteurs peuvent le remettre.",
}


def achievement_options(ledger: Any, user: WebUser) -> dict[str, str]:
    return {a.slug: a.name for a in ledger.list_achievements(user.actor).items}


def beneficiary_badges(ledger: Any, user: WebUser, beneficiary_id: str) -> dict[str, Any]:
    """What the beneficiary's page shows of PIX certifications and badges, and the badges it can award."""
    return {
        "certifications": ledger.pix_certifications_of(user.actor, beneficiary_id).items,
        "badges": ledger.badges_of(user.actor, beneficiary_id).items,
        "achievements": achievement_options(ledger, user),
    }


def _certify(ledger: Any, user: WebUser, form: Any, beneficiary_id: str) -> None:
    body = form.build(
        t.NewPixCertification, certified_on=form.get("certified_on"), score=form.integer("score", "Score")
    )
    ledger.record_pix_certification(user.actor, beneficiary_id, body)


def _award(ledger: Any, user: WebUser, form: Any, beneficiary_id: str) -> t.BadgeOut:
    return ledger.award_badge(user.actor, beneficiary_id, form.build(t.NewBadge, achievement=form.get("achievement")))


# -- structure: on its PIX page -----------------------------------------------------------------
def structure_page(
    request: Request,
    ledger: Any,
    user: WebUser,
    *,
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    badge = request.query_params.get("badge", "")
    recent_badges, recent_certifications = ledger.recent_by(user.actor)
    return page(
        request,
        "badges/structure.html",
        status=status,
        title="Certifications PIX et badges",
        recent_badges=recent_badges,
        recent_certifications=recent_certifications,
        achievements=achievement_options(ledger, user),
        values=values or {},
        error=error,
        faults=faults or {},
        badge=badge if badge and all(c in "0123456789abcdef-" for c in badge) else None,
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/structure/badges", sync_to_thread=True)
def structure_badges(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "structure")
    return structure_page(request, ledger, web_user)


@post("/structure/badges/certification", sync_to_thread=True, status_code=303)
def structure_certify(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("beneficiary_id", "certified_on", "score")}
    try:
        _certify(ledger, web_user, form, values["beneficiary_id"])
    except errors.DomainError as refusal:
        error, faults = form_error(refusal), field_errors(refusal)
        return structure_page(
            request, ledger, web_user, values=values, error=error, faults=faults, status=refusal.status
        )
    return redirect("/structure/badges?fait=certification")


@post("/structure/badges", sync_to_thread=True, status_code=303)
def structure_award(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("badge_beneficiary_id", "achievement")}
    try:
        out = _award(ledger, web_user, form, values["badge_beneficiary_id"])
    except errors.DomainError as refusal:
        error, faults = form_error(refusal), field_errors(refusal)
        return structure_page(
            request, ledger, web_user, values=values, error=error, faults=faults, status=refusal.status
        )
    return redirect(f"/structure/badges?fait=badge&badge={out.id}")


# -- prescriber: on the beneficiary's page --------------------------------------------------------
def _on_beneficiary_page(
    request: Request,
    ledger: Any,
    web_user: WebUser,
    beneficiary_id: str,
    data: FormData,
    act: Callable[[Any, WebUser, Any, str], object],
    done: str,
) -> Response:
    """A prescriber's form on the beneficiary's page: ``act``, then back to the page (with the refusal)."""
    from api.web.pages_prescriber import beneficiary_page

    require_role(web_user, "prescriber")
    form = checked_form(web_user, data)
    try:
        act(ledger, web_user, form, beneficiary_id)
    except errors.DomainError as refusal:
        error, faults = form_error(refusal), field_errors(refusal)
        return beneficiary_page(
            request, ledger, web_user, beneficiary_id, error=error, faults=faults, status=refusal.status
        )
    return redirect(f"/prescripteur/beneficiaires/{beneficiary_id}?fait={done}#badges")


@post("/prescripteur/beneficiaires/{beneficiary_id:str}/certification", sync_to_thread=True, status_code=303)
def prescriber_certify(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, beneficiary_id: FromPath[str], data: FormData
) -> Response:
    return _on_beneficiary_page(request, ledger, web_user, beneficiary_id, data, _certify, "certification")


@post("/prescripteur/beneficiaires/{beneficiary_id:str}/badge", sync_to_thread=True, status_code=303)
def prescriber_award(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, beneficiary_id: FromPath[str], data: FormData
) -> Response:
    return _on_beneficiary_page(request, ledger, web_user, beneficiary_id, data, _award, "badge")


# -- downloads -------------------------------------------------------------------------------------
@get("/badges/{badge_id:str}/badge.pdf", sync_to_thread=True)
def download_pdf(ledger: LedgerDep, web_user: WebUserDep, badge_id: FromPath[str]) -> Response:
    award = ledger.badge(web_user.actor, badge_id)
    return Response(
        content=render_badge(json.loads(award.credential), award.awarded_on),
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="badge-{badge_id}.pdf"'},
    )


@get("/badges/{badge_id:str}/badge.json", sync_to_thread=True)
def download_json(ledger: LedgerDep, web_user: WebUserDep, badge_id: FromPath[str]) -> Response:
    credential = ledger.badge_credential(web_user.actor, badge_id)
    return Response(
        content=json.dumps(credential, ensure_ascii=False, indent=2).encode(),
        media_type="application/ld+json",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="badge-{badge_id}.json"'},
    )


# -- admin: the achievements ---------------------------------------------------------------------
def achievements_page(
    request: Request,
    ledger: Any,
    user: WebUser,
    *,
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {"flash": DONE.get(request.query_params.get("fait", ""))}
    return admin_page(
        request,
        "badges/achievements.html",
        status=status,
        title="Badges",
        achievements=ledger.list_achievements(user.actor).items,
        values=values or {},
        error=error,
        faults=faults or {},
        **context,
    )


@get("/admin/badges", sync_to_thread=True)
def achievements(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return achievements_page(request, ledger, web_user)


@post("/admin/badges", sync_to_thread=True, status_code=303)
def define_achievement(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {k: form.get(k) for k in ("slug", "name", "description", "criteria")}
    try:
        ledger.define_achievement(web_user.actor, form.build(t.NewAchievement, **values))
    except errors.DomainError as refusal:
        return refused(achievements_page, request, ledger, web_user, refusal, values=values)
    return redirect("/admin/badges?fait=realisation")


ROUTES = [
    structure_badges,
    structure_certify,
    structure_award,
    prescriber_certify,
    prescriber_award,
    download_pdf,
    download_json,
    achievements,
    define_achievement,
]
