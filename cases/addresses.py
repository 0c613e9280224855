"""Street addresses compared by a normalised form.

Residents and agents type the same address many ways: "3897 Nutmeg Avenue",
"3897 nutmeg ave." and "3897  NUTMEG AVE" are one place. ``normalise_address``
maps them all to "3897 nutmeg ave", so duplicate checks compare like with like.
Stored addresses stay as typed because staff and residents read them.
"""

from __future__ import annotations

import re

# Full words and common variants, each mapped to its USPS standard abbreviation.
# Only the common street suffixes, directionals and unit designators are listed.
STREET_ABBREVIATIONS: dict[str, str] = {
    # Street suffixes
    "alley": "aly",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "circle": "cir",
    "court": "ct",
    "crossing": "xing",
    "drive": "dr",
    "expressway": "expy",
    "highway": "hwy",
    "lane": "ln",
    "parkway": "pkwy",
    "place": "pl",
    "plaza": "plz",
    "road": "rd",
    "square": "sq",
    "street": "st",
    "str": "st",
    "terrace": "ter",
    "trail": "trl",
    "turnpike": "tpke",
    # Directionals
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    # Unit designators
    "apartment": "apt",
    "building": "bldg",
    "floor": "fl",
    "suite": "ste",
}

_APOSTROPHES = re.compile(r"['\u2019]")
_NOT_WORD = re.compile(r"[^\w]+|_")


def normalise_address(address: str | None) -> str:
    """Return the comparison form of an address, or "" for a blank one.

    The form is case-folded, has apostrophes deleted ("O'Neil" is "oneil"),
    has other punctuation turned into spaces, has single spaces between words,
    and uses the abbreviation of every word in ``STREET_ABBREVIATIONS``.
    """
    if not address:
        return ""
    text = _APOSTROPHES.sub("", address.casefold())
    words = _NOT_WORD.sub(" ", text).split()
    return " ".join(STREET_ABBREVIATIONS.get(word, word) for word in words)


def address_anchor(normalised: str) -> str:
    """Return a word that stored spellings of a normalised address contain.

    This is the house number when the address starts with one, else its longest
    word that is not an abbreviation (stored text may spell "rd" as "Road").
    Callers use it to prefilter stored addresses with a case-insensitive
    substring match in SQL before comparing normalised forms in Python.
    NOTE: the prefilter misses a word with an apostrophe removed ("oneil"), one
    with non-ASCII letters that SQLite's lower() leaves alone, and spelled-out
    forms of an address made only of abbreviations ("e rd" for "East Road").
    """
    words = normalised.split()
    if not words:
        return ""
    if words[0].isdigit():
        return words[0]
    abbreviations = set(STREET_ABBREVIATIONS.values())
    spelled_out = [word for word in words if word not in abbreviations]
    return max(spelled_out or words, key=len)
