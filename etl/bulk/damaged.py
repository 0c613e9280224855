"""Keep stored text that a newer export repeats with damaged characters.

An export written in another encoding (Latin-1 or Windows-1252 read as UTF-8)
arrives with U+FFFD where each accented letter was. When the stored case
already has the readable text, replacing it would lose data, so a damaged value
that matches the stored one everywhere outside its U+FFFD runs is treated as
the same value. Any other difference is still an update.
"""

from __future__ import annotations

import re
from typing import Any

from cases.quality import UNREADABLE_TEXT, join_flags, split_flags
from etl.sources.chunk import CONTROL_PATTERN, REPLACEMENT

# Case fields that hold free text from the source.
TEXT_FIELDS = ("description", "address", "district")
_REPLACEMENT_RUN = re.compile(f"{REPLACEMENT}+")
_UNREADABLE = re.compile(f"{REPLACEMENT}|{CONTROL_PATTERN}")


def is_damaged_copy(new: str | None, stored: str | None) -> bool:
    """Tell whether ``new`` is ``stored`` with some characters replaced by U+FFFD.

    Each run of U+FFFD replaces one or more characters of ``stored``. The text
    between the runs must appear in ``stored`` in the same order, from its
    start to its end. A stored value that contains U+FFFD itself is not
    protected, because it is no better than the new one.
    """
    if not new or not stored or REPLACEMENT not in new or REPLACEMENT in stored:
        return False
    first, *middle, last = _REPLACEMENT_RUN.split(new)
    if not stored.startswith(first):
        return False
    # Leftmost matches leave the most room for the parts after them, so a
    # greedy scan finds a match whenever one exists.
    position = len(first) + 1
    for part in middle:
        found = stored.find(part, position)
        if found < 0:
            return False
        position = found + len(part) + 1
    return stored.endswith(last) and len(stored) - len(last) >= position


def keep_readable_text(
    stored: dict[str, Any], target: dict[str, Any], fields: tuple[str, ...]
) -> list[str]:
    """Put the stored text back into ``target`` where the export only damaged it.

    Returns the fields kept. When a field is kept, the target's unreadable-text
    flag is set as on the stored case, unless another text field of the export
    is still unreadable. Every other flag stays as the export gives it.
    """
    kept = [
        name
        for name in TEXT_FIELDS
        if name in fields and is_damaged_copy(target.get(name), stored.get(name))
    ]
    if not kept:
        return kept
    for name in kept:
        target[name] = stored[name]
    flags = set(split_flags(target.get("flags")))
    if UNREADABLE_TEXT in split_flags(stored.get("flags")) or _has_damage(target):
        flags.add(UNREADABLE_TEXT)
    else:
        flags.discard(UNREADABLE_TEXT)
    target["flags"] = join_flags(flags)
    return kept


def _has_damage(target: dict[str, Any]) -> bool:
    """Tell whether a text field of ``target`` is unreadable by the parsers' rule."""
    return any(_UNREADABLE.search(target.get(name) or "") for name in TEXT_FIELDS)
