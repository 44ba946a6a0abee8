"""Bilingual data: administrators edit a French field and its `_en` twin; users see their language."""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    if (get_language() or "fr").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)
