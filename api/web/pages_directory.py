"""The paper directory on demand (Action 3): a prescriber or the admin chooses an EPCI or a commune and prints
its accredited places (the same PDF as ``GET /v1/directory.pdf``)."""

from __future__ import annotations

from collections import defaultdict

from litestar import Request, Response, get

from api.deps import LedgerDep
from api.web.render import SECURITY_HEADERS, page
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from paper.directory import render_directory

ROLES = ("prescriber", "admin", "structure")


def directory_form(
    request: Request, ledger: LedgerDep, user: WebUser, error: str | None = None, status: int = 200
) -> Response:
    epcis: dict[str, str] = {}
    communes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for c in ledger.territory.communes():
        epcis[c.epci_siren] = c.epci_name
        communes[c.epci_siren].append((c.insee, c.name))
    by_name = sorted(epcis.items(), key=lambda pair: pair[1])
    return page(
        request,
        "directory.html",
        status=status,
        title="Annuaire des lieux à imprimer",
        epcis=by_name,
        communes={siren: sorted(items, key=lambda pair: pair[1]) for siren, items in communes.items()},
        error=error,
    )


@get("/annuaire", sync_to_thread=True)
def directory(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, *ROLES)
    return directory_form(request, ledger, web_user)


@get("/annuaire.pdf", sync_to_thread=True)
def directory_pdf(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, *ROLES)
    epci = request.query_params.get("epci") or None
    commune = request.query_params.get("commune") or None
    try:
        content = render_directory(ledger.place_directory(web_user.actor, epci=epci, commune=commune), ledger.today())
    except errors.ValidationError as refusal:
        return directory_form(request, ledger, web_user, error=refusal.detail, status=400)
    name = f"annuaire-{epci or commune}.pdf"
    return Response(
        content=content,
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [directory, directory_pdf]
