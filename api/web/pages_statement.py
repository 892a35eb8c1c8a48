"""A structure's statement page (« Relevé »): a period (this month by default, quick choices, the French
message next to a faulty date), its balances and figures, its redemptions in keyset pages, its settlements,
and the same period as CSV and PDF (``api/statement_files.py``, as the API's)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from litestar import Request, Response, get

from api.deps import LedgerDep
from api.statement_files import file_name, statement_csv, statement_paper, whole_period
from api.web.forms import parse_day
from api.web.pages_structure import structure_id
from api.web.render import SECURITY_HEADERS, page
from api.web.session import WebUserDep
from domain import errors
from domain.statement_period import QUICK_PERIODS, statement_period
from domain.values import SESSION_KIND_LABELS
from paper.structure_statement import MOVES, PAYMENT

PER_PAGE = 50

PERIOD_FIELDS = {"from": "du", "to": "au"}


def asked_period(request: Request, today: date) -> tuple[dict[str, str], date | None, date | None, dict[str, str]]:
    """The period typed (``du``, ``au``), parsed; faults by form field, in French."""
    typed = {name: request.query_params.get(name) or "" for name in ("du", "au")}
    days: dict[str, date | None] = {}
    faults: dict[str, str] = {}
    for name, label in (("du", "Du"), ("au", "Au")):
        try:
            days[name] = parse_day(typed[name], label)
        except errors.ValidationError as refusal:
            days[name], faults[name] = None, refusal.detail
    if not faults:
        try:
            statement_period(days["du"], days["au"], today)
        except errors.ValidationError as refusal:
            faults.update({PERIOD_FIELDS.get(f, "au"): message for f, message in refusal.fields})
    return typed, days["du"], days["au"], faults


@get("/structure/releve", sync_to_thread=True)
def statement(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    sid = structure_id(web_user, request)
    today = ledger.today()
    typed, start, end, faults = asked_period(request, today)
    period = None
    if not faults:
        period = ledger.period_statement(web_user.actor, sid, start, end, PER_PAGE, request.query_params.get("curseur"))
    keep = {"structure": sid} if web_user.role == "admin" else {}
    here = {**keep, **({"du": period.start.isoformat(), "au": period.end.isoformat()} if period else {})}
    return page(
        request,
        "structure/statement.html",
        status=400 if faults else 200,
        title="Relevé de la structure",
        structure=ledger.get_structure(web_user.actor, sid),
        statement=ledger.statement(web_user.actor, sid),
        period=period,
        typed=typed,
        faults=faults,
        error="La période demandée n'est pas valable." if faults else None,
        quick=[
            (label, choose(today), urlencode({**keep, "du": choose(today).start, "au": choose(today).end}))
            for label, choose in QUICK_PERIODS.items()
        ],
        keep=keep,
        here=urlencode(here),
        first_page=not request.query_params.get("curseur"),
        today=today,
        kinds=SESSION_KIND_LABELS,
        moves=MOVES,
        payment_states=PAYMENT,
    )


def statement_file(request: Request, ledger: LedgerDep, web_user: WebUserDep, suffix: str) -> Response:
    sid = structure_id(web_user, request)
    _, start, end, faults = asked_period(request, ledger.today())
    if faults:
        raise errors.ValidationError("Période invalide : " + " ".join(faults.values()))
    whole = whole_period(ledger, web_user.actor, sid, start, end)
    content = statement_csv(whole) if suffix == "csv" else statement_paper(ledger, web_user.actor, whole)
    return Response(
        content=content,
        media_type="text/csv" if suffix == "csv" else "application/pdf",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{file_name(whole, suffix)}"'},
    )


@get("/structure/releve.csv", sync_to_thread=True)
def statement_as_csv(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return statement_file(request, ledger, web_user, "csv")


@get("/structure/releve.pdf", sync_to_thread=True)
def statement_as_pdf(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return statement_file(request, ledger, web_user, "pdf")


ROUTES = [statement, statement_as_csv, statement_as_pdf]
