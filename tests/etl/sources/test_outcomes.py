from __future__ import annotations

import pytest

from etl.sources.outcomes import outcome_from_text


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Case Closed Case Resolved replaced lamp", "resolved"),
        ("Case Closed Case Noted", "no_action_needed"),
        ("Duplicate of Existing Case", "duplicate"),
        ("Case Invalid test", "administrative"),
        ("It does not fall under our jurisdiction.", "referred_elsewhere"),
        ("The inspector was unable to locate the vehicle.", "unable_to_locate"),
        ("Request withdrawn by the resident", "withdrawn"),
        ("Officers observed no evidence of the violation.", "no_action_needed"),
        ("", "resolved"),
    ],
)  # fmt: skip
def test_outcome_from_text(text, outcome):
    assert outcome_from_text(text) == outcome
