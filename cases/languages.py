"""The languages the resident portal offers, shared by the portal and the city loader.

English is the language of the catalogue text in the city configuration. The other
languages may have translations of that text, and the portal shows English
wherever a translation is missing. A new language needs its interface text in
``dashboard.portal.messages`` as well as a code here.
"""

from __future__ import annotations

DEFAULT_LANGUAGE = "en"
PORTAL_LANGUAGES: tuple[str, ...] = (DEFAULT_LANGUAGE, "es")
TRANSLATION_LANGUAGES: tuple[str, ...] = tuple(
    code for code in PORTAL_LANGUAGES if code != DEFAULT_LANGUAGE
)
