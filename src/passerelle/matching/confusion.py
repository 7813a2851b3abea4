"""Comparing identifiers read by a camera or a person: OCR-confusable characters.

Plates and document numbers are looked up by their confusion key (every
character of ``0ODQ``, ``1I``, ``2Z``, ``5S``, ``8B``, ``6G`` mapped to one
representative); ``text_outcome`` then tells an exact reading from a
confusable one and counts the substitutions, naming only the classes.
"""

from __future__ import annotations

from typing import Any

from passerelle.matching.keys import CONFUSION_CLASSES, confusion_key

_CLASS_OF = {ch: "/".join(cls) for cls in CONFUSION_CLASSES for ch in cls}


def text_outcome(query: str, record: str) -> tuple[str, int, list[str]]:
    """(``exact`` | ``confusable`` | ``different``, substitutions, classes involved)."""
    if query == record:
        return "exact", 0, []
    if len(query) != len(record) or confusion_key(query) != confusion_key(record):
        return "different", 0, []
    classes = sorted({_CLASS_OF[a] for a, b in zip(query, record, strict=True) if a != b})
    subs = sum(1 for a, b in zip(query, record, strict=True) if a != b)
    return "confusable", subs, classes


def feature(name: str, level: str, weight: float, method: str, **extra: Any) -> dict[str, Any]:
    return {"feature": name, "level": level, "weight": weight, "method": method, **extra}
