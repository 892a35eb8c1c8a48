"""A structure's statement of a period as files, for the API and the pages alike: the whole period (every
keyset page of its lines, read 1 000 at a time), as CSV for spreadsheets (French headers, `;`-separated,
UTF-8 with a BOM, as the funder's journal and the observatory's export) and as PDF (``paper/``)."""

from __future__ import annotations

import csv
import io
from datetime import date

import msgspec

from api.bootstrap import Ledger
from ledger import types as t
from paper.structure_statement import MOVES, PAYMENT, SESSION_WORDS, render_structure_statement

HEADERS = [
    "Date",
    "Mouvement",
    "Chèque",
    "Séance du",
    "Type de séance",
    "Nombre de chèques",
    "Montant (centimes)",
    "Montant (euros)",
    "Référence du virement",
    "Compte crédité",
    "État du paiement",
]


def whole_period(
    ledger: Ledger, actor: t.Actor, structure_id: str, start: date | None, end: date | None
) -> t.PeriodStatementOut:
    first = ledger.period_statement(actor, structure_id, start, end, 1000)
    lines, cursor = list(first.redemptions), first.next_cursor
    while cursor is not None:
        more = ledger.period_statement(actor, structure_id, first.start, first.end, 1000, cursor)
        lines += more.redemptions
        cursor = more.next_cursor
    return msgspec.structs.replace(first, redemptions=lines, next_cursor=None)


def comma_euros(cents: int) -> str:
    """-1250 → « -12,50 » (a spreadsheet's French decimal)."""
    whole, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole},{rest:02d}"


def statement_csv(st: t.PeriodStatementOut) -> bytes:
    """The period's balances and every movement, one line each; amounts signed by their effect on what is due."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)

    def money(day: date, what: str, cents: int, *rest: str, count: str = "") -> None:
        writer.writerow([day.isoformat(), what, *rest[:3], count, cents, comma_euros(cents), *rest[3:]])

    money(st.start, "Reste dû au début de la période", st.opening.due_cents, "", "", "")
    money(st.start, "Payé au début de la période", st.opening.paid_cents, "", "", "")
    for x in st.redemptions:
        signed = x.amount_cents if x.kind == "redeemed" else -x.amount_cents
        kind = SESSION_WORDS.get(x.session_kind or "", x.session_kind or "")
        session = x.session_date.isoformat() if x.session_date else ""
        money(x.day, MOVES.get(x.kind, x.kind), signed, x.serial, session, kind, count="1")
    for s in st.settlements:
        state = PAYMENT.get(s.payment_status, "")
        if s.executed_on:
            state = f"payé le {s.executed_on.isoformat()} (référence de la banque : {s.bank_reference})"
        money(
            s.day,
            "Remboursement",
            -s.amount_cents,
            "",
            "",
            "",
            s.end_to_end_id or "",
            s.iban_masked or "",
            state,
            count=str(s.count),
        )
    money(st.end, "Reste dû à la fin de la période", st.closing.due_cents, "", "", "")
    money(st.end, "Payé à la fin de la période", st.closing.paid_cents, "", "", "")
    return out.getvalue().encode("utf-8-sig")


def statement_paper(ledger: Ledger, actor: t.Actor, st: t.PeriodStatementOut) -> bytes:
    structure = ledger.get_structure(actor, st.structure_id)
    return render_structure_statement(st, structure.name, structure.siret or None, ledger.today())


def file_name(st: t.PeriodStatementOut, suffix: str) -> str:
    return f"releve-structure-{st.start.isoformat()}-{st.end.isoformat()}.{suffix}"
