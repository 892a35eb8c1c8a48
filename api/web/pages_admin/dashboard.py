"""The admin's dashboard: the funders' reconciliations, the partners and accounts counted, cheques by
status, and what a settlement would pay today."""

from __future__ import annotations

from litestar import Request, Response, get

from api.deps import LedgerDep
from api.web.pages_admin.feedback import admin_page
from api.web.session import WebUserDep, require_role
from domain.cheques import CHEQUE_STATUS_PLURALS


@get("/admin", sync_to_thread=True)
def dashboard(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    actor = web_user.actor
    funders = ledger.admin_funders(actor)
    structures = ledger.admin_structures(actor)
    counts = ledger.admin_cheque_counts(actor)
    return admin_page(
        request,
        "admin/dashboard.html",
        title="Tableau de bord",
        funders=funders,
        reconciliations={f.code: ledger.reconciliation(actor, f.code) for f in funders},
        structures=len(structures),
        suspended=sum(1 for s in structures if not s.accredited),
        prescribers=len(ledger.admin_prescribers(actor)),
        accounts=len(ledger.list_users(actor)),
        counts=counts,
        status_names=CHEQUE_STATUS_PLURALS,
        to_pay=ledger.preview_settlement(actor, ledger.today()),
    )


ROUTES = [dashboard]
