"""Lending pages of a structure, beyond signing a loan and its return (``pages_structure``): the sources
(gisements) and the devices (receive, refurbish, retire), one loan's page (follow-ups, extension, loss,
its papers as PDFs) and the overdue loans to chase."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, communes, form_error
from api.web.navigation import redirect
from api.web.pages_structure import structure_id
from api.web.render import SECURITY_HEADERS, page
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from domain.lending import DEVICE_KIND_LABELS, DEVICE_STATUS_LABELS, LOAN_STATUS_LABELS, RETURN_CONDITION_LABELS
from ledger import types as t
from paper.loan_papers import render_loan_agreement, render_return_receipt

SOURCE_KINDS = {
    "company": "Entreprise",
    "public_body": "Organisme public",
    "association": "Association",
    "individual": "Particulier",
}
GRADES = {"A": "A — comme neuf", "B": "B — traces d'usage", "C": "C — usé mais fonctionnel"}
RETIREMENTS = {"recycled": "Recyclé", "beyond_repair": "Irréparable", "donated": "Donné"}
FOLLOW_UPS = {"visit": "Visite", "call": "Appel", "workshop": "Atelier"}
DONE = {
    "gisement": "Gisement enregistré.",
    "appareil": "Appareil reçu : il est à reconditionner avant d'être prêté.",
    "reconditionne": "Appareil reconditionné : il peut être prêté.",
    "retire": "Appareil retiré du parc.",
    "suivi": "Suivi enregistré.",
    "prolongation": "Prêt prolongé.",
    "perte": "Perte enregistrée : la caution est conservée.",
}


def equipment_page(
    request: Request, ledger: LedgerDep, user: WebUser, *, error: str | None = None, form: str = "", status: int = 200
) -> Response:
    sid = structure_id(user, request)
    sources = ledger.equipment_sources(user.actor)
    return page(
        request,
        "structure/equipment.html",
        status=status,
        title="Matériel et gisements",
        sources=sources,
        source_names={str(s.id): s.name for s in sources},
        devices=ledger.devices_of(user.actor, sid),
        source_kinds=SOURCE_KINDS,
        device_names=DEVICE_KIND_LABELS,
        device_states=DEVICE_STATUS_LABELS,
        grades=GRADES,
        retirements=RETIREMENTS,
        communes=communes(ledger),
        commune_names=dict(communes(ledger)),
        today=ledger.today(),
        error=error,
        form=form,
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/structure/materiel", sync_to_thread=True)
def equipment(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return equipment_page(request, ledger, web_user)


@post("/structure/materiel/gisements", sync_to_thread=True, status_code=303)
def register_source(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    try:
        body = form.build(
            t.NewEquipmentSource, name=form.get("name"), kind=form.get("kind"), commune_insee=form.get("commune_insee")
        )
        ledger.register_source(web_user.actor, body)
    except errors.DomainError as refusal:
        return equipment_page(
            request, ledger, web_user, error=form_error(refusal), form="source", status=refusal.status
        )
    return redirect("/structure/materiel?fait=gisement")


@post("/structure/materiel/appareils", sync_to_thread=True, status_code=303)
def receive_device(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    try:
        body = form.build(
            t.NewDevice,
            source_id=form.get("source_id"),
            kind=form.get("kind"),
            serial_number=form.get("serial_number"),
            received_on=form.get("received_on"),
        )
        ledger.receive_device(web_user.actor, body)
    except errors.DomainError as refusal:
        return equipment_page(
            request, ledger, web_user, error=form_error(refusal), form="device", status=refusal.status
        )
    return redirect("/structure/materiel?fait=appareil")


@post("/structure/materiel/appareils/{device_id:str}/{action:str}", sync_to_thread=True, status_code=303)
def device_action(
    request: Request,
    ledger: LedgerDep,
    web_user: WebUserDep,
    device_id: FromPath[str],
    action: FromPath[str],
    data: FormData,
) -> Response:
    """``reconditionnement`` (grade, day) or ``retrait`` (reason, day)."""
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    try:
        if action == "reconditionnement":
            body = form.build(t.Refurbishment, grade=form.get("grade"), refurbished_on=form.get("on"))
            ledger.refurbish_device(web_user.actor, device_id, body)
            done = "reconditionne"
        elif action == "retrait":
            retirement = form.build(t.Retirement, reason=form.get("reason"), on=form.get("on"))
            ledger.retire_device(web_user.actor, device_id, retirement)
            done = "retire"
        else:
            raise errors.NotFound("Action inconnue.")
    except errors.DomainError as refusal:
        return equipment_page(
            request, ledger, web_user, error=form_error(refusal, errors.NotFound), status=refusal.status
        )
    return redirect(f"/structure/materiel?fait={done}")


# -- one loan -------------------------------------------------------------------------------------
def loan_page(
    request: Request, ledger: LedgerDep, user: WebUser, loan_id: str, *, error: str | None = None, status: int = 200
) -> Response:
    loan = ledger.get_loan(user.actor, loan_id)
    device = ledger.get_device(user.actor, str(loan.device_id))
    return page(
        request,
        "structure/loan.html",
        status=status,
        title="Prêt de " + DEVICE_KIND_LABELS.get(device.kind, device.kind),  # type: ignore[call-overload]
        loan=loan,
        device=device,
        device_names=DEVICE_KIND_LABELS,
        loan_states=LOAN_STATUS_LABELS,
        conditions=RETURN_CONDITION_LABELS,
        follow_kinds=FOLLOW_UPS,
        today=ledger.today(),
        error=error,
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/structure/prets/{loan_id:str}", sync_to_thread=True)
def loan(request: Request, ledger: LedgerDep, web_user: WebUserDep, loan_id: FromPath[str]) -> Response:
    require_role(web_user, "structure")
    return loan_page(request, ledger, web_user, loan_id)


@post("/structure/prets/{loan_id:str}/{action:str}", sync_to_thread=True, status_code=303)
def loan_action(
    request: Request,
    ledger: LedgerDep,
    web_user: WebUserDep,
    loan_id: FromPath[str],
    action: FromPath[str],
    data: FormData,
) -> Response:
    """``suivi`` (day, kind, note), ``prolongation`` (new due day) or ``perte`` (day)."""
    require_role(web_user, "structure")
    if action == "retour":  # kept in pages_structure, where the loans' list posts it
        raise errors.NotFound("Action inconnue.")
    form = checked_form(web_user, data)
    try:
        if action == "suivi":
            follow = form.build(t.NewFollowUp, on=form.get("on"), kind=form.get("kind"), note=form.optional("note"))
            ledger.follow_up_loan(web_user.actor, loan_id, follow)
        elif action == "prolongation":
            ledger.extend_loan(web_user.actor, loan_id, form.build(t.LoanExtension, due_on=form.get("due_on")))
        elif action == "perte":
            ledger.declare_loan_lost(web_user.actor, loan_id, form.build(t.LoanLoss, on=form.get("on")))
        else:
            raise errors.NotFound("Action inconnue.")
    except errors.DomainError as refusal:
        if isinstance(refusal, errors.NotFound | errors.Forbidden):
            raise
        return loan_page(request, ledger, web_user, loan_id, error=form_error(refusal), status=refusal.status)
    return redirect(f"/structure/prets/{loan_id}?fait={action}")


def _pdf(content: bytes, name: str) -> Response:
    return Response(
        content=content,
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@get("/structure/prets/{loan_id:str}/convention.pdf", sync_to_thread=True)
def agreement_pdf(request: Request, ledger: LedgerDep, web_user: WebUserDep, loan_id: FromPath[str]) -> Response:
    require_role(web_user, "structure")
    loan = ledger.get_loan(web_user.actor, loan_id)
    device = ledger.get_device(web_user.actor, str(loan.device_id))
    source = next((s.name for s in ledger.equipment_sources(web_user.actor) if s.id == device.source_id), "—")
    structure = ledger.get_structure(web_user.actor, loan.structure_id)
    return _pdf(render_loan_agreement(loan, device, structure, source), f"convention-pret-{str(loan.id)[:8]}.pdf")


@get("/structure/prets/{loan_id:str}/restitution.pdf", sync_to_thread=True)
def receipt_pdf(request: Request, ledger: LedgerDep, web_user: WebUserDep, loan_id: FromPath[str]) -> Response:
    require_role(web_user, "structure")
    loan = ledger.get_loan(web_user.actor, loan_id)
    if loan.status not in ("returned", "lost"):
        raise errors.DomainError("Le prêt est en cours : le reçu se fait au retour de l'appareil.")
    device = ledger.get_device(web_user.actor, str(loan.device_id))
    structure = ledger.get_structure(web_user.actor, loan.structure_id)
    postings = ledger.loan_postings(web_user.actor, loan_id)
    return _pdf(render_return_receipt(loan, device, structure, postings), f"restitution-{str(loan.id)[:8]}.pdf")


@get("/structure/retards", sync_to_thread=True)
def overdue(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    """The loans past their return day, the longest late first: whom to call."""
    require_role(web_user, "structure")
    today = ledger.today()
    loans = sorted(ledger.list_loans(web_user.actor, "overdue", limit=1000).items, key=lambda loan: loan.due_on)
    devices = {str(d.id): d for d in ledger.devices_of(web_user.actor, structure_id(web_user, request))}
    return page(
        request,
        "structure/overdue.html",
        title="Prêts en retard",
        loans=loans,
        devices=devices,
        device_names=DEVICE_KIND_LABELS,
        late_days={loan.id: (today - loan.due_on).days for loan in loans},
    )


ROUTES = [
    equipment,
    register_source,
    receive_device,
    device_action,
    loan,
    loan_action,
    agreement_pdf,
    receipt_pdf,
    overdue,
]
