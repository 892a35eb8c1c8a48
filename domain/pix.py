"""PIX assessments: a beneficiary's skills measured at entry and at exit (Pix's 0..1024 scale)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import errors
from domain.values import check_fact_date

MAX_SCORE = 1024  # 16 competences × 8 levels × 8 pix


class Phase(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"


PHASE_LABELS: dict[Phase, str] = {Phase.ENTRY: "Test d'entrée", Phase.EXIT: "Test de sortie"}


class PixAssessment(Aggregate):
    @classmethod
    def record(
        cls, *, beneficiary_id: UUID, phase: str, score: int, taken_on: date, recorded_by: str, today: date
    ) -> PixAssessment:
        try:
            phase = Phase(phase).value
        except ValueError:
            raise errors.ValidationError("La phase est entry ou exit.") from None
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
            raise errors.ValidationError(f"Le score PIX est compris entre 0 et {MAX_SCORE}.")
        check_fact_date(taken_on, today, "taken_on")
        return cls(beneficiary_id=beneficiary_id, phase=phase, score=score, taken_on=taken_on, recorded_by=recorded_by)

    @event("Recorded")
    def __init__(self, beneficiary_id: UUID, phase: str, score: int, taken_on: date, recorded_by: str) -> None:
        self.beneficiary_id = beneficiary_id
        self.phase = phase
        self.score = score
        self.taken_on = taken_on
        self.recorded_by = recorded_by


def pix_pairs(assessments: list[tuple[str, str, int, str]]) -> dict[str, tuple[int, int]]:
    """{beneficiary: (entry score, exit score)}: each beneficiary's first entry with its latest exit.
    ``assessments``: (beneficiary, phase, score, taken_on ISO), ties broken by order given."""
    entries: dict[str, tuple[str, int]] = {}
    exits: dict[str, tuple[str, int]] = {}
    for beneficiary, phase, score, taken_on in assessments:
        if phase == Phase.ENTRY:
            if beneficiary not in entries or taken_on < entries[beneficiary][0]:
                entries[beneficiary] = (taken_on, score)
        elif phase == Phase.EXIT and (beneficiary not in exits or taken_on >= exits[beneficiary][0]):
            exits[beneficiary] = (taken_on, score)
    return {b: (entries[b][1], exits[b][1]) for b in entries if b in exits}


class PixCertification(Aggregate):
    """A PIX certification passed by a beneficiary (Action 7: "Nombre de certifications PIX passées"): the day
    it was taken and the certified score (Pix's 0..1024 scale)."""

    @classmethod
    def record(
        cls, *, beneficiary_id: UUID, score: int, certified_on: date, recorded_by: str, today: date
    ) -> PixCertification:
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
            raise errors.ValidationError(f"Le score PIX est compris entre 0 et {MAX_SCORE}.", field="score")
        check_fact_date(certified_on, today, "certified_on")
        return cls(beneficiary_id=beneficiary_id, score=score, certified_on=certified_on, recorded_by=recorded_by)

    @event("Recorded")
    def __init__(self, beneficiary_id: UUID, score: int, certified_on: date, recorded_by: str) -> None:
        self.beneficiary_id = beneficiary_id
        self.score = score
        self.certified_on = certified_on
        self.recorded_by = recorded_by
