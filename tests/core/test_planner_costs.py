"""The database tells PostgreSQL's planner that random reads are cheap (core migration 0002): at
the default cost, a label filter walked a whole unit's index instead of the label's dossiers."""

import importlib
import uuid

import pytest
from django.db import connection

planner_costs = importlib.import_module("workinfrance.core.migrations.0002_planner_random_page_cost")


def _database_settings() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(setconfig, '{}') FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        row = cursor.fetchone()
    return list(row[0]) if row else []


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_migrated_database_gives_new_sessions_a_random_page_cost_of_1_1():
    assert "random_page_cost=1.1" in _database_settings()
    with connection.cursor() as cursor:
        cursor.execute(planner_costs.RESET)
        assert "random_page_cost=1.1" not in _database_settings()
        cursor.execute(planner_costs.SET)  # what the migration runs (the test's rollback undoes both)
    assert "random_page_cost=1.1" in _database_settings()


@pytest.mark.postgres
@pytest.mark.django_db
def test_without_the_owners_right_the_migration_warns_and_goes_on():
    role = f"wif_not_owner_{uuid.uuid4().hex[:8]}"  # dropped with the test's transaction
    with connection.cursor() as cursor:
        cursor.execute(planner_costs.RESET)
        cursor.execute(f'CREATE ROLE "{role}"')
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(planner_costs.SET)  # no error: a warning for the operator
        cursor.execute("RESET ROLE")
    assert "random_page_cost=1.1" not in _database_settings()
