"""Reads about accounts that other apps need (units of staff members)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


def user_unit_ids(user: User | AnonymousUser | None) -> frozenset[int]:
    """The units of a staff member (empty for anyone else); cached by `User.unit_ids`."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return user.unit_ids
