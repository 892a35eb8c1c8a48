"""Erasing a person at their request (RGPD article 17), from the admin pages, in two steps: find the person by
identifier and see what will be erased, then confirm. The erasure destroys the person's key (their name and
contact details become unreadable for good); the coarse facts and the cheques stay, as the figures need."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, communes
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page
from api.web.session import WebUserDep, require_role
from domain import errors


@get("/admin/effacement", sync_to_thread=True)
def erasure(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    wanted = (request.query_params.get("beneficiaire") or "").strip()
    preview, error, status = None, None, 200
    if wanted:
        try:
            preview = ledger.erasure_preview(web_user.actor, wanted)
        except errors.DomainError as refusal:
            error, status = refusal.detail, (404 if isinstance(refusal, errors.NotFound) else refusal.status)
    return admin_page(
        request,
        "admin/erasure.html",
        status=status,
        title="Effacer une personne",
        wanted=wanted,
        preview=preview,
        error=error,
        commune_names=dict(communes(ledger)),
    )


@post("/admin/effacement/{beneficiary_id:str}", sync_to_thread=True, status_code=303)
def erase(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, beneficiary_id: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    if form.get("confirmation") != "oui":
        return redirect(f"/admin/effacement?beneficiaire={beneficiary_id}&non-confirme=1")
    ledger.erase_beneficiary(web_user.actor, beneficiary_id)
    return redirect("/admin/effacement?fait=personne-effacee")


ROUTES = [erasure, erase]
