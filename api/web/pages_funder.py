"""Funder pages: reconciliation today or as of a day, a chart of the money over time, the journal with
filters, its CSV, and the PDF statement. Every figure comes from the same queries as the API's."""

from __future__ import annotations

import csv
import io
from datetime import date

from litestar import Request, Response, get

from api.deps import LedgerDep
from api.web.charts import small_multiples
from api.web.forms import parse_day
from api.web.render import SECURITY_HEADERS, euros, page
from api.web.session import WebUser, WebUserDep, acting_org
from domain import errors
from domain.values import SESSION_KIND_LABELS
from ledger import types as t
from paper.statement import render_statement
from projections.observatory_reads import suppression_threshold

KINDS = {
    "commitment_signed": "Convention signée",
    "cheque_issued": "Chèque émis",
    "cheque_redeemed": "Chèque encaissé",
    "redemption_reversed": "Encaissement annulé",
    "cheque_settled": "Chèque remboursé",
    "cheque_cancelled": "Chèque annulé",
    "cheque_expired": "Chèque expiré",
}
ACCOUNTS = {
    "funder": "Financeur",
    "available": "Disponible",
    "reserved": "Réservé",
    "redeemed": "Encaissé",
    "paid": "Payé",
}
SERIES = [
    ("available_cents", "Disponible"),
    ("reserved_cents", "Réservé"),
    ("redeemed_cents", "Encaissé"),
    ("paid_cents", "Payé"),
]


def funder_code(request: Request, user: WebUser) -> str:
    """A funder sees its own figures; the admin chooses a funder with ``?code=``."""
    return acting_org(
        user, request, "funder", "code", "Choisissez un financeur depuis la page Financeurs de l'administration."
    )


def month_ends(points: list[t.MoneyPoint], today: date) -> list[t.MoneyPoint]:
    """The balances at the end of each month from the first movement, and today."""
    if not points:
        return []
    today = max(today, points[-1].day)
    sampled: list[t.MoneyPoint] = []
    year, month = points[0].day.year, points[0].day.month
    i, last = 0, points[0]
    while (year, month) <= (today.year, today.month):
        end = date(year + month // 12, month % 12 + 1, 1)
        while i < len(points) and points[i].day < end:
            last = points[i]
            i += 1
        shown = min(date.fromordinal(end.toordinal() - 1), today)
        sampled.append(
            t.MoneyPoint(
                day=shown,
                available_cents=last.available_cents,
                reserved_cents=last.reserved_cents,
                redeemed_cents=last.redeemed_cents,
                paid_cents=last.paid_cents,
            )
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sampled


@get("/financeur", sync_to_thread=True)
def reconciliation(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    code = funder_code(request, web_user)
    as_of = parse_day(request.query_params.get("au"), "Date")
    rec = ledger.reconciliation(web_user.actor, code, as_of)
    funder = ledger.get_funder(web_user.actor, code)
    points = month_ends(ledger.money_over_time(web_user.actor, code), ledger.today())
    chart = (
        small_multiples(
            "Argent du financeur, fin de chaque mois",
            "Chaque solde sur sa propre échelle : disponible, réservé par des chèques émis, encaissé par les"
            " structures, payé aux structures.",
            [f"{p.day:%m/%Y}" for p in points],
            {label: [getattr(p, attr) for p in points] for attr, label in SERIES},
            fmt=lambda cents: euros(cents).replace(",00", ""),
            chart_id="argent",
        )
        if points
        else None
    )
    query = f"code={code}" if web_user.role == "admin" else ""
    return page(
        request,
        "funder/reconciliation.html",
        title=f"Rapprochement — {funder.name}",
        rec=rec,
        funder=funder,
        chart=chart,
        points=points,
        as_of=as_of,
        query=query,
        series=SERIES,
    )


def journal_filters(request: Request) -> dict:
    kind = request.query_params.get("type") or None
    if kind is not None and kind not in KINDS:
        raise errors.ValidationError("Type d'écriture inconnu.")
    return {
        "kind": kind,
        "since": parse_day(request.query_params.get("du"), "Du"),
        "until": parse_day(request.query_params.get("au"), "Au"),
    }


@get("/financeur/resultats", sync_to_thread=True)
def outcomes(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    """What the funder's money paid for: sessions, people, places, territory (small groups not shown)."""
    code = funder_code(request, web_user)
    figures = ledger.funder_outcomes(web_user.actor, code)
    return page(
        request,
        "funder/outcomes.html",
        title="Ce que votre argent a payé",
        funder=ledger.get_funder(web_user.actor, code),
        figures=figures,
        session_kinds=SESSION_KIND_LABELS,
        threshold=suppression_threshold(ledger.settings),
        query=f"?code={code}" if web_user.role == "admin" else "",
    )


@get("/financeur/journal", sync_to_thread=True)
def journal(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    code = funder_code(request, web_user)
    filters = journal_filters(request)
    postings = ledger.journal(web_user.actor, code, 100, request.query_params.get("curseur") or None, **filters)
    base = {k: v for k, v in request.query_params.items() if k != "curseur" and v}
    return page(
        request,
        "funder/journal.html",
        title="Journal des écritures",
        code=code,
        postings=postings,
        filters=filters,
        kinds=KINDS,
        accounts=ACCOUNTS,
        structure_names=ledger.structure_names(web_user.actor, [p.structure_id or "" for p in postings.items]),
        base=base,
        admin_code=code if web_user.role == "admin" else None,
    )


@get("/financeur/journal.csv", sync_to_thread=True)
def journal_csv(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    code = funder_code(request, web_user)
    filters = journal_filters(request)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "Position",
            "Horodatage (UTC)",
            "Événement",
            "Type",
            "Convention",
            "Débit",
            "Crédit",
            "Montant (centimes)",
            "Montant (euros)",
            "Chèque",
            "Structure",
            "Nom de la structure",
        ]
    )
    cursor = None
    names: dict[str, str] = {}
    while True:
        batch = ledger.journal(web_user.actor, code, 1000, cursor, **filters)
        unknown = {p.structure_id for p in batch.items if p.structure_id and p.structure_id not in names}
        names.update(ledger.structure_names(web_user.actor, unknown))
        for p in batch.items:
            writer.writerow(
                [
                    p.position,
                    p.at,
                    p.event_id,
                    KINDS.get(p.kind, p.kind),
                    p.commitment_id,
                    ACCOUNTS[p.debit],
                    ACCOUNTS[p.credit],
                    p.amount_cents,
                    f"{p.amount_cents // 100},{p.amount_cents % 100:02d}",
                    p.serial or "",
                    p.structure_id or "",
                    names.get(p.structure_id or "", ""),
                ]
            )
        cursor = batch.next_cursor
        if cursor is None:
            break
    return Response(
        content=out.getvalue().encode("utf-8-sig"),
        media_type="text/csv",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="journal-{code}.csv"'},
    )


@get("/financeur/releve.pdf", sync_to_thread=True)
def statement_pdf(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    code = funder_code(request, web_user)
    as_of = parse_day(request.query_params.get("au"), "Date")
    rec = ledger.reconciliation(web_user.actor, code, as_of)
    name = ledger.get_funder(web_user.actor, code).name
    return Response(
        content=render_statement(rec, name),
        media_type="application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="releve-{code}-{rec.as_of}.pdf"'},
    )


ROUTES = [reconciliation, outcomes, journal, journal_csv, statement_pdf]
