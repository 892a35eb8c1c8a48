"""The observatory's open data as a Frictionless Data Package (``datapackage.json`` with a Table Schema per
resource, CSV resources), built from plain cells by pure functions: sessions by quarter and commune, by
quarter and EPCI, by quarter for the département, with complementary small-cell suppression
(``domain/suppression.py``), and the data-quality findings (``projections/data_quality.py``).

Written with the standard library (json, csv, zipfile): the descriptor is a few dictionaries, and the
``frictionless`` package, which validates it in the tests, is a heavy dependency the server does not need."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.suppression import suppress
from ledger.territory import Territory
from projections.data_quality import Finding

DEPARTEMENT = ("26", "Drôme")
OUTSIDE = ("000000000", "Hors référentiel territorial")
LICENSE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}


@dataclass(frozen=True)
class Cell:
    """What happened in one commune in one quarter: distinct people accompanied, sessions, minutes."""

    quarter: str  # 2026-Q1
    commune: str  # INSEE code
    beneficiaries: int
    sessions: int
    minutes: int


def french_quarter(quarter: str) -> str:
    """2026-Q1 -> 2026-T1 (trimestre)."""
    return quarter.replace("-Q", "-T")


def _field(name: str, title: str, description: str, kind: str = "string", **extra: Any) -> dict[str, Any]:
    return {"name": name, "title": title, "description": description, "type": kind, **extra}


QUARTER = _field(
    "trimestre",
    "Trimestre",
    "Trimestre civil des séances (AAAA-Tn)",
    constraints={"required": True, "pattern": r"\d{4}-T[1-4]"},
)
FIGURES = [
    _field(
        "beneficiaires",
        "Bénéficiaires",
        "Personnes distinctes accompagnées dans le trimestre (vide si masqué)",
        "integer",
        constraints={"minimum": 0},
    ),
    _field(
        "seances",
        "Séances",
        "Séances payées par un chèque numérique (vide si masqué)",
        "integer",
        constraints={"minimum": 0},
    ),
    _field(
        "minutes",
        "Minutes",
        "Durée totale des séances, en minutes (vide si masqué)",
        "integer",
        constraints={"minimum": 0},
    ),
    _field(
        "masque",
        "Secret statistique",
        "oui : figures masquées (moins de N personnes, ou masquées pour qu'aucune ne se déduise des totaux)",
        "boolean",
        trueValues=["oui"],
        falseValues=["non"],
        constraints={"required": True},
    ),
]
COMMUNE = [
    _field(
        "code_insee",
        "Code INSEE de la commune",
        "Code officiel géographique de la commune du bénéficiaire",
        constraints={"required": True, "pattern": r"[0-9][0-9AB][0-9]{3}"},
    ),
    _field("commune", "Commune", "Nom de la commune"),
]
EPCI = [
    _field(
        "siren_epci",
        "SIREN de l'EPCI",
        "Intercommunalité de la commune du bénéficiaire",
        constraints={"required": True, "pattern": r"[0-9]{9}"},
    ),
    _field("epci", "EPCI", "Nom de l'intercommunalité"),
]
DEPT = [
    _field("code_departement", "Code du département", "Code officiel géographique", constraints={"required": True}),
    _field("departement", "Département", "Nom du département"),
]
QUALITY = [
    _field("controle", "Contrôle", "Code stable du contrôle", constraints={"required": True}),
    _field("description", "Description", "L'incohérence trouvée"),
    _field("nombre", "Nombre", "Combien (vide si moins de N personnes)", "integer", constraints={"minimum": 0}),
    _field("unite", "Unité", "personnes ou lieux"),
    _field("moins_de", "Moins de", "Rempli quand le nombre est masqué : le seuil N", "integer"),
    _field("action", "Action", "Ce que l'observatoire ou les partenaires peuvent faire"),
]


def _resource(name: str, title: str, description: str, fields: list[dict[str, Any]], key: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"data/{name}.csv",
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        "schema": {"fields": fields, "primaryKey": key, "missingValues": [""]},
    }


def _shown(hidden: set[tuple[str, str]], figures: dict[tuple[str, str], list[int]], key: tuple[str, str]) -> list[Any]:
    """A cell's figures and its « masque » flag: empty figures when hidden."""
    return ["", "", "", "oui"] if key in hidden else [*figures[key], "non"]


def tables(cells: Sequence[Cell], territory: Territory, threshold: int) -> dict[str, list[list[Any]]]:
    """The three levels' rows, figures of hidden cells emptied. Per quarter, the commune cells sum to their
    EPCI's, the EPCIs' to the département's: ``suppress`` hides what could otherwise be subtracted."""
    out: dict[str, list[list[Any]]] = {"trimestre_commune": [], "trimestre_epci": [], "trimestre_departement": []}
    by_quarter: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_quarter[cell.quarter].append(cell)
    for quarter in sorted(by_quarter):
        figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        epci_of: dict[str, tuple[str, str]] = {}
        children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for cell in by_quarter[quarter]:
            commune = territory.get(cell.commune)
            epci = (commune.epci_siren, commune.epci_name) if commune else OUTSIDE
            epci_of[cell.commune] = epci
            for key in (("commune", cell.commune), ("epci", epci[0]), ("departement", DEPARTEMENT[0])):
                row = figures[key]
                row[0] += cell.beneficiaries
                row[1] += cell.sessions
                row[2] += cell.minutes
            children[("epci", epci[0])].append(("commune", cell.commune))
        epcis = sorted({("epci", siren) for siren, _ in epci_of.values()})
        groups = [(("departement", DEPARTEMENT[0]), epcis), *((e, sorted(set(c))) for e, c in sorted(children.items()))]
        hidden = suppress({k: v[0] for k, v in figures.items()}, groups, threshold)

        q = french_quarter(quarter)
        for insee in sorted(epci_of):
            commune = territory.get(insee)
            siren, epci_name = epci_of[insee]
            out["trimestre_commune"].append(
                [
                    q,
                    insee,
                    commune.name if commune else "",
                    siren,
                    epci_name,
                    *_shown(hidden, figures, ("commune", insee)),
                ]
            )
        epci_names = dict(epci_of.values())
        for _, siren in epcis:
            out["trimestre_epci"].append([q, siren, epci_names[siren], *_shown(hidden, figures, ("epci", siren))])
        out["trimestre_departement"].append(
            [q, *DEPARTEMENT, *_shown(hidden, figures, ("departement", DEPARTEMENT[0]))]
        )
    return out


def quality_rows(findings: Sequence[Finding], threshold: int) -> list[list[Any]]:
    rows = []
    for f in findings:
        small = f.unit == "personnes" and 0 < f.count < threshold
        rows.append([f.check, f.description, "" if small else f.count, f.unit, threshold if small else "", f.action])
    return rows


def descriptor(threshold: int, created: str) -> dict[str, Any]:
    note = f"N = {threshold}"
    return {
        "profile": "tabular-data-package",
        "name": "observatoire-inclusion-numerique-drome",
        "title": "Observatoire de l'inclusion numérique de la Drôme – chèque numérique",
        "description": (
            "Accompagnements payés par le chèque numérique Drômois, par trimestre et par commune, intercommunalité "
            f"(EPCI) et département, et contrôles de qualité des données. Secret statistique ({note}) : une case "
            "comptant moins de N personnes est masquée, et d'autres cases le sont aussi pour qu'aucune case masquée "
            "ne se déduise d'un total et des cases visibles."
        ),
        "created": created,
        "licenses": [LICENSE],
        "keywords": ["inclusion numérique", "médiation numérique", "Drôme", "observatoire"],
        "resources": [
            _resource(
                "trimestre_commune",
                "Séances par trimestre et commune",
                "Une ligne par trimestre et commune de résidence des bénéficiaires.",
                [QUARTER, *COMMUNE, *EPCI, *FIGURES],
                ["trimestre", "code_insee"],
            ),
            _resource(
                "trimestre_epci",
                "Séances par trimestre et EPCI",
                "Une ligne par trimestre et intercommunalité : la somme de ses communes.",
                [QUARTER, *EPCI, *FIGURES],
                ["trimestre", "siren_epci"],
            ),
            _resource(
                "trimestre_departement",
                "Séances par trimestre pour le département",
                "Une ligne par trimestre : la somme des intercommunalités.",
                [QUARTER, *DEPT, *FIGURES],
                ["trimestre"],
            ),
            _resource(
                "qualite",
                "Qualité des données",
                f"Incohérences trouvées dans les données, à corriger ({note} pour les personnes).",
                QUALITY,
                ["controle", "description"],
            ),
        ],
    }


def _csv(fields: list[dict[str, Any]], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def package_zip(
    cells: Sequence[Cell], findings: Sequence[Finding], territory: Territory, threshold: int, created: str
) -> bytes:
    """The zip: ``datapackage.json`` and ``data/<resource>.csv``."""
    meta = descriptor(threshold, created)
    rows = tables(cells, territory, threshold) | {"qualite": quality_rows(findings, threshold)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", json.dumps(meta, ensure_ascii=False, indent=2))
        for resource in meta["resources"]:
            z.writestr(resource["path"], _csv(resource["schema"]["fields"], rows[resource["name"]]))
    return out.getvalue()
