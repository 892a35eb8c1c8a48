"""Observatory pages: indicators over a period, charts by quarter and by EPCI (small groups suppressed),
and the export download (CSV or JSON), the same figures as the API's."""

from __future__ import annotations

import msgspec
from litestar import Request, Response, get

from api.deps import LedgerDep
from api.routes_observatory import export_csv
from api.web.charts import bar_chart
from api.web.forms import parse_day
from api.web.render import SECURITY_HEADERS, number, page
from api.web.session import WebUserDep, require_role
from domain.values import SESSION_KIND_PLURALS
from ledger import types as t


def period(request: Request) -> tuple:
    return parse_day(request.query_params.get("du"), "Du"), parse_day(request.query_params.get("au"), "Au")


def shown(rows: list[t.BreakdownRow]) -> list[tuple[str, int]]:
    return [(row.label, row.sessions or 0) for row in rows if not row.suppressed]


@get("/observatoire", sync_to_thread=True)
def indicators(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "observatory")
    start, end = period(request)
    figures = ledger.indicators(web_user.actor, start, end)
    quarters = ledger.breakdown(web_user.actor, "quarter", start, end)
    epcis = sorted(ledger.breakdown(web_user.actor, "epci", start, end), key=lambda r: -(r.sessions or 0))
    charts = {
        "quarters": bar_chart(
            "Séances payées par chèque, par trimestre",
            "Nombre de séances encaissées chaque trimestre.",
            shown(quarters),
            fmt=number,
            chart_id="trimestres",
        ),
        "epcis": bar_chart(
            "Séances payées par chèque, par intercommunalité",
            "Nombre de séances par EPCI de résidence des bénéficiaires.",
            shown(epcis),
            fmt=number,
            chart_id="epci",
        ),
    }
    query = "&".join(f"{k}={v}" for k, v in (("du", start), ("au", end)) if v)
    return page(
        request,
        "observatory/indicators.html",
        title="Indicateurs",
        figures=figures,
        quarters=quarters,
        epcis=epcis,
        charts=charts,
        start=start,
        end=end,
        kinds=SESSION_KIND_PLURALS,
        query=query,
    )


def export_response(request: Request, ledger: LedgerDep, web_user: WebUserDep, fmt: str) -> Response:
    require_role(web_user, "observatory")
    start, end = period(request)
    rows = ledger.observatory_export(web_user.actor, start, end)
    if fmt == "csv":
        content, media = export_csv(rows, ledger.territory), "text/csv"
    else:
        content, media = msgspec.json.encode(rows), "application/json"
    return Response(
        content=content,
        media_type=media,
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="observatoire.{fmt}"'},
    )


@get("/observatoire/export.csv", sync_to_thread=True)
def export_as_csv(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return export_response(request, ledger, web_user, "csv")


@get("/observatoire/export.json", sync_to_thread=True)
def export_as_json(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return export_response(request, ledger, web_user, "json")


@get("/observatoire/donnees-ouvertes.zip", sync_to_thread=True)
def open_data_package(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    """The open data package (as ``GET /v1/observatory/datapackage.zip``), all quarters so far."""
    require_role(web_user, "observatory")
    return Response(
        content=ledger.observatory_datapackage(web_user.actor),
        media_type="application/zip",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": 'attachment; filename="observatoire-drome-datapackage.zip"',
        },
    )


ROUTES = [indicators, export_as_csv, export_as_json, open_data_package]
