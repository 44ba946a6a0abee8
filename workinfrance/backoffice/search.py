"""Searching dossiers by number, student or employer name, SIRET.

On PostgreSQL: full-text search with the French configuration over one expression, indexed by
a GIN expression index (migration 0001 of this app); the WHERE clause repeats that expression
verbatim so the planner uses the index. On SQLite: case-insensitive substring matching.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL


def search_document_sql(table: str = "") -> str:
    """The searched text as SQL; the GIN index of migration 0001 is built on `search_document_sql()`."""
    col = (lambda name: f'"{table}"."{name}"') if table else (lambda name: name)
    return (
        "to_tsvector('french'::regconfig, "
        f"replace(coalesce({col('number')}, ''), '-', ' ') || ' ' || {col('student_first_name')} || ' ' || "
        f"{col('student_last_name')} || ' ' || {col('employer_name')} || ' ' || {col('employer_siret')})"
    )


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
    if connection.vendor == "postgresql":
        # Prefix matching on every word: "hadd boul" finds "Haddad", "Boulangerie".
        tsquery = " & ".join(f"{term}:*" for term in terms)
        # The user's words are a bound parameter; only our own column names are interpolated.
        matches = RawSQL(  # noqa: S611
            f"{search_document_sql(queryset.model._meta.db_table)} @@ to_tsquery('french'::regconfig, %s)",
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
