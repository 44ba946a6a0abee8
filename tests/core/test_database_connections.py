"""Production keeps one database connection per worker and checks it before reusing it."""

import json

import psycopg
import pytest
from django.db import close_old_connections, connection

from tests.core.test_settings import PROD_ENV, load_settings

DATABASE_KEYS = ["CONN_MAX_AGE", "CONN_HEALTH_CHECKS"]


def production_database_settings() -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{k: settings.DATABASES['default'][k] for k in {DATABASE_KEYS!r}}}))"
    )
    result = load_settings("config.settings.prod", PROD_ENV, code=code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_keeps_connections_and_checks_them():
    assert production_database_settings() == {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps migration-seeded rows
def test_a_connection_dropped_by_the_server_is_replaced_between_requests():
    saved = {key: connection.settings_dict[key] for key in DATABASE_KEYS}
    connection.close()
    connection.settings_dict.update(production_database_settings())
    try:
        # close_old_connections() is what Django runs at the start and end of every request.
        close_old_connections()
        first = backend_pid()
        close_old_connections()
        assert backend_pid() == first, "the next request reuses the connection"
        params = connection.get_connection_params()
        dsn = {k: v for k, v in params.items() if k in ("host", "port", "user", "dbname", "password")}
        with psycopg.connect(**dsn, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [first])
        close_old_connections()
        assert backend_pid() != first, "the dead connection was replaced, the request served"
    finally:
        connection.close()
        connection.settings_dict.update(saved)
