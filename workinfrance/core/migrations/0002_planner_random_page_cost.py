"""PostgreSQL's planner told that a random read costs about what a sequential one does
(`random_page_cost` 1.1 instead of 4, the value PostgreSQL's documentation gives for solid-state
storage), as a default of this database for every new session.

At 4, the planner walks a whole unit's index (300,000 rows at national scale, 60-80 ms) rather than
look up the 10,000 dossiers of one label by their keys: the inbox filtered by a label took 84 ms,
and 103 ms with a name searched beside it; 32 and 22 ms at 1.1 (bench/backoffice_inbox.py,
"label" scenarios). The database's rows live in memory or on SSDs wherever this service runs.

Only the database's owner may set its defaults: without that right the migration leaves a warning
and the operator sets it in postgresql.conf (docs/operations.md).
"""

from django.db import migrations

SET = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'random_page_cost left as it is: set it to 1.1 in postgresql.conf (docs/operations.md)';
END
$$
"""
RESET = """
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$
"""


def planner_costs_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SET, params=None)  # no placeholders: "%I" is format()'s


def planner_costs_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(planner_costs_set, planner_costs_reset, elidable=False)]
