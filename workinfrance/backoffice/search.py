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


def _exact_filter(text: str) -> Q | None:
    """Numbers and SIRET/SIREN by exact, indexed comparison; names are searched word by word."""
    compact = re.sub(r"\s+", "", text)
    if NUMBER_PATTERN.match(compact.upper()):
        return Q(number=compact.upper())
    if compact.isdigit() and len(compact) == 14:
        return Q(employer_siret=compact)
    if compact.isdigit() and len(compact) == 9:
        # A SIREN: every establishment of the company (a range, so the SIRET index serves it).
        return Q(employer_siret__gte=compact, employer_siret__lte=compact + "99999")
    return None


def dossiers_search(queryset: QuerySet, text: str) -> QuerySet:
    exact = _exact_filter(text)
    if exact is not None:
        return queryset.filter(exact)
    terms = search_terms(text)
    if not terms:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        # Whole words, the last one also as a prefix (as typed): "boulangerie dup" finds
        # "Boulangerie Dupont". Prefixes on every word would cost several times more at scale.
        tsquery = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
        table = queryset.model._meta.db_table
        # The user's words are a bound parameter; only our own table name is interpolated.
        matches = RawSQL(  # noqa: S611
            f'"{table}"."search_vector" @@ to_tsquery(\'french\'::regconfig, %s)',
            [tsquery],
            output_field=BooleanField(),
        )
        return queryset.filter(matches)
    words = Q()
    for term in terms:
        any_field = Q()
        for field in SEARCH_FIELDS:
            any_field |= Q(**{f"{field}__icontains": term})
        words &= any_field
    return queryset.filter(words)
