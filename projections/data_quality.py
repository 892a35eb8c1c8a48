"""Inconsistencies the observatory can act on, found in the coarse facts (pure functions over plain rows; the
reads are in ``projections/open_data_reads.py``). Each check gives a French description, a count and what to
do; counts of people under the small-cell threshold are shown as « moins de N », like every published cell.

- a public incompatible with the age band (a « Personne âgée » under 55, a « Jeune majeur de l'ASE » outside
  18-25, an « Allocataire du RSA » under 18);
- people accompanied with cheques but without a PIX pair (no entry test, or no exit test, yet): the
  roadmap's indicator is the progress between the two;
- a PIX exit test without an entry test;
- people whose commune is not in the territory reference any more (a merger of communes);
- accredited places without a postal address (left out of the national base and of the paper directory)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.values import AGE_BAND_LABELS, PUBLIC_LABELS, Public

# public -> the age bands it can have
AGE_BANDS_OF: dict[str, set[str]] = {
    Public.SENIOR: {"55_64", "65_74", "75_plus"},
    Public.ASE_YOUNG_ADULT: {"18_25"},
    Public.RSA: set(AGE_BAND_LABELS) - {"under_18"},
}


@dataclass(frozen=True)
class Finding:
    check: str  # a stable code
    description: str  # French
    count: int
    unit: str  # « personnes », « lieux »
    action: str  # French: what to do


def age_band_findings(people: Iterable[tuple[str, str]]) -> list[Finding]:
    """``people``: (publics joined by commas, age band) for every beneficiary."""
    found: Counter[tuple[str, str]] = Counter()
    for publics, band in people:
        for public in publics.split(",") if publics else []:
            allowed = AGE_BANDS_OF.get(public)
            if allowed is not None and band not in allowed:
                found[(public, band)] += 1
    return [
        Finding(
            check="public_tranche_age",
            description=(
                f"Public « {PUBLIC_LABELS[Public(public)]} » avec la tranche d'âge « {AGE_BAND_LABELS.get(band, band)} »"
            ),
            count=n,
            unit="personnes",
            action="Vérifier l'année de naissance ou le public saisis par le prescripteur.",
        )
        for (public, band), n in sorted(found.items())
    ]


def pix_findings(accompanied: set[str], entries: set[str], exits: set[str]) -> list[Finding]:
    """Who was accompanied with cheques and who took which PIX test (ids, all time)."""
    return [
        Finding(
            check="accompagnement_sans_paire_pix",
            description="Personnes accompagnées avec des chèques sans paire de tests PIX (entrée et sortie)",
            count=len(accompanied - (entries & exits)),
            unit="personnes",
            action="Proposer le test PIX d'entrée ou de sortie manquant lors de la prochaine séance.",
        ),
        Finding(
            check="pix_sortie_sans_entree",
            description="Personnes ayant passé un test PIX de sortie sans test d'entrée",
            count=len(exits - entries),
            unit="personnes",
            action="Vérifier que le test d'entrée a bien été saisi (ou le saisir à sa date).",
        ),
    ]


def reference_findings(communes: Sequence[str], known: set[str], places_without_address: int) -> list[Finding]:
    return [
        Finding(
            check="commune_hors_referentiel",
            description="Personnes dont la commune n'est plus dans le référentiel territorial (fusion de communes)",
            count=sum(1 for c in communes if c not in known),
            unit="personnes",
            action="Mettre à jour le référentiel (LEDGER_TERRITORY_CSV) avec la commune nouvelle.",
        ),
        Finding(
            check="lieu_sans_adresse",
            description="Lieux agréés sans adresse postale (absents de la base nationale et de l'annuaire papier)",
            count=places_without_address,
            unit="lieux",
            action="Compléter l'adresse et le code postal du lieu (page d'administration des structures).",
        ),
    ]
