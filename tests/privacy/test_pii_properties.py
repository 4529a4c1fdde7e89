"""Property-based tests (hypothesis) of the personal-data scanner: generated valid personnummer and
samordningsnummer (Luhn check digit computed here, independently) are found wherever they stand in a text;
a wrong check digit is not; findings point at the text, are ordered and never overlap; any unicode is fine."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given
from hypothesis import strategies as st

from samtrygg.privacy import pii


def check_digit(nine: str) -> int:
    """The Luhn check digit of the nine digits YYMMDDNNN (Skatteverket's rule, written out again here)."""
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 - i % 2)  # weights 2,1,2,1,…
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


@st.composite
def identity_numbers(draw, valid: bool = True):
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)))
    coordination = draw(st.booleans())  # samordningsnummer: day + 60
    day = born.day + (60 if coordination else 0)
    yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    serial = f"{draw(st.integers(0, 999)):03d}"
    digit = check_digit(yymmdd + serial)
    if not valid:
        digit = (digit + draw(st.integers(1, 9))) % 10
    style = draw(st.sampled_from(["short-dash", "short", "long-dash", "long", "plus", "space"]))
    century = f"{born.year // 100}"
    text = {
        "short-dash": f"{yymmdd}-{serial}{digit}",
        "short": f"{yymmdd}{serial}{digit}",
        "long-dash": f"{century}{yymmdd}-{serial}{digit}",
        "long": f"{century}{yymmdd}{serial}{digit}",
        "plus": f"{yymmdd}+{serial}{digit}",
        "space": f"{yymmdd} {serial}{digit}",
    }[style]
    if style in ("long-dash", "long") and century not in ("19", "20"):
        text = f"{yymmdd}-{serial}{digit}"
    return text


WORDS = st.text(st.characters(categories=["L", "Zs"], exclude_characters="\u2028\u2029"), max_size=30)
SEPARATOR_BEFORE = st.sampled_from([" ", "\n", "(", ": ", "nr ", ""])
SEPARATOR_AFTER = st.sampled_from([" ", "\n", ")", ".", ", ", ""])


def _padded(before: str, sep_before: str, core: str, sep_after: str, after: str) -> tuple[str, int]:
    # Words glued to the number would hide it from a person too; keep a separator when there is a word.
    if before and not sep_before:
        sep_before = " "
    if after and not sep_after:
        sep_after = " "
    prefix = before + sep_before
    return prefix + core + sep_after + after, len(prefix)


@given(identity_numbers(), WORDS, SEPARATOR_BEFORE, SEPARATOR_AFTER, WORDS)
@example("811218-9876", "", "", "", "")
def test_a_valid_personnummer_is_found_where_it_stands(number, before, sep_before, sep_after, after):
    text, start = _padded(before, sep_before, number, sep_after, after)
    found = [f for f in pii.scan(text) if f.kind == "personnummer"]
    assert [(f.start, f.end, f.text) for f in found] == [(start, start + len(number), number)]


@given(identity_numbers(valid=False), WORDS, SEPARATOR_BEFORE, SEPARATOR_AFTER, WORDS)
def test_a_wrong_check_digit_is_not_a_personnummer(number, before, sep_before, sep_after, after):
    text, _start = _padded(before, sep_before, number, sep_after, after)
    assert not [f for f in pii.scan(text) if f.kind == "personnummer"]


@given(st.text(max_size=300))
@example("\x00\ud7ff\U0010ffff")
@example("١٢٣٤٥٦-٧٨٩٠")  # Arabic-Indic digits
@example("a@" + "a." * 200)
def test_any_text_gives_well_formed_findings(text):
    findings = pii.scan(text)
    for f in findings:
        assert f.kind in pii.LABELS_SV
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.text
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))
    assert "".join(piece for piece, _kind in pii.segments(text)) == text


@given(st.lists(identity_numbers(), min_size=1, max_size=4))
def test_several_numbers_are_each_found(numbers):
    text = " och ".join(numbers)
    assert [f.text for f in pii.scan(text) if f.kind == "personnummer"] == numbers


@given(st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12),
       st.sampled_from(["kommun.se", "example.org", "uppsala.se"]))
def test_an_email_address_is_found(user, domain):
    text = f"Kontakta {user}@{domain} i morgon"
    assert [(f.kind, f.text) for f in pii.scan(text) if f.kind == "email"] == [("email", f"{user}@{domain}")]


def test_check_digit_reference_matches_known_numbers():
    """The independent check-digit function agrees with Skatteverket's published example 811218-9876."""
    assert check_digit("811218987") == 6
    assert pii.luhn_ok("8112189876") and not pii.luhn_ok("8112189875")
