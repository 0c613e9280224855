"""Case numbers: ``YY-NNNNNN-C``, readable over the phone and self-checking.

YY is the two-digit year of creation in city time, NNNNNN a per-year sequence
(six digits, more once a year passes 999,999 cases) and C a Damm check digit
over the preceding digits. The Damm scheme catches every single-digit error
and every transposition of adjacent digits, so a mistyped number is reported
as invalid rather than looked up as "not found".
"""

from __future__ import annotations

import re

import numpy as np

# Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
_DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_SHAPE = re.compile(r"^(\d{2})-?(\d{6,9})-?(\d)$")
_SPACES = re.compile(r"\s+")


class InvalidCaseNumber(ValueError):
    """A string that is not a well-formed case number or fails its check digit."""


def damm_check_digit(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM_TABLE[interim][int(char)]
    return interim


def format_case_number(year: int, sequence: int) -> str:
    """Build the case number for a creation year and per-year sequence number."""
    if sequence < 1:
        raise ValueError(f"case sequence must be positive, not {sequence}")
    body = f"{year % 100:02d}{sequence:06d}"
    return f"{body[:2]}-{body[2:]}-{damm_check_digit(body)}"


def format_case_numbers(years: np.ndarray, sequences: np.ndarray) -> list[str]:
    """Build the case numbers of many cases at once, as ``format_case_number`` does.

    ``years`` and ``sequences`` are integer arrays of equal length.
    """
    if len(sequences) == 0:
        return []
    if sequences.max() > 999_999 or sequences.min() < 1:
        return [
            format_case_number(year, sequence)
            for year, sequence in zip(years.tolist(), sequences.tolist(), strict=True)
        ]
    # The eight digits YYNNNNNN, their Damm check digit, and the number's text.
    body = (years % 100) * 1_000_000 + sequences
    digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    table = np.array(_DAMM_TABLE, dtype=np.int8)
    check = np.zeros(len(body), dtype=np.int64)
    for position in range(8):
        check = table[check, digits[:, position]]
    characters = np.empty((len(body), 11), dtype=np.uint32)
    characters[:, [0, 1]] = digits[:, :2] + ord("0")
    characters[:, 2] = characters[:, 9] = ord("-")
    characters[:, 3:9] = digits[:, 2:] + ord("0")
    characters[:, 10] = check + ord("0")
    return characters.view("<U11").ravel().tolist()


def _compact(text: str) -> str:
    """Remove spaces and treat a space used as a separator like a dash."""
    parts = _SPACES.split(text.strip())
    return "-".join(parts) if len(parts) == 3 else "".join(parts)


def looks_like_case_number(text: str) -> bool:
    """Tell whether text has the shape of a case number, check digit aside."""
    return bool(_SHAPE.match(_compact(text)))


def normalize_case_number(text: str) -> str:
    """Return the canonical ``YY-NNNNNN-C`` form, accepting spaces and missing dashes.

    Raises InvalidCaseNumber when the shape is wrong or the check digit fails.
    """
    match = _SHAPE.match(_compact(text))
    if not match:
        raise InvalidCaseNumber(
            f"{text!r} is not a case number; expected the form 26-004213-7"
        )
    year, sequence, check = match.groups()
    if damm_check_digit(year + sequence) != int(check):
        raise InvalidCaseNumber(
            f"{text!r} is not a valid case number: its check digit does not match; "
            "check the digits and try again"
        )
    return f"{year}-{sequence}-{check}"
