"""Small builders shared by tests: a funded ledger with a structure, a prescriber and a beneficiary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.bootstrap import Ledger
from ledger import types as t

ADMIN = t.Actor(role="admin", key_id="test")
VALENCE = "26362"
DIE = "26113"
SIRET_FABAT = "73282932000074"  # a Luhn-valid SIRET


class WallClock:
    """A settable Unix time for sign-in lock-outs and session expiry."""

    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    funder: t.FunderOut
    commitment: t.CommitmentOut
    structure: t.StructureOut
    structure_actor: t.Actor
    prescriber: t.PrescriberOut
    prescriber_actor: t.Actor
    beneficiary: t.BeneficiaryOut


def funder(ledger: Ledger, code: str = "DEPT26", kind: str = "department") -> t.FunderOut:
    return ledger.create_funder(ADMIN, t.NewFunder(code=code, name=f"Financeur {code}", kind=kind))


def commitment(
    ledger: Ledger,
    code: str = "DEPT26",
    amount_cents: int = 100_000,
    *,
    valid_from: date = date(2026, 1, 1),
    valid_until: date = date(2027, 12, 31),
    publics: list[str] | None = None,
    territory: list[str] | None = None,
    priority: int = 100,
    reference: str = "CONV-2026-01",
) -> t.CommitmentOut:
    return ledger.sign_commitment(
        ADMIN,
        t.NewCommitment(
            funder_code=code,
            reference=reference,
            amount_cents=amount_cents,
            valid_from=valid_from,
            valid_until=valid_until,
            eligible_publics=publics or [],
            territory=territory or [],
            priority=priority,
        ),
    )


# Valid French IBANs (ISO 13616 and the French RIB key), one per account number; never a real account.
FUND_IBAN = "FR7630001007941234567890185"
FUND_BIC = "BDFEFRPPCCT"


def iban(n: int) -> str:
    from schwifty import IBAN

    return IBAN.generate("FR", bank_code="30004", branch_code="00001", account_code=f"{n:011d}").compact


def bank_account(ledger: Ledger, structure_id: str, n: int = 1, approver: t.Actor = ADMIN) -> None:
    """Gives a structure an active bank account through the real commands: the structure submits its
    details, an admin (another person) approves them."""
    actor = t.Actor(role="structure", org=structure_id)
    ledger.submit_bank_details(actor, structure_id, t.NewBankDetails(holder="Association titulaire", iban=iban(n)))
    ledger.approve_bank_details(approver, structure_id)


def fund_account(ledger: Ledger) -> t.BankAccountOut:
    body = t.FundBankAccount(holder="Fonds inter-opérateurs de la Drôme", iban=FUND_IBAN, bic=FUND_BIC)
    return ledger.set_fund_account(ADMIN, body)


def structure(ledger: Ledger, name: str = "Fab'At Valence", *, bank: bool = True) -> t.StructureOut:
    """A registered structure; ``bank``: with an approved bank account, so settlements pay it."""
    out = ledger.register_structure(
        ADMIN,
        t.NewStructure(siret=SIRET_FABAT, name=name, commune_insee=VALENCE, labels=["eclaireurs_du_numerique"]),
    )
    if bank:
        bank_account(ledger, str(out.id))
    return out


def prescriber(ledger: Ledger, name: str = "CCAS de Valence") -> t.PrescriberOut:
    return ledger.register_prescriber(ADMIN, t.NewPrescriber(name=name, kind="ccas", commune_insee=VALENCE))


def beneficiary(
    ledger: Ledger, actor: t.Actor, *, publics: list[str] | None = None, commune: str = VALENCE, **personal
) -> t.BeneficiaryOut:
    body = {
        "first_name": "Camille",
        "last_name": "Martin",
        "birth_year": 1958,
        "commune_insee": commune,
        "publics": publics if publics is not None else ["senior"],
        "phone": "06 12 34 56 78",
        "email": "camille.martin@example.org",
    }
    body.update(personal)
    return ledger.register_beneficiary(actor, t.NewBeneficiary(**body))


def world(ledger: Ledger, amount_cents: int = 100_000) -> World:
    f = funder(ledger)
    c = commitment(ledger, f.code, amount_cents)
    s = structure(ledger)
    p = prescriber(ledger)
    p_actor = t.Actor(role="prescriber", org=str(p.id))
    b = beneficiary(ledger, p_actor)
    return World(f, c, s, t.Actor(role="structure", org=str(s.id)), p, p_actor, b)


def book(ledger: Ledger, w: World, count: int = 5, face_value_cents: int = 1000) -> t.ChequeBookOut:
    return ledger.issue_book(
        w.prescriber_actor,
        t.NewChequeBook(beneficiary_id=w.beneficiary.id, count=count, face_value_cents=face_value_cents),
    )


def redemption(serial: str, code: str, on: date, kind: str = "individual", minutes: int = 60) -> t.NewRedemption:
    return t.NewRedemption(
        serial=serial,
        code=code,
        session=t.Session(date=on, kind=kind, duration_minutes=minutes, themes=["messagerie"]),
    )
