"""The personal-data scanner: what it must find, and ordinary text it must leave alone."""

import pytest

from samtrygg.privacy.pii import luhn_ok, scan, segments


def with_check_digit(nine: str) -> str:
    """Append the Luhn check digit to nine digits (YYMMDDNNN), the way Skatteverket does."""
    for digit in "0123456789":
        if luhn_ok(nine + digit):
            return nine + digit
    raise AssertionError("no check digit")


def kinds(text):
    return [(f.kind, f.text) for f in scan(text)]


# ---- Luhn ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("digits", ["1212121212", "8112189876", "7010632391", "4607137454"])
def test_luhn_accepts_valid_numbers(digits):
    assert luhn_ok(digits)


@pytest.mark.parametrize("digits", ["1212121213", "8112189875", "7010632390", "0000000001"])
def test_luhn_refuses_wrong_check_digit(digits):
    assert not luhn_ok(digits)


# ---- personnummer ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Mannen hade pnr 121212-1212 på sig", "121212-1212"),
    ("19121212-1212", "19121212-1212"),        # with century
    ("191212121212", "191212121212"),          # with century, no separator
    ("1212121212", "1212121212"),              # ten digits, no separator
    ("121212+1212", "121212+1212"),            # '+' separator: over a hundred years old
    ("811218-9876.", "811218-9876"),
    ("701063-2391", "701063-2391"),            # samordningsnummer (day + 60)
    ("20240229-" + with_check_digit("240229123")[6:], None),  # leap day, built below
])
def test_personnummer_is_found(text, expected):
    found = kinds(text)
    assert len(found) == 1
    kind, matched = found[0]
    assert kind == "personnummer"
    if expected:
        assert matched == expected


def test_generated_personnummer_with_check_digit_is_found_and_one_off_is_not():
    good = with_check_digit("850709123")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert kinds(f"{good[:6]}-{good[6:]}") == [("personnummer", f"{good[:6]}-{good[6:]}")]
    assert kinds(f"{bad[:6]}-{bad[6:]}") == []


@pytest.mark.parametrize("text", [
    "121212-1213",        # wrong check digit
    "811318-9876",        # month 13
    "811232-9871",        # day 32
    "810230-" + with_check_digit("810230123")[6:],  # 30 February
    "1212121212121",      # 13 digits: part of a longer number
    "ordernr 12121212121212",
])
def test_invalid_personnummer_is_not_found(text):
    assert [k for k, _ in kinds(text) if k == "personnummer"] == []


# ---- phone numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Ring 070-123 45 67 om det händer igen", "070-123 45 67"),
    ("mobil 0701234567", "0701234567"),
    ("+46 70 123 45 67", "+46 70 123 45 67"),
    ("+46701234567", "+46701234567"),
    ("0046 70 123 45 67", "0046 70 123 45 67"),
    ("växeln 018-12 34 56", "018-12 34 56"),
    ("08-123 456 78", "08-123 456 78"),
    ("tel:070-1234567", "070-1234567"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),
])
def test_phone_numbers_are_found(text, expected):
    assert kinds(text) == [("phone", expected)]


# ---- e-mail ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("skriv till anna.svensson@example.se.", "anna.svensson@example.se"),
    ("A+B@sub.example.com", "A+B@sub.example.com"),
    ("åsa@kommun.se", "åsa@kommun.se"),
])
def test_email_is_found(text, expected):
    assert kinds(text) == [("email", expected)]


def test_not_email():
    assert kinds("på @platsen och a@b") == []


# ---- registration plates --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("bilen ABC 123 stod kvar", "ABC 123"),
    ("ABC123", "ABC123"),
    ("ny skylt ABC12D", "ABC12D"),
    ("MLB 45A brann", "MLB 45A"),
    ("en moped abc123", "abc123"),   # compact form typed in lower case
    ("ABC-123", "ABC-123"),
])
def test_plates_are_found(text, expected):
    assert kinds(text) == [("plate", expected)]


@pytest.mark.parametrize("text", [
    "och 123 personer",   # lower case with a space: Swedish words, not plates
    "ABCD 123",           # four letters
    "ABC 1234",           # four digits
    "IQV 123",            # letters not used on plates
    "ÅÄÖ 123",
])
def test_not_plates(text):
    assert [k for k, _ in kinds(text) if k == "plate"] == []


# ---- ordinary text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Klotter på väggen, 12 taggar",
    "Hände år 2023 och 2024",
    "Datum 2024-05-12 kl 21:30",
    "2024-05-12 2130",
    "20240512",
    "Fem personer, ca 3 st mopeder",
    "Ring 112 vid fara",
    "postnummer 753 20 Uppsala",
    "Busslinje 801, hållplats 12",
    "Temperatur -5 grader, 640 m från stationen",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert scan(text) == []


# ---- several at once, segments ---------------------------------------------------------------------

def test_several_findings_in_order_without_overlap():
    text = "Anna (121212-1212) ringde från 070-123 45 67, mejl a@b.se, bil ABC 123."
    found = scan(text)
    assert [f.kind for f in found] == ["personnummer", "phone", "email", "plate"]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    for f in found:
        assert text[f.start:f.end] == f.text


def test_segments_rebuild_the_text_and_mark_the_findings():
    text = "Ring 070-123 45 67 nu"
    parts = segments(text)
    assert "".join(piece for piece, _ in parts) == text
    assert parts == [("Ring ", None), ("070-123 45 67", "phone"), (" nu", None)]


def test_segments_of_clean_text_is_one_piece():
    assert segments("Inget här") == [("Inget här", None)]
    assert segments("") == []
