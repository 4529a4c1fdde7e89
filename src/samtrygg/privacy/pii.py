"""Finding personal data in free text: personnummer (Luhn-checked), phone numbers, e-mail, registration plates.

Pure Python, no Django: used on every free-text field before it is saved, so the writer can be warned with
the offending part highlighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Finding:
    kind: str  # "personnummer", "phone", "email", "plate"
    start: int
    end: int
    text: str


LABELS_SV = {
    "personnummer": "personnummer",
    "phone": "telefonnummer",
    "email": "e-postadress",
    "plate": "registreringsnummer",
}

# 19/20 century optional, YYMMDD, separator - or + (over 100) or none, four digits.
_PERSONNUMMER = re.compile(r"(?<![\d-])(?:(?:19|20)?(\d{6}))[-+ ]?(\d{4})(?![\d])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w])")
# Swedish numbers: +46 or 0 prefix, then 7-10 digits with optional spaces/dashes.
_PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s-]?(?:\(0\)[\s-]?)?\d{1,3}(?:[\s-]?\d){5,8}(?![\d])")
# Registration plates: ABC 123 or ABC 12A (new format); letters exclude I, Q, V (and Å, Ä, Ö).
_PLATE = re.compile(r"(?<![\wÅÄÖåäö])([A-HJ-PR-UW-Z]{3})[ -]?(\d{2}[\dA-HJ-PR-UW-Z])(?![\wÅÄÖåäö])")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _plausible_birth_date(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    try:
        date(2000, month, day)  # leap year, so 29 Feb passes
    except ValueError:
        return False
    return True


def scan(text: str) -> list[Finding]:
    """All personal data found in `text`, in order, non-overlapping."""
    if not text:
        return []
    findings: list[Finding] = []
    for m in _PERSONNUMMER.finditer(text):
        yymmdd, last4 = m.group(1), m.group(2)
        if _plausible_birth_date(yymmdd) and luhn_ok(yymmdd + last4):
            findings.append(Finding("personnummer", m.start(), m.end(), m.group(0)))
    for m in _EMAIL.finditer(text):
        findings.append(Finding("email", m.start(), m.end(), m.group(0)))
    for m in _PHONE.finditer(text):
        findings.append(Finding("phone", m.start(), m.end(), m.group(0)))
    for m in _PLATE.finditer(text):
        findings.append(Finding("plate", m.start(), m.end(), m.group(0)))
    findings.sort(key=lambda f: (f.start, -(f.end - f.start)))
    result: list[Finding] = []
    for f in findings:
        if result and f.start < result[-1].end:
            continue
        result.append(f)
    return result


def segments(text: str) -> list[tuple[str, str | None]]:
    """The text cut into (piece, kind) pairs, kind None for clean text: for highlighting."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for f in scan(text):
        if f.start > pos:
            out.append((text[pos:f.start], None))
        out.append((text[f.start:f.end], f.kind))
        pos = f.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out
