"""A prescriber's caseload for the pages: its beneficiaries (names opened for it alone) and their cheques.

Reads caseload (``projections/directory.py``) and cheque_index (``projections/ledger_views.py``)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain import errors
from domain.beneficiaries import Beneficiary
from domain.ids import natural_id
from ledger import types as t
from ledger.personal_data import KeyErased
from ledger.service import LedgerCore


class CaseEntry(msgspec.Struct, frozen=True):
    id: UUID
    first_name: str
    last_name: str
    commune_insee: str
    registered_at: str
    cheques_issued: int
    cheques_redeemed: int


class BookEntry(msgspec.Struct, frozen=True):
    """A cheque book of a beneficiary, for choosing which one to reprint."""

    id: str
    issued_on: str
    serials: list[str]
    unused: int


class CaseloadReads(LedgerCore):
    def caseload(self, actor: t.Actor, limit: int = 500) -> list[CaseEntry]:
        """The prescriber's own beneficiaries, newest first (the admin sees everyone's)."""
        self._require(actor, "prescriber")
        self._fresh_views("directory", "ledger_views")
        mine = actor.role != "admin"
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT c.beneficiary_id, c.registered_at,"
                " (SELECT COUNT(*) FROM cheque_index i WHERE i.beneficiary_id = c.beneficiary_id),"
                " (SELECT COUNT(*) FROM cheque_index i WHERE i.beneficiary_id = c.beneficiary_id"
                "  AND i.status IN ('redeemed', 'settled'))"
                " FROM caseload c WHERE c.erased = 0"
                + (" AND c.prescriber_id = ?" if mine else "")
                + " ORDER BY c.registered_at DESC LIMIT ?",
                ((actor.org, limit) if mine else (limit,)),
            ).fetchall()
        beneficiaries = self._load_many([UUID(str(row[0])) for row in rows], Beneficiary, "Bénéficiaire")
        entries = []
        for b, (_, registered_at, issued, redeemed) in zip(beneficiaries, rows, strict=True):
            try:
                data = self.vault.open(b.id, b.sealed_personal_data)
            except KeyErased:
                continue
            entries.append(
                CaseEntry(
                    id=b.id,
                    first_name=data.first_name,
                    last_name=data.last_name,
                    commune_insee=b.commune_insee,
                    registered_at=registered_at,
                    cheques_issued=int(issued),
                    cheques_redeemed=int(redeemed),
                )
            )
        return entries

    def beneficiary_cheques(self, actor: t.Actor, beneficiary_id: str) -> list[t.ChequeOut]:
        """The beneficiary's cheques, for its prescriber (and the admin)."""
        self.get_beneficiary(actor, beneficiary_id)  # type: ignore[attr-defined]  # role, organisation, erasure
        db = self._fresh_reads("ledger_views")
        with db.read() as cur:
            serials = [
                r[0]
                for r in cur.execute(
                    "SELECT serial FROM cheque_index WHERE beneficiary_id = ? ORDER BY issued_on DESC, serial",
                    (str(beneficiary_id),),
                ).fetchall()
            ]
        out = []
        for serial in serials:
            try:
                out.append(self.get_cheque(actor, serial))  # type: ignore[attr-defined]
            except errors.NotFound:
                continue
        return out

    def beneficiary_of(self, actor: t.Actor, serial: str) -> str:
        cheque = self.get_cheque(actor, serial)  # type: ignore[attr-defined]
        return self._cheque_column(cheque.serial, "beneficiary_id")

    def _cheque_column(self, serial: str, column: str) -> str:
        db = self._fresh_reads("ledger_views")
        with db.read() as cur:
            row = cur.execute(
                f"SELECT {column} FROM cheque_index WHERE cheque_id = ?", (str(natural_id("cheque", serial)),)
            ).fetchone()
        if row is None:
            raise errors.NotFound("Chèque introuvable.")
        return str(row[0])

    def book_of(self, actor: t.Actor, serial: str) -> str:
        """The id of the book a cheque belongs to (to reprint it)."""
        cheque = self.get_cheque(actor, serial)  # type: ignore[attr-defined]
        return self._cheque_column(cheque.serial, "book_id")

    def beneficiary_books(self, actor: t.Actor, beneficiary_id: str) -> list[BookEntry]:
        """The beneficiary's books, newest first: their cheques' serials, and which are still unused."""
        self.get_beneficiary(actor, beneficiary_id)  # type: ignore[attr-defined]  # role, organisation, erasure
        self._fresh_views("ledger_views")
        with self.db.read() as cur:
            rows = cur.execute(
                "SELECT book_id, issued_on, serial, status FROM cheque_index WHERE beneficiary_id = ?"
                " ORDER BY issued_on, serial",
                (str(beneficiary_id),),
            ).fetchall()
        books: dict[str, list[tuple[str, str, str]]] = {}
        for book_id, issued_on, serial, status in rows:
            books.setdefault(str(book_id), []).append((str(issued_on), str(serial), str(status)))
        entries = [
            BookEntry(
                id=book_id,
                issued_on=cheques[0][0],
                serials=[serial for _, serial, _ in cheques],
                unused=sum(1 for *_, status in cheques if status in ("issued", "locked")),
            )
            for book_id, cheques in books.items()
        ]
        return sorted(entries, key=lambda b: b.issued_on, reverse=True)
