"""Searching dossiers by number, student or employer name, SIRET.

On PostgreSQL: full-text search with the French configuration on `dossiers_dossier.search_vector`,
a stored generated column with a GIN index (migration 0004 of this app). On SQLite:
case-insensitive substring matching over the same fields.
"""

import re

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

SEARCH_FIELDS = ("number", "student_first_name", "student_last_name", "employer_name", "employer_siret")
NUMBER_PATTERN = re.compile(r"^WIF-\d{4}-\w{2,3}-\d{6}$")
WORD_PATTERN = re.compile(r"\w+")


def search_terms(text: str) -> list[str]:
    """Words of the query; a dossier number's parts and a spaced SIRET become searchable words."""
    compact = re.sub(r"(?<=\d)\s+(?=\d)", "", text.strip())
    return WORD_PATTERN.findall(compact.lower())[:8]


def dossiers_search(queryset: QuerySet, text: str) -> QuerySet:
    terms = search_terms(text)
    if not terms:
        return queryset
    number = text.strip().upper()
    exact = Q(number=number) if NUMBER_PATTERN.match(number) else Q(pk__in=[])
    if connections[queryset.db].vendor == "postgresql":
        # Prefix matching on every word: "hadd boul" finds "Haddad", "Boulangerie".
        tsquery = " & ".join(f"{term}:*" for term in terms)
        table = queryset.model._meta.db_table
        # The user's words are a bound parameter; only our own table name is interpolated.
        matches = RawSQL(  # noqa: S611
            f'"{table}"."search_vector" @@ to_tsquery(\'french\'::regconfig, %s)',
            [tsquery],
            output_field=BooleanField(),
        )
        return queryset.filter(exact | Q(matches))
    words = Q()
    for term in terms:
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": term})
        words &= any_field
    return queryset.filter(exact | words)
