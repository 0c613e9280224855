"""Contact details removed from text that the public can read.

A resident who lets the city publish a description often types a name, an
e-mail address or a phone number into it. Public outputs (the Open311
``description`` and the public case view) pass the description through
``public_description``, which removes e-mail addresses and phone numbers.
Names stay, because a pattern cannot tell them from street or business names.
The stored text stays as typed, for staff.
"""

from __future__ import annotations

import re

from cases.models import Case

REMOVED = "[removed]"

EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])",
)

# A North American number with or without the country code, area code
# parentheses, separators (space, dot or dash) and an extension, or a
# seven-digit local number whose two parts a dot or dash separates.
# NOTE: any ten digits, alone or grouped 3-3-4, count as a phone number, so an
# account or permit number written that way is removed too.
PHONE = re.compile(
    r"""
    (?<![\w+])
    (?:
        (?:\+?1[ .-]?)?
        (?:\(\d{3}\)[ ]?|\d{3}[ .-]?)
        \d{3}[ .-]?\d{4}
      |
        \d{3}[.-]\d{4}
    )
    (?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,5})?
    (?!\w)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def redact_contact_details(text: str) -> str:
    """Replace e-mail addresses and phone numbers in ``text`` with "[removed]"."""
    text = EMAIL.sub(REMOVED, text)
    return PHONE.sub(REMOVED, text)


def public_description(case: Case) -> str | None:
    """Return the description the public may read, or None if it is private."""
    if not case.description_public or case.description is None:
        return None
    return redact_contact_details(case.description)
