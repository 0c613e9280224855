"""Catalogue text (service types, departments, attribute questions and choices) in
one language, for the pages and API responses that residents read.

The case store keeps the English text. Translations come from the city
configuration, matched by code, so an entry that the configuration does not
list, such as a type created by an import, keeps its stored text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from cases.city_model import Attribute, CityConfig, ServiceType
from cases.languages import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class CatalogueText:
    """Look-ups of translated catalogue text; each takes the stored English text
    and returns it unchanged when no translation exists."""

    city: CityConfig
    language: str = DEFAULT_LANGUAGE

    def type_name(self, code: str, stored: str) -> str:
        return self._type_text(code, "name", stored)

    def type_description(self, code: str, stored: str) -> str:
        return self._type_text(code, "description", stored)

    def department_name(self, code: str, stored: str) -> str:
        department = self.city.departments.get(code)
        if department is None:
            return stored
        return department.translations.get(self.language, {}).get("name") or stored

    def attribute_text(
        self, type_code: str, attribute_code: str, field_name: str, stored: str
    ) -> str:
        """Return an attribute's description or datatype_description."""
        attribute = self._attribute(type_code, attribute_code)
        if attribute is None:
            return stored
        return attribute.translations.get(self.language, {}).get(field_name) or stored

    def choice_name(
        self, type_code: str, attribute_code: str, key: str, stored: str
    ) -> str:
        attribute = self._attribute(type_code, attribute_code)
        if attribute is None:
            return stored
        return attribute.value_translations.get(self.language, {}).get(key) or stored

    def _service_type(self, code: str) -> ServiceType | None:
        return self.city.service_types.get(code)

    def _type_text(self, code: str, field_name: str, stored: str) -> str:
        service_type = self._service_type(code)
        if service_type is None:
            return stored
        translations = service_type.translations.get(self.language, {})
        return translations.get(field_name) or stored

    def _attribute(self, type_code: str, attribute_code: str) -> Attribute | None:
        service_type = self._service_type(type_code)
        if service_type is None:
            return None
        return service_type.attribute(attribute_code)


def sort_key(text: str) -> str:
    """Sort key that places accented letters with their base letter (Á with A)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
