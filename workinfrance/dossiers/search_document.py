"""The dossiers table's search column and its index, declared on the model (see `Dossier.search_vector`).

PostgreSQL: a French full-text `tsvector` (configuration `wif_search`, created by migration 0003)
of the student's names (weights A, B), the employer (C), the number parts and SIRET (D), and the
unit as the lexeme '#unit<id>' (migration 0010: a search restricted to units asks the index for
them), GIN-indexed and queried by `workinfrance.backoffice.search`. SQLite (development, tests)
has no full-text type:
the same column holds the searched text in lower case, with a plain index, and the search there
runs on the fields themselves; the column only keeps both schemas in step with the model.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db.models import Expression, Index

CONFIG = "wif_search"
# Written out as SQL: the configuration is ours, and `setweight` has no Django expression.
POSTGRESQL_DOCUMENT = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, student_last_name), 'A')"
    f" || setweight(to_tsvector('{CONFIG}'::regconfig, student_first_name), 'B')"
    f" || setweight(to_tsvector('{CONFIG}'::regconfig, employer_name), 'C')"
    " || setweight(to_tsvector('simple'::regconfig, replace(coalesce(number, ''), '-', ' ')"
    " || ' ' || employer_siret), 'D')"
    " || CASE WHEN unit_id IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY['#unit' || unit_id::text]) END"
)
SQLITE_DOCUMENT = (
    "lower(replace(coalesce(number, ''), '-', ' ') || ' ' || student_last_name || ' '"
    " || student_first_name || ' ' || employer_name || ' ' || employer_siret)"
)


def units_tsquery(unit_ids) -> str:
    """The text of a tsquery matching the dossiers of these units ("'#unit1' | '#unit4'")."""
    return " | ".join(f"'#unit{int(unit_id)}'" for unit_id in sorted(unit_ids))


class SearchDocument(Expression):
    """The generated column's expression, per database (immutable: stored generated column)."""

    def __init__(self):
        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        if connection.vendor == "postgresql":
            return POSTGRESQL_DOCUMENT, []
        return SQLITE_DOCUMENT, []

    def deconstruct(self):
        return ("workinfrance.dossiers.search_document.SearchDocument", (), {})

    def __eq__(self, other):
        return isinstance(other, SearchDocument)

    def __hash__(self):
        return hash(SearchDocument)


class SearchIndex(GinIndex):
    """GIN on PostgreSQL; an ordinary index where GIN does not exist (SQLite)."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return "workinfrance.dossiers.search_document.SearchIndex", args, kwargs
