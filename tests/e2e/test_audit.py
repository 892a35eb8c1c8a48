"""The proof for funders over HTTP: the audit endpoints, the "Preuves" page, and the proof bundle a funder
downloads and checks offline with the shipped script run as its own process."""

from __future__ import annotations

import json
import subprocess
import sys

from ledger import merkle
from tests import merkle_rfc as rfc
from tests import scenario as s
from tests.e2e.conftest import bearer
from tests.e2e.web import sign_in

V = rfc.verifier()


def test_audit_endpoints_answer_rfc_proofs(client, ledger_world):
    ledger, w, keys = ledger_world
    s.book(ledger, w, count=2)
    for role in ("funder", "structure", "observatory", "prescriber", "admin"):
        assert client.get("/v1/audit/checkpoint", headers=bearer(getattr(keys, role))).status_code == 200
    assert client.get("/v1/audit/checkpoint").status_code == 401
    cp = client.get("/v1/audit/checkpoint", headers=bearer(keys.funder)).json()
    assert V.verify_checkpoint(cp, cp["public_key"])
    n = cp["tree_size"]
    entries = client.get(f"/v1/audit/entries?start=0&end={n}", headers=bearer(keys.funder)).json()["items"]
    assert [e["index"] for e in entries] == list(range(n))
    root = bytes.fromhex(cp["root_hash"])
    for index in (0, n // 2, n - 1):
        p = client.get(f"/v1/audit/inclusion?index={index}&tree_size={n}", headers=bearer(keys.funder)).json()
        assert p["leaf_hash"] == entries[index]["leaf_hash"]
        assert V.verify_inclusion(index, n, bytes.fromhex(p["leaf_hash"]), [bytes.fromhex(h) for h in p["path"]], root)
    old = ledger.audit.root(3)[1]
    c = client.get(f"/v1/audit/consistency?first=3&second={n}", headers=bearer(keys.funder)).json()
    assert V.verify_consistency(3, n, [bytes.fromhex(h) for h in c["path"]], old, root)
    refused = client.get(f"/v1/audit/inclusion?index=0&tree_size={n + 5}", headers=bearer(keys.funder))
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/audit/entries?start=0&end=5000", headers=bearer(keys.funder)).status_code == 400


def test_journal_postings_name_their_leaf(client, ledger_world):
    ledger, w, keys = ledger_world
    s.book(ledger, w, count=1)
    items = client.get("/v1/funders/DEPT26/journal", headers=bearer(keys.funder)).json()["items"]
    indices = ledger.audit.indices([p["event_id"] for p in items])
    assert set(indices) == {p["event_id"] for p in items}


def test_funder_downloads_a_bundle_and_checks_it_offline(client, accounts, ledger_world, tmp_path):
    ledger, w, _ = ledger_world
    book = s.book(ledger, w, count=2)
    ledger.redeem(w.structure_actor, s.redemption(book.cheques[0].serial, book.cheques[0].code, ledger.today()))
    sign_in(client, accounts.funder)
    page = client.get("/financeur/preuves")
    assert page.status_code == 200 and "Ce qui est prouvé" in page.text
    cp = ledger.audit.latest_checkpoint()
    assert cp is not None and cp.root_hash in page.text
    bundle = client.get("/financeur/preuves/paquet.json")
    assert bundle.status_code == 200
    content = bundle.json()
    assert content["funder_code"] == "DEPT26" and len(content["proofs"]) >= 3
    kinds = {p["kind"] for proof in content["proofs"] for p in proof["postings"]}
    assert {"commitment_signed", "cheque_issued", "cheque_redeemed"} <= kinds
    script = client.get("/financeur/preuves/verifier_preuves.py")
    (tmp_path / "verifier_preuves.py").write_bytes(script.content)
    (tmp_path / "paquet.json").write_bytes(bundle.content)
    run = subprocess.run(
        [sys.executable, "verifier_preuves.py", "paquet.json", "--cle-publique", ledger.audit.public_key()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("OK :")
    # An entry changed after the fact (here: the redeemed amount) no longer proves anything.
    redeemed = next(p for p in content["proofs"] if any(x["kind"] == "cheque_redeemed" for x in p["postings"]))
    entry = merkle.entry(redeemed["event_id"], "x", b"{}")
    redeemed["entry"] = __import__("base64").b64encode(entry).decode()
    (tmp_path / "paquet.json").write_text(json.dumps(content))
    run = subprocess.run(
        [sys.executable, "verifier_preuves.py", "paquet.json", "--cle-publique", ledger.audit.public_key()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1 and "ÉCHEC" in run.stdout


def test_consistency_of_two_checkpoints_offline(client, accounts, ledger_world, tmp_path):
    ledger, w, keys = ledger_world
    sign_in(client, accounts.funder)
    old = client.get("/financeur/preuves/point-de-controle.json").json()
    s.book(ledger, w, count=1)
    new = client.get("/v1/audit/checkpoint", headers=bearer(keys.funder)).json()
    proof = client.get(
        f"/v1/audit/consistency?first={old['tree_size']}&second={new['tree_size']}", headers=bearer(keys.funder)
    ).json()
    for name, doc in (("ancien", old), ("nouveau", new), ("preuve", proof)):
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    args = ["--coherence", "ancien.json", "nouveau.json", "preuve.json", "--cle-publique", new["public_key"]]
    run = subprocess.run(
        [sys.executable, str(V.__file__), *args], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    proof["path"][0] = "00" * 32
    (tmp_path / "preuve.json").write_text(json.dumps(proof))
    run = subprocess.run(
        [sys.executable, str(V.__file__), *args], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 1


def test_another_funder_cannot_take_a_bundle_of_dept26(client, accounts, ledger_world):
    sign_in(client, accounts.funder)
    assert client.get("/financeur/preuves/paquet.json?code=CAF26").json()["funder_code"] == "DEPT26"
