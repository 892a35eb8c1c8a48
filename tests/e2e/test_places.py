"""Places in the national "schéma des lieux de médiation numérique" over HTTP: details, the export read by
ANCT's own library (``@gouvfr-anct/lieux-de-mediation-numerique``, under node), the import by SIRET, and the
paper directory (also the last pages of every cheque book)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from pypdf import PdfReader

from tests.e2e.conftest import bearer

ROOT = Path(__file__).resolve().parents[2]
READER = ROOT / "tests" / "node" / "read_lieux.cjs"
VALENCE_ROMANS = "200068781"
SIRET_CRIJ = "35600000000048"  # La Poste's SIREN: valid by its own checksum
SIRET_NEW = "44306184100047"

PLACE = {
    "address": "12 avenue Victor Hugo",
    "postal_code": "26000",
    "phone": "04 75 12 34 56",
    "email": "contact@fabat.example.org",
    "website": "https://fabat.example.org/ateliers",
    "services": ["everyday_tools", "administrative_procedures"],
    "opening_hours": "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off",
}


def read_with_anct_library(records: list[dict]) -> list[dict]:
    """ANCT's library reads the records as the national map does; any error fails the test (no skip)."""
    done = subprocess.run(
        ["node", str(READER)], input=json.dumps(records), capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def new_structure(client, keys, siret: str, name: str, commune: str, **place) -> dict:
    body = {"siret": siret, "name": name, "commune_insee": commune, "labels": ["france_services", "pix_center"]}
    answer = client.post("/v1/structures", json=body | place, headers=bearer(keys.admin))
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_export_is_read_by_the_anct_library_and_leaves_out_places_without_address(client, ledger_world):
    _, w, keys = ledger_world
    placed = new_structure(client, keys, SIRET_CRIJ, "Espace numérique de Romans", "26281", **PLACE)
    assert placed["phone"] == "+33475123456"
    assert placed["opening_hours"] == "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off"
    answer = client.get("/v1/structures/export", headers=bearer(keys.structure))
    assert answer.status_code == 200
    records = answer.json()
    assert [r["pivot"] for r in records] == [SIRET_CRIJ]  # the world's structures have no address
    record = records[0]
    assert record == {
        "id": placed["id"],
        "pivot": SIRET_CRIJ,
        "nom": "Espace numérique de Romans",
        "adresse": "12 avenue Victor Hugo",
        "code_postal": "26000",
        "commune": "Romans-sur-Isère",
        "code_insee": "26281",
        "date_maj": record["date_maj"],
        "source": "Département de la Drôme – chèque numérique",
        "services": "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
        "dispositif_programmes_nationaux": "France Services|Certification PIX",
        "telephone": "+33475123456",
        "courriels": "contact@fabat.example.org",
        "site_web": "https://fabat.example.org/ateliers",
        "horaires": "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off",
    }
    read = read_with_anct_library(records)
    assert read[0]["adresse"]["code_insee"] == "26281"
    assert read[0]["services"] == record["services"].split("|")
    assert read[0]["dispositif_programmes_nationaux"] == ["France Services", "Certification PIX"]
    # the CSV has the same records (empty cells are absent values)
    csv_answer = client.get("/v1/structures/export?format=csv", headers=bearer(keys.funder))
    assert csv_answer.headers["content-type"].startswith("text/csv")
    rows = [{k: v for k, v in row.items() if v} for row in csv.DictReader(io.StringIO(csv_answer.text))]
    assert rows == records
    # the world's structure gains an address: exported; suspended: left out
    admin = bearer(keys.admin)
    details = client.put(f"/v1/structures/{w.structure.id}/details", json=PLACE | {"services": []}, headers=admin)
    assert details.status_code == 200, details.text
    assert (
        client.put(f"/v1/structures/{w.structure.id}/details", json=PLACE, headers=bearer(keys.structure)).status_code
        == 403
    )
    assert len(read_with_anct_library(client.get("/v1/structures/export", headers=admin).json())) == 2
    client.post(f"/v1/structures/{w.structure.id}/suspension", json={"reason": "contrôle"}, headers=admin)
    assert len(client.get("/v1/structures/export", headers=admin).json()) == 1


def test_faulty_details_are_refused_field_by_field_in_french(client, ledger_world):
    _, _, keys = ledger_world
    body = {
        "siret": SIRET_NEW,
        "name": "Lieu",
        "commune_insee": "26362",
        "address": "1 rue <x>",
        "postal_code": "26000",
        "phone": "12",
        "services": ["chess"],
        "opening_hours": "Mo-Fr 9h-12h",
    }
    answer = client.post("/v1/structures", json=body, headers=bearer(keys.admin))
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"services"}  # the door: the type's vocabulary
    body = {k: v for k, v in body.items() if k not in ("services",)}
    answer = client.post("/v1/structures", json=body, headers=bearer(keys.admin))
    assert answer.status_code == 400  # the domain: every faulty field at once
    assert {e["field"] for e in answer.json()["errors"]} == {"address", "phone", "opening_hours"}
    assert all(e["message"] for e in answer.json()["errors"])
    assert "<x>" not in answer.text


def test_import_by_siret_creates_updates_and_rejects_with_reasons(client, ledger_world):
    _, w, keys = ledger_world
    admin = bearer(keys.admin)
    ours = client.post(
        "/v1/structures",
        json={
            "siret": SIRET_CRIJ,
            "name": "Fab'At",
            "commune_insee": "26362",
            "labels": ["eclaireurs_du_numerique", "france_services"],
        },
        headers=admin,
    ).json()
    records = [
        {
            "id": "national-1",
            "pivot": SIRET_CRIJ,
            "nom": "Fab'At Valence (centre-ville)",
            "adresse": "3 place de la Liberté",
            "code_postal": "26000",
            "commune": "Valence",
            "code_insee": "26362",
            "date_maj": "2025-06-01",
            "services": "Aide aux démarches administratives",
            "dispositif_programmes_nationaux": "Conseillers numériques|Promeneurs du net",
            "horaires": "Tu-Sa 10:00-18:00",
            "telephone": "0475000000",
            "courriels": "accueil@fabat.example.org|cn@fabat.example.org",
        },
        {
            "id": "national-2",
            "pivot": SIRET_NEW,
            "nom": "Médiathèque de Die",
            "adresse": "Rue Camille Buffardel",
            "code_postal": "26150",
            "commune": "Die",
            "code_insee": "26113",
            "date_maj": "2025-06-01",
            "services": "Accès internet et matériel informatique|Loisirs et créations numériques",
        },
        {
            "id": "bad-1",
            "pivot": "12345678901234",
            "nom": "",
            "code_insee": "75056",
            "adresse": "x",
            "code_postal": "7500",
        },
        {
            "id": "bad-2",
            "pivot": "38012986643097",
            "nom": "Lieu",
            "code_insee": "26362",
            "adresse": "1 rue A",
            "code_postal": "26000",
            "services": "Jardinage",
            "horaires": "Jan-Jun Mo 10:00-12:00",
        },
        "not an object",
        {"id": "ambiguous", "pivot": w.structure.siret, "nom": "Lieu", "code_insee": "26362"},  # two structures have it
    ]
    answer = client.post("/v1/structures/import", json=records, headers=admin)
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert (out["created"], out["updated"], out["unchanged"]) == (1, 1, 0), out
    rejected = {r["line"]: r["errors"] for r in out["rejected"]}
    assert set(rejected) == {3, 4, 5, 6}
    assert rejected[6] == ["pivot : plusieurs structures portent ce SIRET ; corrigez-les avant d'importer."]
    assert any("pivot" in e for e in rejected[3]) and any("nom" in e for e in rejected[3])
    assert any("code_insee" in e for e in rejected[3]) and any("postal" in e for e in rejected[3])
    assert any("services" in e for e in rejected[4]) and any(e.startswith("horaires : ") for e in rejected[4])
    structure = client.get(f"/v1/structures/{ours['id']}", headers=admin).json()
    assert structure["name"] == "Fab'At Valence (centre-ville)"
    assert structure["labels"] == ["conseiller_numerique", "eclaireurs_du_numerique"]  # ours kept, unknown dropped
    assert structure["email"] == "accueil@fabat.example.org" and structure["phone"] == "+33475000000"
    exported = {r["pivot"]: r for r in client.get("/v1/structures/export", headers=admin).json()}
    assert set(exported) == {SIRET_CRIJ, SIRET_NEW}
    read_with_anct_library(list(exported.values()))
    # the same again: nothing changes; as CSV (the export itself) too
    again = client.post("/v1/structures/import", json=records[:2], headers=admin).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    csv_body = client.get("/v1/structures/export?format=csv", headers=admin).content
    answer = client.post("/v1/structures/import", content=csv_body, headers=admin | {"Content-Type": "text/csv"})
    assert answer.json() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": []}
    bad_csv = b"pivot,nom,code_insee\n12,X,26362\n"
    answer = client.post("/v1/structures/import", content=bad_csv, headers=admin | {"Content-Type": "text/csv"})
    assert answer.json()["rejected"][0]["line"] == 2
    assert (
        client.post("/v1/structures/import", content=b"x", headers=admin | {"Content-Type": "text/plain"}).status_code
        == 415
    )
    assert client.post("/v1/structures/import", json={"a": 1}, headers=admin).status_code == 400
    assert client.post("/v1/structures/import", json=records, headers=bearer(keys.structure)).status_code == 403


def test_directory_pdf_lists_the_places_of_an_epci_in_french(client, ledger_world):
    _, _, keys = ledger_world
    new_structure(client, keys, SIRET_CRIJ, "Espace numérique de Romans", "26281", **PLACE)
    new_structure(client, keys, SIRET_NEW, "Point numérique de Die", "26113", **(PLACE | {"postal_code": "26150"}))
    answer = client.get(f"/v1/directory.pdf?epci={VALENCE_ROMANS}", headers=bearer(keys.prescriber))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content)
    assert "CA Valence Romans Agglo" in text and "Romans-sur-Isère" in text
    assert "Espace numérique de Romans" in text and "Point numérique de Die" not in text
    assert "Du lundi au vendredi : de 9 h à 12 h et de 14 h à 17 h 30" in text
    assert "04 75 12 34 56" in text and "Aide aux démarches administratives" in text
    by_commune = pdf_text(client.get("/v1/directory.pdf?commune=26113", headers=bearer(keys.funder)).content)
    assert "Point numérique de Die" in by_commune and "Espace numérique de Romans" not in by_commune
    for query in ("", "?epci=123456789", "?commune=75056", f"?epci={VALENCE_ROMANS}&commune=26113"):
        refused = client.get(f"/v1/directory.pdf{query}", headers=bearer(keys.admin))
        assert refused.status_code == 400, query
        assert refused.headers["content-type"].startswith("application/problem+json")


def test_every_cheque_book_ends_with_the_places_of_the_beneficiary_epci(client, ledger_world):
    _, w, keys = ledger_world
    new_structure(client, keys, SIRET_CRIJ, "Espace numérique de Romans", "26281", **PLACE)
    new_structure(client, keys, SIRET_NEW, "Point numérique de Die", "26113", **(PLACE | {"postal_code": "26150"}))
    answer = client.post(
        "/v1/cheque-books",
        json={"beneficiary_id": str(w.beneficiary.id), "count": 2},
        headers=bearer(keys.prescriber) | {"Accept": "application/pdf"},
    )
    assert answer.status_code == 201
    pages = PdfReader(io.BytesIO(answer.content)).pages
    last = pages[-1].extract_text()
    assert "Où utiliser vos chèques près de chez vous" in pdf_text(answer.content)
    assert "Espace numérique de Romans" in last and "Point numérique de Die" not in last  # Valence is in that EPCI


def test_an_import_too_deep_or_not_json_is_refused_in_french(client, ledger_world):
    _, _, keys = ledger_world
    admin = bearer(keys.admin) | {"Content-Type": "application/json"}
    deep = client.post("/v1/structures/import", content=b"[" * 5000 + b"]" * 5000, headers=admin)
    assert deep.status_code == 400 and "profondément" in deep.json()["detail"]
    broken = client.post("/v1/structures/import", content=b"[{", headers=admin)
    assert broken.status_code == 400 and "JSON valide" in broken.json()["detail"]
    control = client.post(
        "/v1/structures/import",
        json=[{"pivot": "73282932000074", "nom": "Lieu\u0007", "code_insee": "26362"}],
        headers=bearer(keys.admin),
    )
    assert control.json()["rejected"][0]["errors"] == ["nom : texte attendu, sans caractère de contrôle."]
