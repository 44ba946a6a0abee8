"""The dossiers table's indexes and search column are the model's: declared, and present under
those names on SQLite and PostgreSQL (migrations adopted what the back-office had created)."""

import importlib

from django.db import connection

from workinfrance.dossiers import search_document
from workinfrance.dossiers.models import Dossier


def test_every_declared_index_exists_and_no_undeclared_one_remains(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Dossier._meta.db_table)
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, Dossier._meta.db_table)
        }
    declared = {index.name for index in Dossier._meta.indexes}
    assert declared <= set(constraints)
    assert not [name for name in constraints if name.startswith("backoffice_")]
    assert "search_vector" in columns


def test_the_search_document_is_the_one_the_search_migration_wrote():
    migration = importlib.import_module("workinfrance.dossiers.migrations.0010_search_vector_unit_lexeme")
    assert search_document.POSTGRESQL_DOCUMENT == migration.SEARCH_DOCUMENT


def test_the_search_column_is_never_loaded(db):
    assert "search_vector" in Dossier.objects.all().query.deferred_loading[0]
