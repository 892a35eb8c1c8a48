#!/usr/bin/env python3
"""Vérifie hors ligne les preuves du registre cheque-ledger, sans faire confiance au serveur.

Ce script n'utilise que la bibliothèque standard de Python et le paquet ``cryptography``
(``pip install cryptography``). Il applique les algorithmes de vérification de la RFC 9162
(Certificate Transparency v2), §2.1.3.2 (inclusion) et §2.1.4.2 (cohérence).

Usages :

  python verifier_preuves.py paquet.json [--cle-publique CLÉ]
      vérifie la signature du point de contrôle (checkpoint) du paquet, puis, pour chaque événement,
      que son contenu donne bien son empreinte (feuille) et que cette feuille est dans l'arbre signé.

  python verifier_preuves.py --coherence ancien.json nouveau.json preuve.json [--cle-publique CLÉ]
      vérifie que l'arbre signé ``nouveau`` prolonge l'arbre signé ``ancien`` sans rien en retirer ni
      modifier (preuve obtenue par GET /v1/audit/consistency?first=…&second=…).

``--cle-publique`` : la clé publique Ed25519 (base64) que le Département publie (``cheque-ledger audit
public-key``) ; sans elle, le script utilise celle écrite dans le point de contrôle et le signale.
Code de sortie 0 si tout est vérifié, 1 sinon.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def checkpoint_text(cp: dict[str, Any]) -> bytes:
    return f"cheque-ledger checkpoint\n{cp['tree_size']}\n{cp['root_hash']}\n{cp['signed_at']}\n".encode()


def verify_checkpoint(cp: dict[str, Any], public_key_b64: str) -> bool:
    """The Ed25519 signature of a checkpoint, with the given public key."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        key.verify(base64.b64decode(cp["signature"], validate=True), checkpoint_text(cp))
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return False
    return True


def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root that ``path`` leads to from ``leaf``, or None if the proof is malformed."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, path) == root


def verify_consistency(first: int, second: int, path: list[bytes], first_root: bytes, second_root: bytes) -> bool:
    """RFC 9162 §2.1.4.2 (with first = second: an empty proof and equal roots)."""
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:
        return False
    if first & (first - 1) == 0:  # an exact power of two
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


def _key(cp: dict[str, Any], given: str | None, say: Any) -> str:
    if given:
        if cp.get("public_key") != given:
            say("attention : la clé publique du point de contrôle n'est pas celle donnée ; la clé donnée est utilisée")
        return given
    say(
        "attention : aucune clé publique donnée (--cle-publique) ; la clé écrite dans le point de contrôle est utilisée"
    )
    return str(cp["public_key"])


def check_bundle(bundle: dict[str, Any], public_key: str | None = None, say: Any = print) -> bool:
    """Every check of a proof bundle; says each failure (in French) and returns whether all passed."""
    cp = bundle["checkpoint"]
    ok = verify_checkpoint(cp, _key(cp, public_key, say))
    if not ok:
        say("ÉCHEC : la signature du point de contrôle est invalide")
    root = bytes.fromhex(cp["root_hash"])
    for proof in bundle["proofs"]:
        eid = proof["event_id"]
        entry = base64.b64decode(proof["entry"], validate=True)
        leaf = leaf_hash(entry)
        if not entry.startswith(eid.encode() + b"\n"):
            say(f"ÉCHEC : le contenu de l'événement {eid} ne porte pas son identifiant")
            ok = False
        if leaf.hex() != proof["leaf_hash"]:
            say(f"ÉCHEC : le contenu de l'événement {eid} ne donne pas son empreinte")
            ok = False
        path = [bytes.fromhex(h) for h in proof["path"]]
        if not verify_inclusion(proof["index"], cp["tree_size"], leaf, path, root):
            say(f"ÉCHEC : l'événement {eid} n'est pas dans l'arbre signé")
            ok = False
    return ok


def check_consistency(
    old: dict[str, Any], new: dict[str, Any], proof: dict[str, Any], public_key: str | None = None, say: Any = print
) -> bool:
    ok = True
    for name, cp in (("ancien", old), ("nouveau", new)):
        if not verify_checkpoint(cp, _key(cp, public_key, say)):
            say(f"ÉCHEC : la signature du point de contrôle {name} est invalide")
            ok = False
    if (proof["first"], proof["second"]) != (old["tree_size"], new["tree_size"]):
        say("ÉCHEC : la preuve ne porte pas sur les tailles de ces deux points de contrôle")
        return False
    path = [bytes.fromhex(h) for h in proof["path"]]
    if not verify_consistency(
        old["tree_size"], new["tree_size"], path, bytes.fromhex(old["root_hash"]), bytes.fromhex(new["root_hash"])
    ):
        say("ÉCHEC : le nouvel arbre ne prolonge pas l'ancien (historique modifié ?)")
        ok = False
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vérifie hors ligne les preuves du registre cheque-ledger.")
    parser.add_argument(
        "fichiers", nargs="+", help="paquet.json, ou avec --coherence : ancien.json nouveau.json preuve.json"
    )
    parser.add_argument("--coherence", action="store_true", help="vérifier la cohérence de deux points de contrôle")
    parser.add_argument("--cle-publique", dest="key", help="clé publique Ed25519 publiée par le Département (base64)")
    args = parser.parse_args(argv)
    docs = []
    for name in args.fichiers:
        with open(name, encoding="utf-8") as f:
            docs.append(json.load(f))
    if args.coherence:
        if len(docs) != 3:
            parser.error("--coherence attend trois fichiers : ancien.json nouveau.json preuve.json")
        ok = check_consistency(docs[0], docs[1], docs[2], public_key=args.key)
        what = "le nouvel arbre prolonge l'ancien"
    else:
        if len(docs) != 1:
            parser.error("un seul paquet à la fois")
        ok = check_bundle(docs[0], public_key=args.key)
        what = f"{len(docs[0]['proofs'])} événement(s) prouvé(s) dans l'arbre de {docs[0]['checkpoint']['tree_size']} feuilles"
    print(("OK : " + what) if ok else "ÉCHEC : voir ci-dessus")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
