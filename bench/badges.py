"""What signing a badge costs: ``python -m bench.badges [--count 200]``.

Builds and signs ``count`` Open Badges credentials as ``award_badge`` does (two RDFC-1.0 canonicalisations, the
undefined-property check, one Ed25519 signature) and prints the time per credential and the share of each step;
then runs the DCC verifier (node) once on one of them and prints its time (node start-up included)."""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import time
from pathlib import Path
from uuid import uuid4

from domain.badges import Achievement
from ledger import data_integrity as di
from ledger.badge_commands import unsigned_credential
from ledger.badge_key import parse_seed

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    count = parser.parse_args().count
    key = parse_seed(base64.b64encode(bytes(range(32))).decode())
    achievement = Achievement.define(
        slug="premiers-pas",
        name="Premiers pas numériques",
        description="Sait naviguer." * 10,
        criteria="Trois séances.",
    )
    docs = [
        unsigned_credential(
            badge_id=uuid4(),
            achievement=achievement,
            beneficiary_id=uuid4(),
            key=key,
            valid_from="2026-03-16T09:30:00Z",
            salt="00" * 16,
        )
        for _ in range(count + 5)
    ]
    for d in docs[:5]:  # warm pyld's context cache
        di.sign(d, key, "2026-03-16T09:30:00Z")
    timings = {"check": 0.0, "canonicalise": 0.0, "sign": 0.0}
    started = time.perf_counter()
    signed = None
    for d in docs[5:]:
        t0 = time.perf_counter()
        di.undefined_properties(d)
        t1 = time.perf_counter()
        proof = {
            "type": "DataIntegrityProof",
            "cryptosuite": di.CRYPTOSUITE,
            "created": d["validFrom"],
            "verificationMethod": key.verification_method,
            "proofPurpose": "assertionMethod",
        }
        data = di._hash_data(d, proof)
        t2 = time.perf_counter()
        key.sign(data)
        t3 = time.perf_counter()
        timings["check"] += t1 - t0
        timings["canonicalise"] += t2 - t1
        timings["sign"] += t3 - t2
    total = time.perf_counter() - started
    print(f"{count} credentials: {total / count * 1000:.1f} ms each ({count / total:.0f}/s)")
    for step, spent in timings.items():
        print(f"  {step:13s} {spent / count * 1000:6.2f} ms  ({spent / total:.0%})")
    signed = di.sign(docs[0], key, "2026-03-16T09:30:00Z")
    node = shutil.which("node")
    if node:
        t0 = time.perf_counter()
        done = subprocess.run(
            [node, str(ROOT / "tests/badges/verify_credential.mjs")],
            input=json.dumps(signed).encode(),
            capture_output=True,
            check=False,
        )
        print(
            f"DCC verifier (node, one credential, start-up included): {(time.perf_counter() - t0) * 1000:.0f} ms,"
            f" verified={json.loads(done.stdout)['verified']}"
        )


if __name__ == "__main__":
    main()
