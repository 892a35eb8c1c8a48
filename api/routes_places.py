"""Places in the national "schéma des lieux de médiation numérique": details, export, import, and the printable
directory (Action 3)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

import anyio
import msgspec
from litestar import Request, Response, get, post, put
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.door import UnsupportedMediaType, is_json
from api.problems import post_problems, problems
from api.strict_body import MAX_DEPTH, too_deep
from domain import errors
from ledger import types as t
from paper.directory import render_directory

# The national schema's columns, in its order (the fields a record may leave out are left empty in CSV).
EXPORT_COLUMNS = [
    "id",
    "pivot",
    "nom",
    "adresse",
    "code_postal",
    "commune",
    "code_insee",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "services",
    "dispositif_programmes_nationaux",
    "date_maj",
    "source",
]
MAX_IMPORT_BYTES = 8 * 1024 * 1024


@put("/v1/structures/{structure_id:str}/details", sync_to_thread=True, responses=problems(404), tags=["places"])
def update_details(
    structure_id: FromPath[str], data: JSONBody[t.StructureDetails], ledger: LedgerDep, actor: ActorDep
) -> t.StructureOut:
    """Admin: the structure's address, postal code, contacts, services and opening hours (OSM syntax), replacing
    the previous ones whole. Structures without a postal address are left out of the national export."""
    return ledger.update_structure_details(actor, structure_id, data)


@get("/v1/structures/export", sync_to_thread=True, responses=problems(), tags=["places"])
def export_places(
    ledger: LedgerDep,
    actor: ActorDep,
    fmt: Annotated[Literal["json", "csv"], QueryParameter(name="format")] = "json",
) -> list[t.PlaceRecord]:
    """Any role: the accredited structures with a postal address, as records of the national "schéma des lieux
    de médiation numérique" (lists joined by `|`). JSON: a list of records; CSV: the schema's columns."""
    records = ledger.national_places(actor)
    if fmt == "csv":
        return Response(  # type: ignore[return-value]
            content=places_csv(records),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="lieux-mediation-numerique-drome.csv"'},
        )
    return records


def places_csv(records: list[t.PlaceRecord]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        row = msgspec.to_builtins(record)
        writer.writerow([row.get(column, "") for column in EXPORT_COLUMNS])
    return out.getvalue().encode("utf-8")


def import_lines(body: bytes, content_type: str) -> list[tuple[int, Any]]:
    """The records of an import and their line numbers: a JSON list (line = position from 1), or CSV with the
    schema's header (line = the file's line, the header being line 1; `,` or `;` separated)."""
    media = content_type.split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.ValidationError("Le fichier doit être encodé en UTF-8.", field="body") from None
    if media == "text/csv":
        first = text.split("\n", 1)[0]
        reader = csv.DictReader(
            io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ","
        )
        if not reader.fieldnames or "pivot" not in reader.fieldnames:
            raise errors.ValidationError("En-tête CSV attendu : les colonnes du schéma (pivot, nom, …).", field="body")
        return [(reader.line_num, {k: v for k, v in row.items() if k is not None}) for row in reader]
    if not is_json(content_type):
        raise UnsupportedMediaType(detail="Envoyez une liste JSON (application/json) ou un fichier CSV (text/csv).")
    try:
        records = msgspec.json.decode(body)
    except RecursionError:
        records = None
    except msgspec.DecodeError:
        raise errors.ValidationError("Le corps n'est pas un JSON valide (UTF-8).", field="body") from None
    if records is None or too_deep(records):
        raise errors.ValidationError(f"JSON imbriqué trop profondément (au plus {MAX_DEPTH} niveaux).", field="body")
    if not isinstance(records, list):
        raise errors.ValidationError("Une liste JSON d'enregistrements est attendue.", field="body")
    return list(enumerate(records, start=1))


@post(
    "/v1/structures/import",
    status_code=200,
    responses=post_problems(),
    tags=["places"],
)
async def import_places(
    request: Request, ledger: LedgerDep, actor: ActorDep, idempotency_key: IdempotencyKey = None
) -> t.ImportOut:
    """Admin: places in the national schema (a JSON list, or CSV with `Content-Type: text/csv`), created or
    updated by `pivot` (SIRET). Each line that breaks a rule is listed in `rejected` with its reasons (French);
    the others are saved together. An unknown `dispositif_programmes_nationaux` is ignored; hours must be in
    the OSM subset the ledger prints."""
    if actor.role != "admin":
        raise errors.Forbidden("Ce rôle ne permet pas cette opération.")
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise errors.ValidationError("Fichier trop volumineux (8 Mo au plus).", field="body")
    lines = import_lines(body, request.headers.get("content-type", ""))
    idem = idempotency(request, actor, body.decode("utf-8", "replace"))
    return await anyio.to_thread.run_sync(lambda: ledger.import_places(actor, lines, idem))


@get("/v1/directory.pdf", sync_to_thread=True, responses=problems(), tags=["places"], media_type="application/pdf")
def directory_pdf(
    ledger: LedgerDep,
    actor: ActorDep,
    epci: Annotated[str | None, QueryParameter(max_length=9)] = None,
    commune: Annotated[str | None, QueryParameter(max_length=5)] = None,
) -> Response[bytes]:
    """Any role: the printable French directory (A4 PDF) of the accredited places of an EPCI (`epci`: its
    SIREN) or a commune (`commune`: its INSEE code), grouped by commune, with addresses, hours and services."""
    directory = ledger.place_directory(actor, epci=epci, commune=commune)
    return Response(
        content=render_directory(directory, ledger.today()),
        media_type="application/pdf",
        headers={"Content-Disposition": 'inline; filename="annuaire-lieux-numeriques.pdf"'},
    )


def document_import(openapi) -> None:  # type: ignore[no-untyped-def]
    """The import reads its body itself (JSON or CSV), the export answers JSON or CSV: document both."""
    ok = openapi.paths["/v1/structures/export"].get.responses["200"]
    ok.content["text/csv"] = OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.STRING, description="The schema's columns")
    )
    # Any items: a line that is not a record of the schema is answered in `rejected`, not refused whole.
    record = Schema(description="A record of the national schema (pivot, nom, adresse, code_postal, code_insee, …)")
    openapi.paths["/v1/structures/import"].post.request_body = RequestBody(
        required=True,
        content={
            "application/json": OpenAPIMediaType(schema=Schema(type=OpenAPIType.ARRAY, items=record)),
            "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, description="The schema's columns")),
        },
    )


ROUTES = [update_details, export_places, import_places, directory_pdf]
