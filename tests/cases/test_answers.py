"""Attribute values shown to staff as question and answer text."""

from __future__ import annotations

from cases.answers import describe_answers
from cases.city import load_city
from tests.live_server import WEB_CITY


def test_answers_use_questions_and_choice_names():
    city = load_city(str(WEB_CITY))
    answers = describe_answers(
        city,
        "POTHOLE",
        {"hazards": ["water", "traffic"], "size": "large", "depth_cm": 12},
    )
    assert answers == [
        ("How big is it?", "Large"),
        ("Which hazards are nearby?", "Standing water, Heavy traffic"),
        ("Depth in centimetres", "12"),
    ]


def test_unknown_answers_show_code_and_value():
    city = load_city(str(WEB_CITY))
    assert describe_answers(city, "POTHOLE", {"old_question": "x"}) == [
        ("old_question", "x")
    ]
    assert describe_answers(city, "IMPORTED", {"a": ["1", "2"]}) == [("a", "1, 2")]
