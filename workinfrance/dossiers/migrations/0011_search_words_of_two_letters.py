"""Two-letter words of the names ("Ba", "Ly", "Do") are known words too, PostgreSQL only.

The last word a search types is read as a prefix while it is not a known word of
`dossiers_search_word` (the agent may still be typing). That table held words of three letters or
more, so "Mariam Ba" searched `mariam & ba:*`: every name starting "ba" (Bakari, Barry, Bah...),
2,456 index entries to recheck, 67 ms at 1M dossiers, where `mariam & ba` takes 7 ms.
"""

from django.db import migrations

WORDS_TABLE = "dossiers_search_word"
WORDS_OF = (
    "SELECT DISTINCT w FROM {source} AS d, "
    "unnest(tsvector_to_array(to_tsvector('simple'::regconfig, unaccent(d.student_first_name || ' '"
    " || d.student_last_name || ' ' || d.employer_name)))) AS w WHERE w ~ '^[a-z]{{{shortest},}}$'"
)


def _collect_function(shortest: int) -> str:
    words = WORDS_OF.format(source="changed", shortest=shortest)
    return f"""
        CREATE OR REPLACE FUNCTION {WORDS_TABLE}_collect() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {WORDS_TABLE} (word) {words} ON CONFLICT DO NOTHING;
          RETURN NULL;
        END $$
        """


def add_two_letter_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_collect_function(shortest=2))
    words = WORDS_OF.format(source="dossiers_dossier", shortest=2)
    schema_editor.execute(f"INSERT INTO {WORDS_TABLE} (word) {words} ON CONFLICT DO NOTHING")


def remove_two_letter_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_collect_function(shortest=3))
    schema_editor.execute(f"DELETE FROM {WORDS_TABLE} WHERE length(word) < 3")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0010_search_vector_unit_lexeme")]

    operations = [migrations.RunPython(add_two_letter_words, remove_two_letter_words, elidable=False)]
