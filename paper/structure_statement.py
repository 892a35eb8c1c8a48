"""A structure's statement of a period on paper (French, A4): on every page a header with the structure's name,
its SIRET, the period and the day it was printed, and « page X / Y » at the foot; then the balances at the
start and the end of the period, the period's figures, its redemptions and reversals, its settlements. Every
text is reduced to Latin-1 and measured (``paper.text.fit``): nothing runs out of its cell."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fpdf import FPDF

from domain.values import SESSION_KIND_LABELS, french_day
from ledger.types import PeriodStatementOut
from paper.text import euros, fit, french_date, wrap

SESSION_WORDS = {kind.value: words for kind, words in SESSION_KIND_LABELS.items()}
MOVES = {"redeemed": "Encaissement", "reversed": "Encaissement annulé"}
PAYMENT = {"ordered": "ordonnancé", "executed": "payé"}
LINE_COLUMNS = [("Enregistré le", 24), ("Chèque", 30), ("Séance du", 24), ("Type de séance", 48), ("Mouvement", 34)]
LINE_AMOUNT = ("Montant", 30)
SETTLEMENT_COLUMNS = [("Date", 22), ("Référence du virement", 50), ("Chèques", 16), ("Montant", 28)]
SETTLEMENT_TAIL = [("Compte crédité", 44), ("État", 30)]
ROW = 6.5


def amount(cents: int) -> str:
    return euros(cents).replace(" euros", " EUR")


class StatementPdf(FPDF):
    def __init__(self, title_lines: list[str]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.title_lines = title_lines
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages("{nb}")

    def header(self) -> None:
        self.set_font("Helvetica", "B", 13)
        for line in wrap(self, self.title_lines[0], self.epw, 2):  # a long name on two lines, then shortened
            self.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 9)
        for line in self.title_lines[1:]:
            self.cell(0, 5, fit(self, line, self.epw), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, f"page {self.page_no()} / {{nb}}", align="C")

    def row(self, cells: Sequence[tuple[str, float, str]], *, bold: bool = False, fill: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", 8.5)
        for text, width, align in cells:
            self.cell(width, ROW, fit(self, text, width - 2), border=1, align=align, fill=fill)
        self.ln()

    def grid(self, head: Sequence[tuple[str, float]], rows: list[list[str]], right: set[int]) -> None:
        """Rows under their header, the header again at the top of each new page."""

        def titles() -> None:
            self.set_fill_color(230, 230, 240)
            self.row([(title, width, "C") for title, width in head], bold=True, fill=True)

        titles()
        for values in rows:
            if self.will_page_break(ROW):
                self.add_page()
                titles()
            self.row(
                [(v, w, "R" if i in right else "L") for i, (v, (_, w)) in enumerate(zip(values, head, strict=True))]
            )

    def heading(self, text: str) -> None:
        if self.will_page_break(4 * ROW):
            self.add_page()
        self.ln(3)
        self.set_font("Helvetica", "B", 11)
        self.cell(0, 7, fit(self, text, self.epw), new_x="LMARGIN", new_y="NEXT")


def render_structure_statement(st: PeriodStatementOut, name: str, siret: str | None, printed_on: date) -> bytes:
    period = f"Période du {french_day(st.start)} au {french_day(st.end)} (jours inclus)"
    pdf = StatementPdf(
        [
            f"Relevé de la structure : {name}",
            f"SIRET : {siret}" if siret else "SIRET : non renseigné",
            period,
            f"Édité le {french_day(printed_on)}. Fonds inter-opérateurs du chèque numérique Drômois.",
        ]
    )
    pdf.set_title(f"Relevé {name} du {french_date(st.start)} au {french_date(st.end)}")
    pdf.set_lang("fr-FR")
    pdf.add_page()

    pdf.heading("Soldes")
    balances = [("", 70), ("Au début de la période", 60), ("À la fin de la période", 60)]
    pdf.grid(
        balances,
        [
            ["Reste dû à la structure", amount(st.opening.due_cents), amount(st.closing.due_cents)],
            ["Payé à la structure (depuis le début)", amount(st.opening.paid_cents), amount(st.closing.paid_cents)],
        ],
        right={1, 2},
    )
    pdf.heading("Mouvements de la période")
    pdf.grid(
        [("Mouvement", 100), ("Chèques", 30), ("Montant", 60)],
        [
            ["Chèques encaissés", str(st.redeemed_count), amount(st.redeemed_cents)],
            ["Encaissements annulés", str(st.reversed_count), amount(-st.reversed_cents)],
            ["Chèques remboursés (payés)", str(st.settled_count), amount(-st.settled_cents)],
        ],
        right={1, 2},
    )
    pdf.set_font("Helvetica", "", 8.5)
    pdf.multi_cell(
        0,
        5,
        "Reste dû à la fin = reste dû au début + encaissés - annulés - remboursés. "
        "Les mouvements sont datés du jour où ils ont été enregistrés (heure de Paris).",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    pdf.heading(f"Encaissements et annulations de la période ({len(st.redemptions)})")
    lines = [
        [
            french_date(x.day),
            x.serial,
            french_date(x.session_date) if x.session_date else "-",
            SESSION_WORDS.get(x.session_kind or "", x.session_kind or "-"),
            MOVES.get(x.kind, x.kind),
            amount(x.amount_cents if x.kind == "redeemed" else -x.amount_cents),
        ]
        for x in st.redemptions
    ]
    pdf.grid([*LINE_COLUMNS, LINE_AMOUNT], lines or [["", "", "", "Aucun encaissement", "", ""]], right={5})

    pdf.heading(f"Remboursements de la période ({len(st.settlements)})")
    settlements = [
        [
            french_date(x.day),
            x.end_to_end_id or "-",
            str(x.count),
            amount(x.amount_cents),
            x.iban_masked or "-",
            f"payé le {french_date(x.executed_on)}" if x.executed_on else PAYMENT.get(x.payment_status, "-"),
        ]
        for x in st.settlements
    ]
    pdf.grid(
        [*SETTLEMENT_COLUMNS, *SETTLEMENT_TAIL],
        settlements or [["", "Aucun remboursement", "", "", "", ""]],
        right={2, 3},
    )
    return bytes(pdf.output())
