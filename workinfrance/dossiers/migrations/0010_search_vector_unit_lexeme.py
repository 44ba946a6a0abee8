"""The search column also holds the dossier's unit, as one lexeme ('#unit12'), PostgreSQL only.

A name search is always restricted to the agent's units. Restricted by `unit_id` alone, PostgreSQL
ANDs the text index's matches with a bitmap of the whole unit from the unit's b-tree (300,000
entries for the biggest unit at 1M dossiers: 7-17 ms, more than the text search itself), or reads
every match nationwide and filters. With the unit inside the indexed document, the query asks the
text index for "rohan & traor & #unit1" and gets the unit's matches alone (22 -> 9 ms at 1M for
"Rohan Traore"). The `unit_id` condition stays: it is the rule; the lexeme only guides the index.

The column is generated: it is dropped and added again with the new expression (a table rewrite,
about a minute at 1M dossiers on 2 cores), then its GIN index is built again.
"""

import importlib

from django.db import migrations

SEARCH_COLUMN = "search_vector"
SEARCH_INDEX = "dossier_search_vector_idx"
# No word the search configuration produces starts with '#': typed text never matches it.
UNIT_LEXEME = (
    "CASE WHEN unit_id IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY['#unit' || unit_id::text]) END"
)
WORDS_DOCUMENT = importlib.import_module(
    "workinfrance.dossiers.migrations.0003_search_accents_typos_number_parts"
).SEARCH_DOCUMENT
# The searched document (a test checks that the model's expression and the column are exactly this).
SEARCH_DOCUMENT = f"{WORDS_DOCUMENT} || {UNIT_LEXEME}"


def _rebuild(schema_editor, document: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite searches the fields themselves (backoffice/search.py)
    run = schema_editor.execute
    run(f"ALTER TABLE dossiers_dossier DROP COLUMN {SEARCH_COLUMN}")  # drops its index too
    run(
        f"ALTER TABLE dossiers_dossier ADD COLUMN {SEARCH_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({document}) STORED"
    )
    run(f"CREATE INDEX {SEARCH_INDEX} ON dossiers_dossier USING gin ({SEARCH_COLUMN})")
    run("ANALYZE dossiers_dossier")


def add_unit(apps, schema_editor):
    _rebuild(schema_editor, SEARCH_DOCUMENT)


def remove_unit(apps, schema_editor):
    _rebuild(schema_editor, WORDS_DOCUMENT)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_merge_parties_and_message_reads")]

    operations = [migrations.RunPython(add_unit, remove_unit, elidable=False)]
