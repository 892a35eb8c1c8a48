"""``cheque-ledger audit …``: the signing key, checkpoints, and checking a saved checkpoint offline of the server."""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import sys
from typing import Any


def _ledger() -> Any:
    from api.bootstrap import ledger_from_env

    return ledger_from_env()


def public_key(args: argparse.Namespace) -> int:
    ledger = _ledger()
    try:
        print(ledger.audit.public_key())
    finally:
        ledger.close()
    return 0


def new_key(args: argparse.Namespace) -> int:
    """A fresh Ed25519 seed for LEDGER_SIGNING_KEY (keep it like LEDGER_SECRET)."""
    print(base64.b64encode(secrets.token_bytes(32)).decode())
    return 0


def checkpoint(args: argparse.Namespace) -> int:
    import msgspec

    ledger = _ledger()
    try:
        cp = ledger.audit.checkpoint()
    finally:
        ledger.close()
    text = msgspec.json.format(msgspec.json.encode(cp)).decode()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print(text)
    return 0


def verify(args: argparse.Namespace) -> int:
    from api.audit_bundle import verify_saved_checkpoint

    try:
        with open(args.checkpoint, encoding="utf-8") as f:
            saved = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAILED: cannot read {args.checkpoint} ({type(e).__name__})", file=sys.stderr)
        return 1
    ledger = _ledger()
    try:
        differences, tree = verify_saved_checkpoint(ledger, saved if isinstance(saved, dict) else {})
    finally:
        ledger.close()
    if differences:
        print(f"FAILED: {differences[0]}")
        for more in differences[1:20]:
            print(f"  also: {more}")
        return 1
    print(
        f"OK: checkpoint of {saved['tree_size']} leaves verified against {tree.size} stored events;"
        f" current root {tree.root().hex()}"
    )
    return 0


def add_parser(sub: Any) -> None:
    audit = sub.add_parser("audit", help="the signed Merkle log (proof for funders)").add_subparsers(
        dest="audit_command", required=True
    )
    audit.add_parser("public-key", help="print the checkpoints' Ed25519 public key (base64)").set_defaults(
        func=public_key
    )
    audit.add_parser("new-key", help="print a new signing key for LEDGER_SIGNING_KEY").set_defaults(func=new_key)
    c = audit.add_parser("checkpoint", help="sign a checkpoint if the log grew (run it daily) and print it")
    c.add_argument("--out", default=None, help="also save it to this file")
    c.set_defaults(func=checkpoint)
    v = audit.add_parser("verify", help="check a saved checkpoint against the database")
    v.add_argument("--checkpoint", required=True, help="a checkpoint saved earlier (JSON)")
    v.set_defaults(func=verify)
