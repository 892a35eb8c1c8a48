"""A realistic Drôme data set: the fund's funders, conventions, structures, prescribers,
beneficiaries, books, redemptions over the year, a settlement and an expiry run.

Runs through the ledger's own commands (no shortcut), with a clock that walks through 2026 so
sessions spread over quarters. Personal data is invented.
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from eventsourcing.domain import CanCreateTimestamp
from stdnum import luhn

from api.bootstrap import Ledger
from api.demo_data import (
    COMMITMENTS,
    COMMUNES,
    DEMO_EMAILS,
    FIRST,
    FUND_ACCOUNT,
    FUNDERS,
    LAST,
    PAYMENTS,
    PLACE_DETAILS,
    PRESCRIBERS,
    PUBLICS,
    STRUCTURE_ACCOUNTS,
    STRUCTURES,
    THEMES,
)
from api.demo_lending import lending_and_pix
from domain import errors
from domain.ids import natural_id
from ledger import types as t
from ledger.clock import PARIS

ADMIN = t.Actor(role="admin", key_id="demo")


class DemoAlreadyLoaded(Exception):
    pass


@dataclass
class DemoResult:
    keys: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # label -> (key, org)
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (e-mail, password)
    counts: dict[str, int] = field(default_factory=dict)
    reconciliations: list[t.Reconciliation] = field(default_factory=list)
    sample_cheque: tuple[str, str] | None = None  # an unredeemed serial and its code, to try

    def report(self) -> str:
        lines = ["Données de démonstration chargées (Drôme).", ""]
        lines += [f"  {k}: {v}" for k, v in self.counts.items()]
        lines += ["", "Rapprochement par financeur (centimes):"]
        for r in self.reconciliations:
            lines.append(
                f"  {r.funder_code:<9} engagé {r.committed_cents:>9} = disponible {r.available_cents:>9}"
                f" + réservé {r.reserved_cents:>8} + encaissé {r.redeemed_cents:>8} + payé {r.paid_cents:>8}"
                f"  | reçu {r.received_cents:>9} | libéré {r.released_cents:>7} | équilibré: {'oui' if r.balanced else 'NON'}"
            )
        lines += ["", "API keys (one per role; shown once):"]
        for label, (key, org) in self.keys.items():
            lines.append(f"  {label:<12} {key}" + (f"   (org {org})" if org else ""))
        lines += ["", "Web accounts (sign in at http://127.0.0.1:8000/connexion; passwords shown once):"]
        for label, (email, password) in self.accounts.items():
            lines.append(f"  {label:<12} account {email}   password {password}")
        if self.sample_cheque:
            lines += [
                "",
                f"A cheque to redeem with the structure key: serial {self.sample_cheque[0]}, code {self.sample_cheque[1]}",
            ]
        return "\n".join(lines)


class WalkingClock:
    def __init__(self, today: date) -> None:
        self.today = today

    def __call__(self) -> date:
        return self.today


def siret_for(n: int) -> str:
    siren8 = f"{80000000 + n * 7919:08d}"
    base = siren8 + luhn.calc_check_digit(siren8) + "0001"
    return base + luhn.calc_check_digit(base)


@contextmanager
def events_dated_by(clock: WalkingClock) -> Iterator[None]:
    """Demo events are recorded as if on the walking clock's day (from 9:00 in Paris, a millisecond apart,
    never later than now), so the demo's history spreads over the year as real use would: the funders'
    charts and reconciliations as of a past day then show that day."""
    original = CanCreateTimestamp.__dict__["create_timestamp"]
    tick = itertools.count()

    def stamp() -> datetime:
        opening = datetime.combine(clock.today, time(9, 0), tzinfo=PARIS)
        return min(opening + timedelta(milliseconds=next(tick)), datetime.now(UTC))

    CanCreateTimestamp.create_timestamp = staticmethod(stamp)  # type: ignore[method-assign]
    try:
        yield
    finally:
        CanCreateTimestamp.create_timestamp = original  # type: ignore[method-assign]


def _receive_payments(ledger: Ledger, payments: list[tuple[str, int, date, str]], day: date) -> None:
    """The payments received by ``day`` (a payment is a fact: it is recorded once it has happened)."""
    while payments and payments[0][2] <= day:
        code, euros, on, ref = payments.pop(0)
        ledger.receive_payment(ADMIN, code, t.NewPayment(amount_cents=euros * 100, received_on=on, reference=ref))


def load_demo(ledger: Ledger, seed: int = 2026) -> DemoResult:
    if ledger._exists(natural_id("funder", "DEPT26")):
        raise DemoAlreadyLoaded("Les données de démonstration sont déjà chargées dans cette base.")
    rng = random.Random(seed)
    real_clock = ledger.clock
    end = real_clock()
    clock = WalkingClock(date(2026, 1, 5))
    ledger.clock = clock
    result = DemoResult()
    try:
        with events_dated_by(clock):
            _load(ledger, rng, clock, end, result)
    finally:
        ledger.clock = real_clock
    result.reconciliations = [ledger.reconciliation(ADMIN, code) for code, _, _ in FUNDERS]
    return result


def _load(ledger: Ledger, rng: random.Random, clock: WalkingClock, end: date, result: DemoResult) -> None:
    _fund(ledger)
    structures, prescribers = _register_places(ledger)
    year = _walk_the_year(ledger, rng, clock, end, structures, prescribers)
    lending_and_pix(ledger, rng, structures, prescribers, result)
    _accounts_and_keys(ledger, structures, prescribers, result)
    result.sample_cheque = _sample_cheque(year.open_cheques, structures[0], end)
    result.counts = {
        "financeurs": len(FUNDERS),
        "conventions": len(COMMITMENTS),
        "structures": len(structures),
        "prescripteurs": len(prescribers),
        "bénéficiaires": year.beneficiaries,
        "carnets": year.books,
    }


def _fund(ledger: Ledger) -> None:
    """The funders and their commitments."""
    for code, name, kind in FUNDERS:
        ledger.create_funder(ADMIN, t.NewFunder(code=code, name=name, kind=kind))
    for code, ref, euros, start, until, publics, territory, priority in COMMITMENTS:
        ledger.sign_commitment(
            ADMIN,
            t.NewCommitment(
                funder_code=code,
                reference=ref,
                amount_cents=euros * 100,
                valid_from=start,
                valid_until=until,
                eligible_publics=publics,
                territory=territory,
                priority=priority,
            ),
        )


def _register_places(ledger: Ledger) -> tuple[list[t.StructureOut], list[t.PrescriberOut]]:
    """The structures (where cheques are redeemed) and the prescribers (who hand out books)."""
    structures = [
        ledger.register_structure(
            ADMIN,
            t.NewStructure(
                siret=siret_for(i),
                name=name,
                commune_insee=insee,
                labels=labels,
                **PLACE_DETAILS[i % len(PLACE_DETAILS)],
            ),
        )
        for i, (name, insee, labels) in enumerate(STRUCTURES)
    ]
    prescribers = [
        ledger.register_prescriber(ADMIN, t.NewPrescriber(name=name, kind=kind, commune_insee=insee))
        for name, kind, insee in PRESCRIBERS
    ]
    _bank_accounts(ledger, structures)
    return structures, prescribers


def _bank_accounts(ledger: Ledger, structures: list[t.StructureOut]) -> None:
    """The fund's account, and each structure's: submitted by the structure, approved by the admin (four
    eyes), so that settlements pay them."""
    holder, iban, bic = FUND_ACCOUNT
    ledger.set_fund_account(ADMIN, t.FundBankAccount(holder=holder, iban=iban, bic=bic))
    for structure, (holder, iban, maybe_bic) in zip(structures, STRUCTURE_ACCOUNTS, strict=True):
        actor = t.Actor(role="structure", org=str(structure.id), key_id=f"demo-structure-{structure.id}")
        ledger.submit_bank_details(actor, str(structure.id), t.NewBankDetails(holder=holder, iban=iban, bic=maybe_bic))
        ledger.approve_bank_details(ADMIN, str(structure.id))


OpenCheque = tuple[t.IssuedCheque, t.StructureOut, date]  # a cheque not yet redeemed, its structure, its issue day


@dataclass
class Year:
    """What the walk through the year carries from one fortnight to the next."""

    payments: list[tuple[str, int, date, str]]  # not yet received, by day
    open_cheques: list[OpenCheque] = field(default_factory=list)
    beneficiaries: int = 0
    books: int = 0


def _walk_the_year(
    ledger: Ledger,
    rng: random.Random,
    clock: WalkingClock,
    end: date,
    structures: list[t.StructureOut],
    prescribers: list[t.PrescriberOut],
) -> Year:
    """Each fortnight of the year: new beneficiaries get books, earlier cheques are redeemed."""
    year = Year(payments=sorted(PAYMENTS, key=lambda p: p[2]))
    day = date(2026, 1, 5)
    while day <= end:
        clock.today = day
        _fortnight(ledger, rng, day, year, structures, prescribers)
        day += timedelta(days=14)
    clock.today = end
    _receive_payments(ledger, year.payments, end)
    return year


def _fortnight(
    ledger: Ledger,
    rng: random.Random,
    day: date,
    year: Year,
    structures: list[t.StructureOut],
    prescribers: list[t.PrescriberOut],
) -> None:
    _receive_payments(ledger, year.payments, day)
    for _ in range(rng.randint(1, 3)):
        _new_beneficiary(ledger, rng, day, year, structures, prescribers)
    year.open_cheques = _redeem_some(ledger, rng, day, year.open_cheques)
    if day.month == 7 and day.day <= 14:
        ledger.expire(ADMIN, t.NewExpiry(as_of=date(2026, 7, 1)))
    if day.month == 10 and day.day <= 14:
        ledger.settle(ADMIN, t.NewSettlement(through=date(2026, 9, 30)))


def _new_beneficiary(
    ledger: Ledger,
    rng: random.Random,
    day: date,
    year: Year,
    structures: list[t.StructureOut],
    prescribers: list[t.PrescriberOut],
) -> None:
    """A beneficiary registered by a prescriber and given a book, if the funds allow, to use near home."""
    p = rng.choice(prescribers)
    actor = t.Actor(role="prescriber", org=str(p.id))
    b = ledger.register_beneficiary(
        actor,
        t.NewBeneficiary(
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            birth_year=rng.randint(1940, 2006),
            commune_insee=rng.choice(COMMUNES),
            publics=rng.choice(PUBLICS),
            phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        ),
    )
    year.beneficiaries += 1
    try:
        book = ledger.issue_book(actor, t.NewChequeBook(beneficiary_id=b.id, count=rng.choice([5, 10])))
    except errors.InsufficientEligibleFunds:
        return
    year.books += 1
    near = [s for s in structures if s.commune_insee == b.commune_insee] or structures
    year.open_cheques += [(c, rng.choice(near), day) for c in book.cheques]


def _redeem_some(ledger: Ledger, rng: random.Random, day: date, open_cheques: list[OpenCheque]) -> list[OpenCheque]:
    """About a third of the open cheques, taken in random order, redeemed in the week to ``day``: the others
    are returned, still open."""
    rng.shuffle(open_cheques)
    keep = []
    for cheque, structure, issued_on in open_cheques:
        if rng.random() < 0.35:
            _redeem(ledger, rng, day, cheque, structure, issued_on)
        else:
            keep.append((cheque, structure, issued_on))
    return keep


def _redeem(
    ledger: Ledger, rng: random.Random, day: date, cheque: t.IssuedCheque, structure: t.StructureOut, issued_on: date
) -> None:
    """A session at ``structure`` in the week to ``day`` (not before the cheque was issued); a refusal (the
    cheque expired meanwhile) is part of the story."""
    session_day = day - timedelta(days=rng.randint(0, 6))
    try:
        ledger.redeem(
            t.Actor(role="structure", org=str(structure.id)),
            t.NewRedemption(
                serial=cheque.serial,
                code=cheque.code,
                session=t.Session(
                    date=max(session_day, issued_on),
                    kind=rng.choice(["individual", "individual", "collective", "administrative_procedure"]),
                    duration_minutes=rng.choice([30, 45, 60, 90, 120]),
                    themes=rng.sample(THEMES, rng.randint(1, 3)),
                ),
            ),
        )
    except errors.DomainError:
        pass


def _accounts_and_keys(
    ledger: Ledger, structures: list[t.StructureOut], prescribers: list[t.PrescriberOut], result: DemoResult
) -> None:
    """One API key and one web account per role, the secrets kept in ``result`` to be shown once."""
    for label, role, org in [
        ("admin", "admin", None),
        ("prescriber", "prescriber", str(prescribers[0].id)),
        ("structure", "structure", str(structures[0].id)),
        ("funder", "funder", "DEPT26"),
        ("observatory", "observatory", None),
    ]:
        key = ledger.create_api_key(ADMIN, t.NewApiKey(role=role, org=org))
        result.keys[label] = (key.key or "", org)
        email, password = DEMO_EMAILS[label], secrets.token_urlsafe(12)
        ledger.create_user(ADMIN, t.NewUser(email=email, password=password, role=role, org=org))
        result.accounts[label] = (email, password)


def _sample_cheque(open_cheques: list[OpenCheque], structure: t.StructureOut, end: date) -> tuple[str, str] | None:
    """An open cheque of ``structure`` still valid on ``end`` (serial, code), for trying a redemption."""
    for cheque, held_by, _ in open_cheques:
        if held_by.id == structure.id and cheque.valid_until >= end:
            return (cheque.serial, cheque.code)
    return None
