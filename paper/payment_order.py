"""A settlement's SEPA credit transfer order for the fund's bank: ISO 20022 ``pain.001.001.09``.

Written with ``sepaxml`` (batch mode: one payment information block, one transfer per paid line), then given
identifiers that lead back to the settlement (``MsgId`` and ``PmtInfId`` from its id, each ``EndToEndId``
from its line) and validated against the XSD that ``sepaxml`` ships: a file that does not validate is never
handed out. Amounts go in as integer cents (sepaxml writes them as decimal text without floats)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import sepaxml
import xmlschema
from sepaxml import SepaTransfer

from ledger.payment_commands import PaymentOrder
from paper.text import french_date

SCHEMA = "pain.001.001.09"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
XSD = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"


@cache
def schema() -> xmlschema.XMLSchema:
    """The XSD sepaxml ships, parsed once per process (parsing it takes longer than writing an order)."""
    return xmlschema.XMLSchema(str(XSD))


def sepa_text(text: str, fallback: str, size: int = 70) -> str:
    """A name in the SEPA character set (EPC: Latin letters, digits, ``/ - ? : ( ) . , ' +`` and space),
    transliterated, at most ``size`` characters; ``fallback`` when nothing printable is left (the schema
    refuses an empty name)."""
    from text_unidecode import unidecode

    kept = "".join(c if c.isascii() and (c.isalnum() or c in "/-?:().,'+ ") else " " for c in unidecode(text))
    return " ".join(kept.split())[:size].strip() or fallback


def remittance(order: PaymentOrder, count: int) -> str:
    """The unstructured remittance information (at most 140 characters): what the transfer pays."""
    return (
        f"Cheque numerique Drome - remboursement {order.settlement_id.hex[:8].upper()}"
        f" - cheques encaisses jusqu'au {french_date(order.through)} - {count} cheque(s)"
    )[:140]


def render_payment_order(order: PaymentOrder) -> bytes:
    config = {
        "name": sepa_text(order.debtor_holder, "Fonds cheque numerique"),
        "IBAN": order.debtor_iban,
        "currency": "EUR",
        "batch": True,
    }
    if order.debtor_bic:
        config["BIC"] = order.debtor_bic
    sepa = SepaTransfer(config, schema=SCHEMA, clean=True)
    for payee in order.payees:
        payment = {
            "name": sepa_text(payee.holder, "Structure de mediation numerique"),
            "IBAN": payee.iban,
            "amount": payee.amount_cents,
            "execution_date": order.made_on,
            "description": remittance(order, payee.count),
            "endtoend_id": payee.end_to_end_id,
        }
        if payee.bic:
            payment["BIC"] = payee.bic
        sepa.add_payment(payment)
    document = ET.fromstring(sepa.export(validate=False))
    ns = {"p": NAMESPACE}
    # Identifiers that lead back to the settlement (sepaxml draws random ones): at most 35 characters.
    _set(document, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns, f"CL{order.settlement_id.hex.upper()}")
    _set(document, "p:CstmrCdtTrfInitn/p:PmtInf/p:PmtInfId", ns, f"CLP{order.settlement_id.hex.upper()}")
    ET.register_namespace("", NAMESPACE)
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="utf-8")
    schema().validate(xml.decode())  # raises on an invalid file: never handed out
    return xml


def _set(document: ET.Element, path: str, ns: dict[str, str], text: str) -> None:
    node = document.find(path, ns)
    assert node is not None, path
    node.text = text
