"""Cheque serials (typeable, with a check character) and verification codes (stored keyed-hashed)."""

from __future__ import annotations

import hmac
import secrets

from domain.errors import UnknownCheque

# Crockford's base 32: no I, L, O, U; check symbols extend it to 37.
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = SERIAL_ALPHABET + "*~$=U"
_READ_AS = {"O": "0", "I": "1", "L": "1"}
SERIAL_BODY_LEN = 8

# Verification codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LEN = 6


def _check_char(body: str) -> str:
    value = 0
    for ch in body:
        value = value * 32 + SERIAL_ALPHABET.index(ch)
    return CHECK_ALPHABET[value % 37]


def new_serial() -> str:
    body = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(SERIAL_BODY_LEN))
    return format_serial(body)


def format_serial(body: str) -> str:
    return f"{body[:4]}-{body[4:]}-{_check_char(body)}"


def normalize_serial(text: str) -> str:
    """Canonical form of a typed serial; UnknownCheque if malformed or its check fails."""
    raw = "".join(ch for ch in str(text).upper() if ch not in " -")
    raw = "".join(_READ_AS.get(ch, ch) for ch in raw)
    if len(raw) != SERIAL_BODY_LEN + 1:
        raise UnknownCheque("Numéro de chèque inconnu.")
    body, check = raw[:-1], raw[-1]
    if any(ch not in SERIAL_ALPHABET for ch in body) or _check_char(body) != check:
        raise UnknownCheque("Numéro de chèque inconnu.")
    return format_serial(body)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))


def normalize_code(text: str) -> str:
    return str(text).upper().replace(" ", "").replace("-", "")


def hash_code(secret: bytes, serial: str, code: str) -> str:
    message = f"cheque-code:{serial}:{normalize_code(code)}".encode()
    return hmac.digest(secret, message, "sha256").hex()  # one C call: the same value as hmac.new(…).hexdigest()


def code_matches(secret: bytes, serial: str, code: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_code(secret, serial, code), stored_hash)
