"""One label per case status and language, used by every page."""

from __future__ import annotations

import pytest

from cases.languages import PORTAL_LANGUAGES
from cases.lifecycle import STATUS_LABELS, STATUSES, status_label


@pytest.mark.parametrize("language", PORTAL_LANGUAGES)
def test_every_status_has_label(language):
    assert set(STATUS_LABELS[language]) == set(STATUSES)


@pytest.mark.parametrize("language", PORTAL_LANGUAGES)
def test_labels_are_distinct(language):
    labels = list(STATUS_LABELS[language].values())
    assert len(set(labels)) == len(labels)


def test_status_label_in_spanish():
    assert status_label("in_progress", "es") == "En curso"


def test_status_label_falls_back():
    assert status_label("in_progress", "fr") == "In progress"
    assert status_label("awaiting_parts") == "awaiting parts"
