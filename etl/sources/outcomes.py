"""Read a closed case's outcome from a source's resolution text.

The rules are keyword patterns, tried in order; text matching none of them on a
closed case is ``resolved``. Open cases have no outcome.
"""

from __future__ import annotations

import re

_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("duplicate", ("duplicate",)),
    ("administrative", ("case invalid", "test case", r"\binvalid\b")),
    (
        "unable_to_locate",
        ("unable to locate", "could not (be )?locate", "could not find"),
    ),
    (
        "referred_elsewhere",
        (
            "does not fall under",
            "not within .*jurisdiction",
            "referred out",
            "external agency",
            "has referred this (request|complaint)",
            "transferred",
        ),
    ),
    ("withdrawn", ("withdrawn", "cancell?ed by", "customer cancel")),
    (
        "no_action_needed",
        (
            "case noted",
            "no evidence",
            "not necessary",
            "did not violate",
            "no violation",
            "were gone",
            "no .* was found",
        ),
    ),
)

RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile("|".join(patterns), re.IGNORECASE), outcome)
    for outcome, patterns in _KEYWORDS
)


def outcome_from_text(text: str) -> str:
    """Return the outcome that ``text`` states, or ``resolved``."""
    for pattern, outcome in RULES:
        if pattern.search(text):
            return outcome
    return "resolved"
