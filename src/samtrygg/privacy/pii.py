"""Finding personal data in free text: personnummer (Luhn-checked), phone numbers, e-mail, plates.

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
# Phone numbers: a Swedish trunk 0 or an international prefix (+46, 0046, +44 …), then 7-11 digits with
# optional spaces/dashes. Not when glued to a word or to a date/time ("2024-05-12 2130").
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[-./:])(?:\+\d{1,3}|00\d{1,3}|0)[\s-]?(?:\(0\)[\s-]?)?\d{1,3}(?:[\s-]?\d){5,8}(?!\d)"
)
# Registration plates: ABC 123 or ABC 12A (new format); letters exclude I, Q, V (and Å, Ä, Ö).
# Written with a space or dash only in capitals ("och 123" is Swedish, not a plate); the compact form
# ("abc123") also in lower case, as people type on phones.
_PLATE_LETTERS = "A-HJ-PR-UW-Z"
_PLATE = re.compile(
    rf"(?<![\wÅÄÖåäö])([{_PLATE_LETTERS}]{{3}})[ -]?(\d{{2}}[\d{_PLATE_LETTERS}])(?![\wÅÄÖåäö])"
)
_PLATE_COMPACT = re.compile(
    rf"(?<![\wÅÄÖåäö])([{_PLATE_LETTERS}]{{3}})(\d{{2}}[\d{_PLATE_LETTERS}])(?![\wÅÄÖåäö])", re.IGNORECASE
)


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
    for pattern in (_PLATE, _PLATE_COMPACT):
        for m in pattern.finditer(text):
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
