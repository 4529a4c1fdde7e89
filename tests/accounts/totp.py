"""An independent RFC 6238 TOTP (HMAC-SHA1) for the tests: what a phone app computes from the key it was shown."""

import hashlib
import hmac
import time
from base64 import b32decode


def totp(key: bytes, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 10 ** digits
    return f"{code:0{digits}d}"


def key_from_secret(secret: str) -> bytes:
    """The key a person types from the enrolment page (base32 in groups of four)."""
    text = secret.replace(" ", "").upper()
    return b32decode(text + "=" * (-len(text) % 8))
