"""The portal's interface text covers every language the loader accepts."""

from __future__ import annotations

from cases.languages import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from dashboard.portal.messages import MESSAGES


def test_messages_for_every_language():
    assert set(MESSAGES) == set(PORTAL_LANGUAGES)


def test_languages_have_same_keys():
    english_keys = set(MESSAGES[DEFAULT_LANGUAGE])
    for language in PORTAL_LANGUAGES:
        assert set(MESSAGES[language]) == english_keys, language
