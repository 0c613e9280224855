"""Validate the optional ``translations`` tables of catalogue entries.

An entry translates a text field by ``translations.<language>.<field>`` next to
the English field, for example ``translations.es.name = "Bache"`` beside
``name = "Pothole"``. English is the default, so only the portal's other
languages may appear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases.city_model import Translations
from cases.config_reader import ConfigReader, choice_message, show
from cases.languages import DEFAULT_LANGUAGE, TRANSLATION_LANGUAGES


def parse_translations(
    reader: ConfigReader,
    table: Mapping[str, Any],
    where: str,
    english: Mapping[str, str | None],
) -> Translations:
    """Read ``table["translations"]``; ``english`` maps each translatable field to
    its English text, which is empty or None when the entry does not set it.

    Problems are recorded on ``reader``. Only valid translations are returned.
    """
    if "translations" not in table:
        return {}
    languages = reader.get(table, "translations", "table", where)
    if languages is None:
        return {}
    where = f"{where}.translations"
    translations: Translations = {}
    for language in languages:
        if not _check_language(reader, language, where):
            continue
        texts = _parse_language(reader, languages, language, where, english)
        if texts:
            translations[language] = texts
    return translations


def _check_language(reader: ConfigReader, language: str, where: str) -> bool:
    if language == DEFAULT_LANGUAGE:
        reader.report(
            where,
            f"language {show(language)} is the default language; write the English "
            "text in the entry's own keys instead",
        )
        return False
    if language not in TRANSLATION_LANGUAGES:
        message = choice_message(
            "language",
            language,
            TRANSLATION_LANGUAGES,
            "a language the resident portal offers",
            fallback=f"use one of {', '.join(TRANSLATION_LANGUAGES)}",
        )
        reader.report(where, message)
        return False
    return True


def _parse_language(
    reader: ConfigReader,
    languages: Mapping[str, Any],
    language: str,
    where: str,
    english: Mapping[str, str | None],
) -> dict[str, str]:
    texts_table = reader.get(languages, language, "table", where)
    if texts_table is None:
        return {}
    where = f"{where}.{language}"
    if not texts_table:
        reader.report(
            where,
            f"translations.{language} is empty; translate at least one of "
            f"{', '.join(english)} or remove it",
        )
        return {}
    reader.check_keys(texts_table, tuple(english), where)
    texts: dict[str, str] = {}
    for field_name in texts_table:
        if field_name not in english:
            continue
        text = reader.get(texts_table, field_name, "string", where)
        if text is None:
            continue
        if not text.strip():
            reader.report(
                where,
                f"{field_name} {show(text)} is empty; write the translation or "
                "remove the key so that the English text is shown",
            )
            continue
        if not english[field_name]:
            reader.report(
                where,
                f"{field_name} {show(text)} translates a {field_name} that is not "
                f"set; add the English {field_name} first",
            )
            continue
        texts[field_name] = text
    return texts
