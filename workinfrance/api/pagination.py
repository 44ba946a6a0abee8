"""Keyset (cursor) pagination on (filing time, id): a page costs one query whatever its depth, and
dossiers filed while a client pages through appear after its cursor, never twice nor shifting others."""

import base64
import binascii
import datetime
import json

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .problems import Problem

MAX_LIMIT = 200
SORTS = {"filed": ("submitted_at", "pk"), "-filed": ("-submitted_at", "-pk")}


def cursor_encode(submitted_at: datetime.datetime, pk: int, sort: str) -> str:
    raw = json.dumps([submitted_at.isoformat(), pk, sort], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, sort: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, pk, cursor_sort = json.loads(raw)
        value = datetime.datetime.fromisoformat(at)
        if cursor_sort != sort or not isinstance(pk, int) or value.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Problem(
            422, "invalid", _("Curseur invalide : reprenez le « next_cursor » d'une réponse précédente.")
        ) from None
    return value, pk


def keyset_page(queryset: QuerySet, *, sort: str, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """One page of rows and the cursor of the next one (None at the end)."""
    if cursor:
        at, pk = cursor_decode(cursor, sort)
        if sort == "filed":
            queryset = queryset.filter(Q(submitted_at__gt=at) | Q(submitted_at=at, pk__gt=pk))
        else:
            queryset = queryset.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk))
    rows = list(queryset.order_by(*SORTS[sort])[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], cursor_encode(last.submitted_at, last.pk, sort)
