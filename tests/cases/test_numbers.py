import itertools

import pytest

from cases.numbers import (
    InvalidCaseNumber,
    damm_check_digit,
    format_case_number,
    looks_like_case_number,
    normalize_case_number,
)


def test_damm_known_value():
    # Worked example from the Damm algorithm's description: 572 -> check digit 4.
    assert damm_check_digit("572") == 4


def test_format_has_year_sequence_check():
    number = format_case_number(2026, 4213)
    assert number.startswith("26-004213-")
    assert normalize_case_number(number) == number


def test_format_grows_past_six_digits():
    number = format_case_number(2031, 1_234_567)
    assert number.startswith("31-1234567-")
    assert normalize_case_number(number) == number


@pytest.mark.parametrize(
    "spelling", ["26 004213 {c}", "26004213{c}", " 26-004213-{c} "]
)
def test_normalize_accepts_spaces_and_no_dashes(spelling):
    number = format_case_number(2026, 4213)
    check = number[-1]
    assert normalize_case_number(spelling.format(c=check)) == number


def test_every_single_digit_error_is_invalid():
    number = format_case_number(2026, 4213).replace("-", "")
    for position, digit in itertools.product(range(len(number)), "0123456789"):
        if number[position] == digit:
            continue
        typo = number[:position] + digit + number[position + 1 :]
        with pytest.raises(InvalidCaseNumber, match="check digit"):
            normalize_case_number(typo)


def test_every_adjacent_transposition_is_invalid():
    number = format_case_number(2026, 4213).replace("-", "")
    for position in range(len(number) - 1):
        swapped = (
            number[:position]
            + number[position + 1]
            + number[position]
            + number[position + 2 :]
        )
        if swapped == number:
            continue
        with pytest.raises(InvalidCaseNumber):
            normalize_case_number(swapped)


@pytest.mark.parametrize("text", ["", "abc", "26-0042-1", "2026-004213-7"])
def test_malformed_numbers_rejected(text):
    assert not looks_like_case_number(text)
    with pytest.raises(InvalidCaseNumber, match="not a case number"):
        normalize_case_number(text)
