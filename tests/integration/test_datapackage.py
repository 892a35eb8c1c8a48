"""The observatory's open data package: three levels with complementary suppression, data-quality findings,
and ``frictionless validate`` (the Frictionless Framework's own validator) accepting the package."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from ledger import types as t
from tests import scenario as s
from tests.integration.test_observatory import OBSERVATORY, accompany

ROMANS = "26281"
FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def unpack(content: bytes, where: Path) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        z.extractall(where)
    meta = json.loads((where / "datapackage.json").read_text(encoding="utf-8"))
    return {
        r["name"]: list(csv.DictReader(io.StringIO((where / r["path"]).read_text(encoding="utf-8"))))
        for r in meta["resources"]
    }


def frictionless_validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FRICTIONLESS), "validate", str(path / "datapackage.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path,
    )


def test_the_package_hides_what_could_be_subtracted_and_frictionless_accepts_it(ledger, clock, tmp_path):
    w = s.world(ledger)
    accompany(ledger, w, clock, s.VALENCE, 6)
    accompany(ledger, w, clock, ROMANS, 7)
    accompany(ledger, w, clock, s.DIE, 2, kind="collective")
    s.beneficiary(ledger, w.prescriber_actor, publics=["senior"], birth_year=1996)  # a senior of 30: inconsistent
    tables = unpack(ledger.observatory_datapackage(OBSERVATORY), tmp_path)
    communes = {r["code_insee"]: r for r in tables["trimestre_commune"]}
    epcis = {r["siren_epci"]: r for r in tables["trimestre_epci"]}
    (dept,) = tables["trimestre_departement"]
    assert (dept["trimestre"], dept["departement"], dept["beneficiaires"], dept["seances"]) == (
        "2026-T1",
        "Drôme",
        "15",
        "15",
    )
    assert communes[ROMANS]["masque"] == "non" and communes[ROMANS]["beneficiaires"] == "7"
    assert communes[ROMANS]["commune"] == "Romans-sur-Isère" and communes[ROMANS]["epci"] == "CA Valence Romans Agglo"
    # Die (2) is small; so is its EPCI; the département is shown, so the other EPCI and one of its communes go too
    hidden = {k for k, r in communes.items() if r["masque"] == "oui"} | {
        k for k, r in epcis.items() if r["masque"] == "oui"
    }
    assert hidden == {s.DIE, "242600534", "200068781", s.VALENCE}
    assert all(
        r["beneficiaires"] == r["seances"] == r["minutes"] == ""
        for r in tables["trimestre_commune"]
        if r["masque"] == "oui"
    )
    quality = {r["controle"]: r for r in tables["qualite"]}
    assert (
        quality["public_tranche_age"]["description"] == "Public « Personne âgée » avec la tranche d'âge « 26 à 34 ans »"
    )
    assert (quality["public_tranche_age"]["nombre"], quality["public_tranche_age"]["moins_de"]) == ("", "5")
    assert quality["accompagnement_sans_paire_pix"]["nombre"] == "15"
    assert quality["lieu_sans_adresse"]["nombre"] == "1"  # the world's structure
    done = frictionless_validate(tmp_path)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout.upper()


def test_frictionless_refuses_a_package_that_breaks_its_schema(ledger, clock, tmp_path):
    """The validator is live: a figure that is not an integer makes it fail."""
    w = s.world(ledger)
    accompany(ledger, w, clock, s.VALENCE, 6)
    unpack(ledger.observatory_datapackage(OBSERVATORY), tmp_path)
    data = tmp_path / "data" / "trimestre_epci.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",6,", ",six,"), encoding="utf-8")
    done = frictionless_validate(tmp_path)
    assert done.returncode != 0
    assert "type-error" in done.stdout


def test_only_the_observatory_and_admin_get_the_package(ledger):
    import pytest

    from domain import errors

    for role in ("funder", "structure", "prescriber"):
        with pytest.raises(errors.Forbidden):
            ledger.observatory_datapackage(t.Actor(role=role, org="x"))
    assert ledger.observatory_datapackage(s.ADMIN)[:2] == b"PK"
