"""Indicators and the observatory export (observatory, admin; funders: totals only)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Literal

from litestar import Response, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Schema
from litestar.params import QueryParameter

from api.deps import ActorDep, LedgerDep
from api.problems import problems
from domain.values import AGE_BAND_LABELS, PUBLIC_LABELS, Public
from ledger import types as t
from ledger.territory import Territory

FromDate = Annotated[date | None, QueryParameter(name="from")]
ToDate = Annotated[date | None, QueryParameter(name="to")]
CSV_HEADERS = [
    ("quarter", "trimestre"),
    ("commune_insee", "code_commune_insee"),
    ("epci", "siren_epci"),
    ("public", "public"),
    ("age_band", "tranche_age"),
    ("beneficiaries", "beneficiaires"),
    ("sessions", "accompagnements"),
    ("minutes", "minutes"),
    ("cheques_redeemed", "cheques_encaisses"),
    ("pix_pairs", "paires_pix"),
    ("pix_delta_avg", "progression_pix_moyenne"),
    ("suppressed", "secret_statistique"),
]


@get("/v1/indicators", sync_to_thread=True, responses=problems(503), tags=["observatory"])
def indicators(ledger: LedgerDep, actor: ActorDep, start: FromDate = None, end: ToDate = None) -> t.Indicators:
    """No `from`/`to`: all time. `redemption_rate` = redeemed / issued (0 when none)."""
    return ledger.indicators(actor, start, end)


CSV_PATHS = ["/v1/observatory/export", "/v1/structures/{structure_id}/statement"]


def document_csv(openapi) -> None:  # type: ignore[no-untyped-def]
    """The export and a structure's statement answer JSON, or CSV with `format=csv`: document both media types."""
    for path in CSV_PATHS:
        ok = openapi.paths[path].get.responses["200"]
        ok.content["text/csv"] = OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, description="French headers, `;`-separated, UTF-8 with a BOM")
        )


@get("/v1/observatory/export", sync_to_thread=True, responses=problems(503), tags=["observatory"])
def export(
    ledger: LedgerDep,
    actor: ActorDep,
    start: FromDate = None,
    end: ToDate = None,
    fmt: Annotated[Literal["json", "csv"], QueryParameter(name="format")] = "json",
) -> t.ExportPage:
    """Rows by quarter, commune (with its EPCI), public and age band. A row counting fewer than 5 distinct
    beneficiaries never shows its figures (`suppressed: true`, figures null). CSV headers are French."""
    page = ledger.observatory_export(actor, start, end)
    if fmt == "csv":
        return Response(  # type: ignore[return-value]
            content=export_csv(page, ledger.territory),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="observatoire.csv"'},
        )
    return page


# Words for people after the codes (the codes' columns keep their place, for the programs that read them).
CSV_WORDS = ["nom_commune", "nom_epci", "public_libelle", "tranche_age_libelle"]


def export_csv(page: t.ExportPage, territory: Territory) -> bytes:
    """The export as CSV: French headers, `;`-separated, UTF-8 with a BOM (for spreadsheets); the codes, then
    the commune's and the EPCI's names and the public and age band in words."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([french for _, french in CSV_HEADERS] + CSV_WORDS)
    for row in page.items:
        commune = territory.get(row.commune_insee)
        words = [
            commune.name if commune else "Hors référentiel",
            commune.epci_name if commune else "",
            public_words(row.public),
            AGE_BAND_LABELS.get(row.age_band, row.age_band),
        ]
        writer.writerow([cell(getattr(row, f)) for f, _ in CSV_HEADERS] + words)
    return out.getvalue().encode("utf-8-sig")


def public_words(code: str) -> str:
    """A public in words; ``none`` (a person declared in no public) too."""
    try:
        return PUBLIC_LABELS[Public(code)]
    except ValueError:
        return "Aucun public déclaré"


def cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


@get(
    "/v1/observatory/datapackage.zip",
    sync_to_thread=True,
    responses=problems(503),
    tags=["observatory"],
    media_type="application/zip",
)
def datapackage(ledger: LedgerDep, actor: ActorDep) -> Response[bytes]:
    """Observatory, admin: the open data as a Frictionless Data Package (zip: `datapackage.json`, a Table Schema
    per resource with French titles, CSV resources): sessions by quarter × commune, × EPCI and × département, with
    complementary small-cell suppression (no hidden figure follows from a total and its visible cells), and the
    data-quality findings."""
    return Response(
        content=ledger.observatory_datapackage(actor),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="observatoire-drome-datapackage.zip"'},
    )


ROUTES = [indicators, export, datapackage]
