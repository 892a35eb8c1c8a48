"""The payment order and notice on paper, without a database: the XML against the official pain.001.001.09
XSD (as sepaxml ships it) for any amounts and names, the notice in French with any structure name."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from uuid import UUID

import sepaxml
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from ledger.payment_commands import NoticeCheque, Payee, PaymentNotice, PaymentOrder
from paper.payment_notice import render_payment_notice
from paper.payment_order import render_payment_order
from tests.scenario import FUND_IBAN, iban

SCHEMA = xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.09.xsd"))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=200)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**10), NAMES), min_size=1, max_size=12), st.uuids())
def test_orders_validate_and_sum_exactly(lines, settlement_id):
    payees = [
        Payee(
            structure_id=str(n),
            holder=name,
            iban=iban(n + 1),
            bic="BNPAFRPPXXX" if n % 2 else None,
            end_to_end_id=f"S{settlement_id.hex[:20].upper()}L{n + 1:04d}",
            count=1,
            amount_cents=cents,
        )
        for n, (cents, name) in enumerate(lines)
    ]
    total = sum(p.amount_cents for p in payees)
    order = PaymentOrder(
        settlement_id=settlement_id,
        through=date(2026, 3, 1),
        made_on=date(2026, 3, 2),
        total_cents=total,
        debtor_holder="Département de la Drôme – Fonds",
        debtor_iban=FUND_IBAN,
        debtor_bic="BDFEFRPPCCT",
        payees=payees,
    )
    xml = render_payment_order(order)
    SCHEMA.validate(xml.decode())
    doc = ET.fromstring(xml)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == str(len(payees))
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == f"{total // 100}.{total % 100:02d}"
    amounts = [x.text for x in doc.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    assert amounts == [f"{p.amount_cents // 100}.{p.amount_cents % 100:02d}" for p in payees], "exact to the cent"
    ids = [x.text for x in doc.iterfind(".//p:CdtTrfTxInf/p:PmtId/p:EndToEndId", NS)]
    assert ids == [p.end_to_end_id for p in payees]


def test_a_notice_prints_any_structure_name_in_french():
    notice = PaymentNotice(
        settlement_id=UUID(int=7),
        through=date(2026, 9, 30),
        made_on=date(2026, 10, 12),
        structure_id="s",
        structure_name="Fab'At – Éclaireurs du numérique œuvrant ✓",
        holder="Association “Fab'At”",
        iban_masked="FR76 **** **** **** **** *** 0136",
        end_to_end_id="S0000L0001",
        payment_status="executed",
        executed_on=date(2026, 10, 15),
        bank_reference="BQ-1",
        cheques=[
            NoticeCheque("ABCD-EFGH-J", date(2026, 9, 1), 1000),
            NoticeCheque("ABCD-EFGH-K", date(2026, 9, 2), 1000),
        ],
        total_cents=2000,
    )
    text = PdfReader(io.BytesIO(render_payment_notice(notice))).pages[0].extract_text()
    assert "Avis de paiement" in text and "Fab'At - Éclaireurs" in text and "payé le 15/10/2026" in text
    assert "ABCD-EFGH-J" in text and "01/09/2026" in text and "20,00 euros" in text and "*** 0136" in text
