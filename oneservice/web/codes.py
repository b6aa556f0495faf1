"""The progress code (查询码) given at intake: with the case number, it opens the case's progress
page without a login (``/progress``).

The code is an HMAC of the case id under a key derived from the server's secret, so every server
of one deployment computes the same code and nothing is stored: ``K7Q2-M9XD``, 8 characters of
Crockford base32 (40 bits), no ``I``, ``L``, ``O`` or ``U`` to misread. Shown to the clerk at
intake (the receipt and the notice print it) and to the applicant on their own pages.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

__all__ = ["normalise_code", "progress_code", "verify_code"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _key() -> bytes:
    web_key: bytes = current_app.extensions["oneservice.web.key"]
    return hmac.new(web_key, b"progress code", hashlib.sha256).digest()


def progress_code(case_id: str) -> str:
    digest = hmac.new(_key(), case_id.encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:5], "big")
    chars = "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(8)))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_code(text: str) -> str:
    """What a person typed, as the code is printed (case, spaces, dashes and O/I/L forgiven)."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    raw = raw.translate(str.maketrans("OIL", "011"))
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else raw


def verify_code(case_id: str, text: str) -> bool:
    return hmac.compare_digest(normalise_code(text).encode(), progress_code(case_id).encode())
