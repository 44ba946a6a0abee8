"""Search what agents type (PostgreSQL only; SQLite searches by substring, see backoffice/search.py).

- Text search configuration `wif_search`: French stemming after `unaccent`, so "Lefevre" finds
  "Lefèvre" and "Helene" finds "Hélène" (and the other way round).
- `search_vector` (replaces the column of backoffice 0004): the student's last name weighted A,
  first names B, employer C, number parts and SIRET D, so that ranking puts the dossier whose
  *name* matches first.
- `dossiers_search_word`: every distinct word of the names (unaccented, lower case, letters
  only), with a trigram index: a word the agent typed that no dossier contains is corrected to
  its nearest words ("Hadadd" -> "haddad") before the full-text search. Kept up to date by
  statement-level triggers on dossiers (words are never removed: a stale word only costs a
  suggestion that matches nothing).
- `dossier_number_sequence_idx` on (unit, integer sequence of the number): "123", "000123" or
  "75-000123" find WIF-2026-75-000123 within the unit by one index probe.
"""

from django.db import migrations

CONFIG = "wif_search"
OLD_SEARCH_INDEX = "backoffice_dossier_search_vector_idx"  # backoffice 0004
SEARCH_INDEX = "dossier_search_vector_idx"
SEARCH_COLUMN = "search_vector"
# The searched document (a test checks that the column holds exactly this).
SEARCH_DOCUMENT = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, student_last_name), 'A')"
    f" || setweight(to_tsvector('{CONFIG}'::regconfig, student_first_name), 'B')"
    f" || setweight(to_tsvector('{CONFIG}'::regconfig, employer_name), 'C')"
    " || setweight(to_tsvector('simple'::regconfig, replace(coalesce(number, ''), '-', ' ')"
    " || ' ' || employer_siret), 'D')"
)
# The sequence of a dossier number (WIF-2026-75-000123 -> 123); one expression for index and query.
NUMBER_SEQUENCE = "((substring(number FROM '-([0-9]{1,9})$'))::integer)"
SEQUENCE_INDEX = "dossier_number_sequence_idx"
WORDS_TABLE = "dossiers_search_word"
WORDS_OF = (
    "SELECT DISTINCT w FROM {source} AS d, "
    "unnest(tsvector_to_array(to_tsvector('simple'::regconfig, unaccent(d.student_first_name || ' '"
    " || d.student_last_name || ' ' || d.employer_name)))) AS w WHERE w ~ '^[a-z]{{3,}}$'"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run("CREATE EXTENSION IF NOT EXISTS unaccent")
    run("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    run(
        f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.french);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
              ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
          END IF;
        END $$
        """
    )
    run(f"DROP INDEX IF EXISTS {OLD_SEARCH_INDEX}")
    run(f"ALTER TABLE dossiers_dossier DROP COLUMN IF EXISTS {SEARCH_COLUMN}")
    run(
        f"ALTER TABLE dossiers_dossier ADD COLUMN {SEARCH_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({SEARCH_DOCUMENT}) STORED"
    )
    run(f"CREATE INDEX {SEARCH_INDEX} ON dossiers_dossier USING gin ({SEARCH_COLUMN})")
    run(f"CREATE INDEX {SEQUENCE_INDEX} ON dossiers_dossier (unit_id, {NUMBER_SEQUENCE})")
    run(f'CREATE TABLE {WORDS_TABLE} (word text COLLATE "C" PRIMARY KEY)')
    run(f"CREATE INDEX {WORDS_TABLE}_trgm_idx ON {WORDS_TABLE} USING gin (word gin_trgm_ops)")
    run(f"INSERT INTO {WORDS_TABLE} (word) {WORDS_OF.format(source='dossiers_dossier')}")
    run(
        f"""
        CREATE FUNCTION {WORDS_TABLE}_collect() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO {WORDS_TABLE} (word) {WORDS_OF.format(source="changed")} ON CONFLICT DO NOTHING;
          RETURN NULL;
        END $$
        """
    )
    for event in ("INSERT", "UPDATE"):
        run(
            f"CREATE TRIGGER {WORDS_TABLE}_on_{event.lower()} AFTER {event} ON dossiers_dossier "
            f"REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {WORDS_TABLE}_collect()"
        )
    run("ANALYZE dossiers_dossier")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    for event in ("insert", "update"):
        run(f"DROP TRIGGER IF EXISTS {WORDS_TABLE}_on_{event} ON dossiers_dossier")
    run(f"DROP FUNCTION IF EXISTS {WORDS_TABLE}_collect()")
    run(f"DROP TABLE IF EXISTS {WORDS_TABLE}")
    run(f"DROP INDEX IF EXISTS {SEQUENCE_INDEX}")
    run(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
    run(f"ALTER TABLE dossiers_dossier DROP COLUMN IF EXISTS {SEARCH_COLUMN}")
    backoffice = __import__(
        "workinfrance.backoffice.migrations.0004_search_column", fromlist=["SEARCH_DOCUMENT"]
    )
    run(
        f"ALTER TABLE dossiers_dossier ADD COLUMN {SEARCH_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({backoffice.SEARCH_DOCUMENT}) STORED"
    )
    run(f"CREATE INDEX {OLD_SEARCH_INDEX} ON dossiers_dossier USING gin ({SEARCH_COLUMN})")
    run(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_search_email_indexes"),
        ("backoffice", "0004_search_column"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
