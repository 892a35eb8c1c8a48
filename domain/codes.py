"""Cheque serials and people's references (typeable, with a check character) and verification codes
(stored keyed-hashed).

A check character is one of the serial alphabet (ISO 7064 hybrid system MOD 33,32, from ``stdnum``): it reads
aloud and types on a phone. Serials printed before carry Crockford's mod-37 check, which can be a symbol
(``*~$=U``); they stay valid: a serial is accepted when its check character is right under either system.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from uuid import UUID

from stdnum.iso7064 import mod_37_36

from domain.errors import NotFound, UnknownCheque

# Crockford's base 32: no I, L, O, U. The old check symbols extended it to 37.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = SERIAL_ALPHABET + "*~$=U"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
SERIAL_BODY_LEN = 8

# Verification codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LEN = 6


def _old_check_char(body: str) -> str:
    """The check character of serials issued before issue 18 (Crockford mod 37: may be a symbol)."""
    value = 0
    for ch in body:
        value = value * 32 + SERIAL_ALPHABET.index(ch)
    return CHECK_ALPHABET[value % 37]


def check_char(body: str) -> str:
    """A letter or digit of the serial alphabet (ISO 7064 MOD 33,32)."""
    return mod_37_36.calc_check_digit(body, alphabet=SERIAL_ALPHABET)


def new_serial() -> str:
    body = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_BODY_LEN))
    return format_serial(body)


def format_serial(body: str, check: str | None = None) -> str:
    return f"{body[:4]}-{body[4:]}-{check or check_char(body)}"


def _typed(text: str) -> str:
    raw = "".join(ch for ch in str(text).upper() if ch not in " -")
    return "".join(_READ_AS.get(ch, ch) for ch in raw)


def normalize_serial(text: str) -> str:
    """Canonical form of a typed serial; UnknownCheque if malformed or its check fails (new or old system)."""
    raw = _typed(text)
    if len(raw) != SERIAL_BODY_LEN + 1:
        raise UnknownCheque("Numéro de chèque inconnu.")
    body, check = raw[:-1], raw[-1]
    if any(ch not in SERIAL_ALPHABET for ch in body) or check not in (check_char(body), _old_check_char(body)):
        raise UnknownCheque("Numéro de chèque inconnu.")
    return format_serial(body, check)


# -- people's references ----------------------------------------------------------------------------------
REFERENCE_PREFIX = "B"
REFERENCE_BODY_LEN = 8


def reference_of(beneficiary_id: UUID) -> str:
    """A beneficiary's reference, derived from its id (``B-7K3M-9QX4-R``): 40 bits of SHA-256 of the id in
    the serial alphabet, then a check character. Derived, so every beneficiary ever registered has one."""
    value = int.from_bytes(hashlib.sha256(beneficiary_id.bytes).digest()[:5], "big")
    body = "".join(SERIAL_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(REFERENCE_BODY_LEN)))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}-{check_char(body)}"


def normalize_reference(text: str) -> str:
    """Canonical form of a typed reference (any case, dashes and spaces optional, the ``B`` optional);
    NotFound when malformed or its check character is wrong."""
    raw = _typed(text)
    if len(raw) == REFERENCE_BODY_LEN + 2 and raw.startswith(REFERENCE_PREFIX):
        raw = raw[1:]
    body, check = raw[:-1], raw[-1:]
    if len(raw) != REFERENCE_BODY_LEN + 1 or any(ch not in SERIAL_ALPHABET for ch in raw) or check != check_char(body):
        raise NotFound("Référence de bénéficiaire inconnue : vérifiez la référence imprimée sur le carnet.")
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}-{check}"


def looks_like_reference(text: str) -> bool:
    """True for what is not an id (a UUID has 32 hex digits): the caller resolves it as a reference."""
    try:
        UUID(str(text))
    except ValueError:
        return True
    return False


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))


def normalize_code(text: str) -> str:
    return str(text).upper().replace(" ", "").replace("-", "")


def hash_code(secret: bytes, serial: str, code: str) -> str:
    message = f"cheque-code:{serial}:{normalize_code(code)}".encode()
    return hmac.digest(secret, message, "sha256").hex()  # one C call: the same value as hmac.new(…).hexdigest()


def code_matches(secret: bytes, serial: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_code(secret, serial, code), stored_hash)
