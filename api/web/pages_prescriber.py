"""Prescriber pages: the caseload, registering a beneficiary, issuing and printing a book, cancelling
and unlocking cheques. Every action calls the same ledger command as the API, with the person's actor."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, communes, field_errors, form_error
from api.web.navigation import redirect
from api.web.pages_badges import DONE as BADGES_DONE
from api.web.pages_badges import beneficiary_badges
from api.web.paging import search_and_page
from api.web.render import page
from api.web.session import WebUserDep, require_role
from domain import errors
from domain.cheques import CHEQUE_STATUS_LABELS
from domain.values import AGE_BAND_LABELS, PUBLIC_LABELS
from ledger import types as t
from paper.cheque_book import render_cheque_book

DONE = {
    "inscrit": "Bénéficiaire inscrit.",
    "annule": "Chèque annulé ; sa valeur est rendue aux fonds disponibles.",
    "deverrouille": "Chèque déverrouillé : un nouvel essai de code est possible.",
}
REPRINT_CONFIRM = (
    "Cochez la case de confirmation : la réimpression rend inutilisables les codes imprimés sur l'ancien carnet."
)


@get("/prescripteur", sync_to_thread=True)
def caseload(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "prescriber")
    names = dict(communes(ledger))
    words = (request.query_params.get("q") or "")[:100]
    found = search_and_page(
        ledger.caseload(web_user.actor),
        words,
        lambda e: f"{e.first_name} {e.last_name} {names.get(e.commune_insee, '')}",
        request.query_params.get("page"),
    )
    return page(
        request,
        "prescriber/caseload.html",
        title="Mes bénéficiaires",
        entries=found.items,
        found=found,
        words=words,
        communes=names,
    )


def register_page(
    request: Request,
    ledger: LedgerDep,
    *,
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "prescriber/register.html",
        status=status,
        title="Inscrire un bénéficiaire",
        communes=communes(ledger),
        publics=PUBLIC_LABELS,
        values=values or {},
        error=error,
        faults=faults or {},
        this_year=date.today().year,
    )


@get("/prescripteur/nouveau", sync_to_thread=True)
def register_form(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "prescriber")
    return register_page(request, ledger)


@post("/prescripteur/nouveau", sync_to_thread=True, status_code=303)
def register(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "prescriber")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {
        k: form.get(k) for k in ("first_name", "last_name", "birth_year", "commune_insee", "phone", "email")
    }
    values["publics"] = form.getlist("publics")
    try:
        body = form.build(
            t.NewBeneficiary,
            first_name=values["first_name"],
            last_name=values["last_name"],
            birth_year=form.integer("birth_year", "Année de naissance"),
            commune_insee=values["commune_insee"],
            publics=values["publics"],
            phone=form.optional("phone"),
            email=form.optional("email"),
        )
        out = ledger.register_beneficiary(web_user.actor, body)
    except errors.DomainError as refusal:
        error = form_error(refusal)
        faults = field_errors(refusal)
        return register_page(request, ledger, values=values, error=error, faults=faults, status=refusal.status)
    return redirect(f"/prescripteur/beneficiaires/{out.id}?fait=inscrit")


def beneficiary_page(
    request: Request,
    ledger: LedgerDep,
    web_user: WebUserDep,
    beneficiary_id: str,
    *,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    record = ledger.get_beneficiary(web_user.actor, beneficiary_id)
    cheques = ledger.beneficiary_cheques(web_user.actor, beneficiary_id)
    books = ledger.beneficiary_books(web_user.actor, beneficiary_id)
    return page(
        request,
        "prescriber/beneficiary.html",
        status=status,
        title=f"{record.first_name} {record.last_name}",
        record=record,
        cheques=cheques,
        books=books,
        status_names=CHEQUE_STATUS_LABELS,
        publics=PUBLIC_LABELS,
        age_bands=AGE_BAND_LABELS,
        faults=faults or {},
        commune=ledger.territory.get(record.commune_insee),
        error=error,
        flash=DONE.get(request.query_params.get("fait", "")) or BADGES_DONE.get(request.query_params.get("fait", "")),
        **beneficiary_badges(ledger, web_user, beneficiary_id),
    )


@get("/prescripteur/beneficiaires/{beneficiary_id:str}", sync_to_thread=True)
def beneficiary(request: Request, ledger: LedgerDep, web_user: WebUserDep, beneficiary_id: FromPath[str]) -> Response:
    require_role(web_user, "prescriber")
    return beneficiary_page(request, ledger, web_user, beneficiary_id)


def book_page(request: Request, ledger: LedgerDep, book: t.ChequeBookOut, title: str) -> Response:
    """The book just issued: its PDF travels inside the page (a data: link), so the codes are kept nowhere."""
    names = ledger.funder_names({c.funder_code for c in book.cheques})
    places = ledger.directory_of_beneficiary(book.beneficiary_id)
    pdf = base64.b64encode(render_cheque_book(book, names, places)).decode()
    return page(
        request,
        "prescriber/book.html",
        status=201,
        title=title,
        book=book,
        pdf=pdf,
        funder_names=names,
        total=sum(c.face_value_cents for c in book.cheques),
    )


@post("/prescripteur/beneficiaires/{beneficiary_id:str}/carnet", sync_to_thread=True, status_code=201)
def issue_book(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, beneficiary_id: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "prescriber")
    form = checked_form(web_user, data)
    try:
        body = form.build(
            t.NewChequeBook,
            beneficiary_id=beneficiary_id,
            count=form.integer("count", "Nombre de chèques"),
            face_value_cents=form.cents("face_value", "Valeur d'un chèque"),
        )
        book = ledger.issue_book(web_user.actor, body)
    except errors.DomainError as refusal:
        error = form_error(refusal, errors.NotFound)
        faults = field_errors(refusal)
        return beneficiary_page(
            request, ledger, web_user, beneficiary_id, error=error, faults=faults, status=refusal.status
        )
    return book_page(request, ledger, book, "Carnet émis")


@post("/prescripteur/beneficiaires/{beneficiary_id:str}/reimpression", sync_to_thread=True, status_code=201)
def reprint(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, beneficiary_id: FromPath[str], data: FormData
) -> Response:
    """Reprints exactly the book the prescriber chose, once it confirmed that the old codes stop working."""
    require_role(web_user, "prescriber")
    form = checked_form(web_user, data)
    mine = {b.id for b in ledger.beneficiary_books(web_user.actor, beneficiary_id)}
    faults = {}
    if form.get("book") not in mine:
        faults["book"] = "Choisissez le carnet à réimprimer."
    if form.get("confirm") != "oui":
        faults["confirm"] = REPRINT_CONFIRM
    if faults:
        error = " ; ".join(faults.values())
        return beneficiary_page(request, ledger, web_user, beneficiary_id, error=error, faults=faults, status=400)
    book = ledger.reprint_book(web_user.actor, form.get("book"))
    return book_page(request, ledger, book, "Carnet réimprimé")


def _cheque_action(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, serial: str, action: str, form_reason: str = ""
) -> Response:
    cheque = ledger.get_cheque(web_user.actor, serial)
    beneficiary_id = ledger.beneficiary_of(web_user.actor, cheque.serial)
    try:
        if action == "annule":
            ledger.cancel_cheque(
                web_user.actor, serial, t.ReasonBody(reason=form_reason or "Annulé par le prescripteur")
            )
        else:
            ledger.unlock_cheque(web_user.actor, serial)
    except errors.DomainError as refusal:
        error = form_error(refusal, errors.NotFound)
        return beneficiary_page(request, ledger, web_user, beneficiary_id, error=error, status=refusal.status)
    return redirect(f"/prescripteur/beneficiaires/{beneficiary_id}?fait={action}")


@post("/prescripteur/cheques/{serial:str}/annulation", sync_to_thread=True, status_code=303)
def cancel(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, serial: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "prescriber")
    form = checked_form(web_user, data)
    return _cheque_action(request, ledger, web_user, serial, "annule", form.get("reason")[:500])


@post("/prescripteur/cheques/{serial:str}/deverrouillage", sync_to_thread=True, status_code=303)
def unlock(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, serial: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "prescriber")
    checked_form(web_user, data)
    return _cheque_action(request, ledger, web_user, serial, "deverrouille")


ROUTES = [caseload, register_form, register, beneficiary, issue_book, reprint, cancel, unlock]
