"""W3C Data Integrity proofs, cryptosuite ``eddsa-rdfc-2022``, over JSON-LD documents (Open Badges 3.0 credentials).

Canonicalisation is pyld's RDF Dataset Canonicalization (RDFC-1.0, which pyld calls URDNA2015: the same
algorithm), signatures Ed25519 (``cryptography``). The JSON-LD contexts are files shipped with the project
(``ledger/data/contexts/``, copied from the npm packages the Digital Credentials Consortium's verifier bundles),
served by an offline document loader: pyld's own loader would fetch them from the network at every signature.

The proof, as the cryptosuite specifies it: the proof configuration is the proof's fields without
``proofValue``, with the document's ``@context``; the signed data is SHA-256(canonical proof configuration) ‖
SHA-256(canonical document without its proof); ``proofValue`` is ``z`` + base58btc(signature).

A property that no context defines is dropped by JSON-LD processing, so the signature would not cover it (and
a verifier in safe mode rejects the document): ``sign`` refuses such a document."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from importlib import resources
from typing import Any

import base58
from pyld import jsonld  # type: ignore[import-untyped]

from ledger.badge_key import BadgeKey

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-v3p0-context-3.0.3.json"}
CRYPTOSUITE = "eddsa-rdfc-2022"


class UndefinedProperties(ValueError):
    """The document holds properties its contexts do not define (their paths in ``paths``)."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__("properties not defined by the document's contexts: " + ", ".join(paths))
        self.paths = paths


@functools.cache
def _contexts() -> dict[str, dict[str, Any]]:
    folder = resources.files("ledger") / "data" / "contexts"
    return {url: json.loads((folder / name).read_text(encoding="utf-8")) for url, name in CONTEXT_FILES.items()}


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """The shipped context for ``url``; any other URL is refused (nothing is fetched)."""
    document = _contexts().get(url)
    if document is None:
        raise jsonld.JsonLdError(
            f"Context not shipped with the ledger: {url}", "jsonld.LoadDocumentError", code="loading document failed"
        )
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}


OPTIONS = {"documentLoader": document_loader}


def canonize(document: dict[str, Any]) -> str:
    """The document's canonical N-Quads (RDFC-1.0)."""
    return str(jsonld.normalize(document, {**OPTIONS, "algorithm": "URDNA2015", "format": "application/n-quads"}))


def undefined_properties(document: dict[str, Any]) -> list[str]:
    """The paths of the document's properties that JSON-LD processing drops (no context defines them): the
    document is expanded and compacted back with its own context, and every key must come back."""
    expanded = jsonld.expand(document, OPTIONS)
    back = jsonld.compact(expanded, {"@context": document["@context"]}, OPTIONS)
    return _missing(document, back, "")


def _missing(original: Any, back: Any, path: str) -> list[str]:
    if isinstance(original, dict):
        if not isinstance(back, dict):
            return [path or "$"]
        out: list[str] = []
        for key, value in original.items():
            if key == "@context":
                continue
            where = f"{path}.{key}" if path else key
            out += _missing(value, back[key], where) if key in back else [where]
        return out
    if isinstance(original, list):
        items = back if isinstance(back, list) else [back]
        if len(items) != len(original):
            return [path]
        return [p for i, (o, b) in enumerate(zip(original, items, strict=True)) for p in _missing(o, b, f"{path}[{i}]")]
    return []


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    configuration = {**proof_options, "@context": document["@context"]}
    return (
        hashlib.sha256(canonize(configuration).encode()).digest() + hashlib.sha256(canonize(document).encode()).digest()
    )


def sign(document: dict[str, Any], key: BadgeKey, created: str) -> dict[str, Any]:
    """The document with a ``DataIntegrityProof`` (eddsa-rdfc-2022, purpose assertionMethod) by ``key``.
    ``created``: an XML Schema dateTime (``2026-03-16T09:30:00Z``)."""
    if "proof" in document:
        raise ValueError("the document already holds a proof")
    missing = undefined_properties(document)
    if missing:
        raise UndefinedProperties(missing)
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + base58.b58encode(signature).decode()}}
