"""Tests for translations of catalogue text in the city configuration."""

from __future__ import annotations

import pytest

from cases.catalogue_text import CatalogueText, sort_key
from cases.city import load_city
from tests.cases.test_city import (
    MINIMAL,
    edited,
    only_problem,
    problems_of,
    write_city,
)

TRANSLATED = edited(
    'code = "POTHOLE"\nname = "Pothole"\n',
    'code = "POTHOLE"\nname = "Pothole"\ntranslations.es.name = "Bache"\n'
    'description = "A hole in the street."\n'
    'translations.es.description = "Un hoyo en la calle."\n',
)
TRANSLATED = edited(
    'code = "PW"\nname = "Public Works"\n',
    'code = "PW"\nname = "Public Works"\ntranslations.es.name = "Obras Públicas"\n',
    TRANSLATED,
)
LIST_ATTRIBUTE = """
[[service_types.attributes]]
code = "size"
datatype = "singlevaluelist"
description = "How big is it?"
{translation}
values = [
    {{ key = "small", name = "Small"{small} }},
    {{ key = "large", name = "Large" }},
]
"""


def with_attribute(translation: str = "", small: str = "") -> str:
    """MINIMAL with a list attribute on its last type (MISSED_TRASH)."""
    return MINIMAL + LIST_ATTRIBUTE.format(translation=translation, small=small)


# --- parsed translations ---


def test_type_and_department_translations_parsed(tmp_path):
    city = load_city(str(write_city(tmp_path, TRANSLATED)))
    pothole = city.service_types["POTHOLE"]
    assert pothole.translations == {
        "es": {"name": "Bache", "description": "Un hoyo en la calle."}
    }
    assert pothole.text("name", "es") == "Bache"
    assert pothole.text("description", "es") == "Un hoyo en la calle."
    assert city.departments["PW"].text("name", "es") == "Obras Públicas"


def test_missing_translation_falls_back_to_english(tmp_path):
    city = load_city(str(write_city(tmp_path, TRANSLATED)))
    assert city.service_types["MISSED_TRASH"].text("name", "es") == (
        "Missed trash pickup"
    )
    assert city.departments["SAN"].text("name", "es") == "Sanitation"
    assert city.service_types["POTHOLE"].text("name", "en") == "Pothole"


def test_attribute_and_choice_translations_parsed(tmp_path):
    text = with_attribute(
        translation='translations.es.description = "¿Qué tamaño tiene?"',
        small=', translations.es.name = "Pequeño"',
    )
    city = load_city(str(write_city(tmp_path, text)))
    size = city.service_types["MISSED_TRASH"].attributes[0]
    assert size.values == (("small", "Small"), ("large", "Large"))
    assert size.text("description", "es") == "¿Qué tamaño tiene?"
    assert size.value_name("small", "es") == "Pequeño"
    assert size.value_name("large", "es") == "Large"
    assert size.value_name("small", "en") == "Small"


def test_entries_without_translations_have_none(tmp_path):
    city = load_city(str(write_city(tmp_path, MINIMAL)))
    assert city.service_types["POTHOLE"].translations == {}
    assert city.departments["PW"].translations == {}


# --- validation ---


def test_unknown_language(tmp_path):
    text = edited(
        'translations.es.name = "Bache"', 'translations.fr.name = "Bache"', TRANSLATED
    )
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").translations: language "fr" is not a '
        "language the resident portal offers; use one of es"
    )


def test_misspelt_language_suggests_one(tmp_path):
    text = edited(
        'translations.es.name = "Obras', 'translations.esp.name = "Obras', TRANSLATED
    )
    assert only_problem(tmp_path, text) == (
        'departments[0] (code "PW").translations: language "esp" is not a '
        'language the resident portal offers; did you mean "es"?'
    )


def test_english_translation_rejected(tmp_path):
    text = edited(
        'translations.es.name = "Bache"', 'translations.en.name = "Bache"', TRANSLATED
    )
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").translations: language "en" is the '
        "default language; write the English text in the entry's own keys instead"
    )


def test_unknown_translated_key(tmp_path):
    text = edited(
        'translations.es.name = "Bache"', 'translations.es.nmae = "Bache"', TRANSLATED
    )
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").translations.es: unknown key "nmae"; '
        'did you mean "name"?'
    )


def test_key_that_cannot_be_translated(tmp_path):
    text = edited(
        'translations.es.name = "Bache"',
        'translations.es.name = "Bache"\ntranslations.es.kind = "queja"',
        TRANSLATED,
    )
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").translations.es: unknown key "kind"; '
        "allowed keys are description, name"
    )


def test_translation_of_unset_description(tmp_path):
    text = edited(
        'translations.es.name = "Obras Públicas"',
        'translations.es.name = "Obras Públicas"\n'
        'translations.es.description = "Calles."',
        TRANSLATED,
    )
    assert only_problem(tmp_path, text) == (
        'departments[0] (code "PW").translations.es: description "Calles." '
        "translates a description that is not set; add the English description first"
    )


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_translation(tmp_path, empty):
    text = edited('"Bache"', f'"{empty}"', TRANSLATED)
    assert only_problem(tmp_path, text) == (
        f'service_types[0] (code "POTHOLE").translations.es: name "{empty}" is '
        "empty; write the translation or remove the key so that the English text "
        "is shown"
    )


def test_empty_language_table(tmp_path):
    text = edited(
        'translations.es.name = "Obras Públicas"', "translations.es = {}", TRANSLATED
    )
    assert only_problem(tmp_path, text) == (
        'departments[0] (code "PW").translations.es: translations.es is empty; '
        "translate at least one of name, description or remove it"
    )


def test_translation_not_a_string(tmp_path):
    text = edited('"Bache"', "3", TRANSLATED)
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").translations.es: name must be a string, '
        "not integer 3"
    )


def test_translations_not_a_table(tmp_path):
    text = edited('name = "Pothole"', 'name = "Pothole"\ntranslations = "Bache"')
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE"): translations must be a table, not '
        'string "Bache"'
    )


def test_choice_translation_problems_name_the_key(tmp_path):
    text = with_attribute(small=', translations.es.name = ""')
    assert only_problem(tmp_path, text) == (
        'service_types[1] (code "MISSED_TRASH").attributes[0].values[0] '
        '(key "small").translations.es: name "" is empty; write the translation or '
        "remove the key so that the English text is shown"
    )


def test_choice_translation_unknown_key(tmp_path):
    text = with_attribute(small=', translations.es.label = "Pequeño"')
    assert only_problem(tmp_path, text) == (
        'service_types[1] (code "MISSED_TRASH").attributes[0].values[0] '
        '(key "small").translations.es: unknown key "label"; allowed keys are name'
    )


def test_attribute_translation_of_unset_datatype_description(tmp_path):
    text = with_attribute(translation='translations.es.datatype_description = "Uno"')
    assert only_problem(tmp_path, text) == (
        'service_types[1] (code "MISSED_TRASH").attributes[0].translations.es: '
        'datatype_description "Uno" translates a datatype_description that is not '
        "set; add the English datatype_description first"
    )


def test_every_translation_problem_reported(tmp_path):
    text = edited(
        'translations.es.name = "Bache"', 'translations.fr.name = "Bache"', TRANSLATED
    )
    text = edited('"Obras Públicas"', '""', text)
    problems = problems_of(tmp_path, text)
    assert len(problems) == 2, problems


# --- CatalogueText ---


def test_catalogue_text_uses_translation(tmp_path):
    city = load_city(str(write_city(tmp_path, TRANSLATED)))
    spanish = CatalogueText(city, "es")
    assert spanish.type_name("POTHOLE", "Pothole (stored)") == "Bache"
    assert spanish.department_name("PW", "Public Works") == "Obras Públicas"


def test_catalogue_text_keeps_stored_text(tmp_path):
    city = load_city(str(write_city(tmp_path, TRANSLATED)))
    spanish = CatalogueText(city, "es")
    english = CatalogueText(city, "en")
    assert spanish.type_name("MISSED_TRASH", "Trash") == "Trash"
    assert spanish.type_name("IMPORTED", "Imported type") == "Imported type"
    assert spanish.department_name("XX", "Other") == "Other"
    assert spanish.choice_name("POTHOLE", "nope", "k", "Name") == "Name"
    assert english.type_name("POTHOLE", "Pothole (stored)") == "Pothole (stored)"


def test_sort_key_folds_accents():
    names = ["Basura", "Árbol caído", "agua"]
    assert sorted(names, key=sort_key) == ["agua", "Árbol caído", "Basura"]


# --- the Wilmington configuration ---


@pytest.fixture(scope="module")
def wilmington():
    return load_city("wilmington")


def test_wilmington_departments_in_spanish(wilmington):
    for department in wilmington.departments.values():
        spanish = department.translations.get("es", {})
        assert spanish.get("name"), department.code
        if department.description:
            assert spanish.get("description"), department.code


def test_wilmington_service_types_in_spanish(wilmington):
    for service_type in wilmington.service_types.values():
        spanish = service_type.translations.get("es", {})
        assert spanish.get("name"), service_type.code
        if service_type.description:
            assert spanish.get("description"), service_type.code


def test_wilmington_attributes_in_spanish(wilmington):
    for service_type in wilmington.service_types.values():
        for attribute in service_type.attributes:
            where = f"{service_type.code}.{attribute.code}"
            spanish = attribute.translations.get("es", {})
            assert spanish.get("description"), where
            if attribute.datatype_description:
                assert spanish.get("datatype_description"), where
            choices = attribute.value_translations.get("es", {})
            for key, _ in attribute.values:
                assert choices.get(key), f"{where} choice {key}"
