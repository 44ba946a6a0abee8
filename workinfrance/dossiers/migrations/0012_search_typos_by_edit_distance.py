"""The `fuzzystrmatch` extension (PostgreSQL's contrib), for the edit distance of a typed word to
the known words of the names (backoffice/search.py ranks its corrections by it)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0011_search_words_of_two_letters")]

    # Not dropped when migrating back: another schema may use the extension.
    operations = [migrations.RunPython(create, migrations.RunPython.noop, elidable=False)]
