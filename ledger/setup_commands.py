"""Set-up commands (admin): funders, commitments, payments, structures, prescribers, API keys."""

from __future__ import annotations

from domain import errors
from domain.funding import Commitment, Funder
from domain.ids import natural_id
from domain.places import DETAIL_FIELDS
from domain.roles import ROLE_LABELS, ROLES_WITH_ORG, Role
from domain.structures import Prescriber, Structure
from ledger import types as t
from ledger.access import ApiKey, hash_key, new_key
from ledger.idempotency import Idem
from ledger.service import Decision, LedgerCore


def funder_out(f: Funder) -> t.FunderOut:
    return t.FunderOut(code=f.code, name=f.name, kind=f.kind, received_cents=f.received_cents)


def commitment_out(c: Commitment) -> t.CommitmentOut:
    return t.CommitmentOut(
        id=c.id,
        funder_code=c.funder_code,
        reference=c.reference,
        amount_cents=c.amount_cents,
        available_cents=c.available_cents,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        eligible_publics=list(c.eligible_publics),
        territory=list(c.territory),
        priority=c.priority,
    )


def structure_out(s: Structure) -> t.StructureOut:
    return t.StructureOut(
        id=s.id,
        siret=s.siret,
        name=s.name,
        commune_insee=s.commune_insee,
        labels=list(s.labels),
        accredited=s.accredited,
        **{k: v for k, v in (s.details or {}).items() if v is not None},
    )


def prescriber_out(p: Prescriber) -> t.PrescriberOut:
    return t.PrescriberOut(id=p.id, name=p.name, kind=p.kind, commune_insee=p.commune_insee)


# Where an API key's or an account's organisation is to be found, by role (a refusal's words).
ORG_KINDS_WORDS = {
    "prescriber": "les prescripteurs inscrits",
    "structure": "les structures inscrites",
    "funder": "les financeurs inscrits",
}


class SetupCommands(LedgerCore):
    def create_funder(self, actor: t.Actor, body: t.NewFunder, idem: Idem | None = None) -> t.FunderOut:
        self._require(actor)

        def decide() -> Decision:
            if self._exists(natural_id("funder", body.code)):
                raise errors.AlreadyExists(f"Le financeur {body.code} existe déjà.")
            funder = Funder.register(body.code, body.name, str(body.kind))
            return Decision([funder], funder_out(funder))

        return self._execute(idem, decide, t.FunderOut)

    def get_funder(self, actor: t.Actor, code: str) -> t.FunderOut:
        self._require(actor, "funder")
        self._require_org(actor, code)
        return funder_out(self._load(natural_id("funder", code), Funder, "Financeur"))

    def sign_commitment(self, actor: t.Actor, body: t.NewCommitment, idem: Idem | None = None) -> t.CommitmentOut:
        self._require(actor)
        for insee in body.territory:
            self._check_commune(insee, "territory")

        def decide() -> Decision:
            self._load(natural_id("funder", body.funder_code), Funder, "Financeur")
            commitment = Commitment.sign(
                funder_code=body.funder_code,
                reference=body.reference,
                amount_cents=body.amount_cents,
                valid_from=body.valid_from,
                valid_until=body.valid_until,
                eligible_publics=[str(p) for p in body.eligible_publics],
                territory=list(body.territory),
                priority=body.priority,
            )
            return Decision([commitment], commitment_out(commitment))

        return self._execute(idem, decide, t.CommitmentOut)

    def get_commitment(self, actor: t.Actor, commitment_id: str) -> t.CommitmentOut:
        self._require(actor, "funder")
        commitment = self._load_id(commitment_id, Commitment, "Convention")
        self._require_org(actor, commitment.funder_code)
        return commitment_out(commitment)

    def receive_payment(self, actor: t.Actor, code: str, body: t.NewPayment, idem: Idem | None = None) -> t.PaymentOut:
        self._require(actor)
        self._facts_happened(received_on=body.received_on)

        def decide() -> Decision:
            funder = self._load(natural_id("funder", code), Funder, "Financeur")
            funder.receive_payment(body.amount_cents, body.received_on, body.reference)
            out = t.PaymentOut(
                funder_code=code,
                amount_cents=body.amount_cents,
                received_on=body.received_on,
                reference=body.reference,
                received_total_cents=funder.received_cents,
            )
            return Decision([funder], out)

        return self._execute(idem, decide, t.PaymentOut)

    def register_structure(self, actor: t.Actor, body: t.NewStructure, idem: Idem | None = None) -> t.StructureOut:
        self._require(actor)
        self._check_commune(body.commune_insee)

        def decide() -> Decision:
            s = Structure.register(body.siret, body.name, body.commune_insee, [str(x) for x in body.labels])
            details = {k: getattr(body, k) for k in DETAIL_FIELDS}
            if any(details.values()):
                s.change_details(**{**details, "services": [str(x) for x in body.services]})
            return Decision([s], structure_out(s))

        return self._execute(idem, decide, t.StructureOut)

    def get_structure(self, actor: t.Actor, structure_id: str) -> t.StructureOut:
        self._require(actor, "structure")
        self._require_org(actor, structure_id)
        return structure_out(self._load_id(structure_id, Structure, "Structure"))

    def change_accreditation(
        self,
        actor: t.Actor,
        structure_id: str,
        body: t.AccreditationChange,
        accredited: bool,
        idem: Idem | None = None,
    ) -> t.StructureOut:
        self._require(actor)
        self._facts_happened(on=body.on)

        def decide() -> Decision:
            s = self._load_id(structure_id, Structure, "Structure")
            on = body.on or self.today()
            if accredited:
                s.reinstate(body.reason, on)
            else:
                s.suspend(body.reason, on)
            return Decision([s], structure_out(s))

        return self._execute(idem, decide, t.StructureOut)

    def register_prescriber(self, actor: t.Actor, body: t.NewPrescriber, idem: Idem | None = None) -> t.PrescriberOut:
        self._require(actor)
        self._check_commune(body.commune_insee)

        def decide() -> Decision:
            p = Prescriber.register(body.name, str(body.kind), body.commune_insee)
            return Decision([p], prescriber_out(p))

        return self._execute(idem, decide, t.PrescriberOut)

    def get_prescriber(self, actor: t.Actor, prescriber_id: str) -> t.PrescriberOut:
        self._require(actor, "prescriber")
        self._require_org(actor, prescriber_id)
        return prescriber_out(self._load_id(prescriber_id, Prescriber, "Prescripteur"))

    # -- API keys ------------------------------------------------------------------------------
    def create_api_key(self, actor: t.Actor, body: t.NewApiKey, idem: Idem | None = None) -> t.ApiKeyOut:
        self._require(actor)
        org = self._check_key_org(body.role, body.org)

        def decide() -> Decision:
            key = new_key()
            record = ApiKey(key_hash=hash_key(self.secret, key), role=body.role, org=org)
            return Decision([record], t.ApiKeyOut(id=record.id, role=body.role, org=org, key=key))

        return self._execute(idem, decide, t.ApiKeyOut)

    def _check_key_org(self, role: str, org: str | None) -> str | None:
        label = ROLE_LABELS.get(Role(role), role).lower() if role in set(Role) else role
        if role not in ROLES_WITH_ORG:
            if org is not None:
                raise errors.ValidationError(f"Organisation : aucune pour un accès « {label} ».", field="org")
            return None
        if not org:
            raise errors.ValidationError(f"Organisation : choisissez celle de cet accès « {label} ».", field="org")
        kinds: dict[str, tuple[type[Prescriber | Structure], str]] = {
            "prescriber": (Prescriber, "Prescripteur"),
            "structure": (Structure, "Structure"),
        }
        try:
            if role == "funder":
                self._load(natural_id("funder", org), Funder, "Financeur")
                return org
            kind, what = kinds[role]
            return str(self._load_id(org, kind, what).id)
        except errors.NotFound:
            among = ORG_KINDS_WORDS[role]
            raise errors.ValidationError(
                f"Organisation : introuvable ; choisissez-la parmi {among}.", field="org"
            ) from None

    def revoke_api_key(self, actor: t.Actor, key_id: str) -> None:
        self._require(actor)

        def decide() -> Decision:
            record = self._load_id(key_id, ApiKey, "Clé")
            record.revoke()
            # Other processes and workers drop their cached keys before this is acknowledged.
            return Decision([record], after_save=self.key_cache.revoked)

        self._execute(None, decide, type(None))

    def funder_names(self, codes: set[str]) -> dict[str, str]:
        """Funders' public names, for printing (no personal data)."""
        names = {}
        for code in codes:
            try:
                names[code] = self._load(natural_id("funder", code), Funder, "Financeur").name
            except errors.NotFound:
                continue
        return names
