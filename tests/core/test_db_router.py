"""Scale-out (issue 19): statistics and exports read from a read replica when DATABASE_REPLICA_URL
is set; everything else, and the statistics catch-up that reads in order to write, on the primary.

The test database has no second server: the router's decisions are recorded (and the primary
answers), which is what a replica would be asked."""

import pytest
from django.urls import reverse

from workinfrance.core import db_router
from workinfrance.core.db_router import REPLICA, ReplicaRouter, primary_reads, replica_reads

from tests.backoffice.conftest import filed
from tests.backoffice.helpers import export_numbers
from tests.core.test_settings import PROD_ENV, load_settings


@pytest.fixture
def reads(monkeypatch):
    """(model label, asked of the replica?) for every ORM read, in order."""
    seen: list[tuple[str, bool]] = []
    decide = ReplicaRouter.db_for_read

    def record(self, model, **hints):
        seen.append((model._meta.label, decide(self, model, **hints) == REPLICA))
        return None  # the primary answers: the test database has no replica

    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    monkeypatch.setattr(ReplicaRouter, "db_for_read", record)
    return seen


def test_reads_go_to_the_replica_only_inside_replica_reads_and_only_when_configured(monkeypatch):
    router = ReplicaRouter()
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    assert router.db_for_read(None) is None
    with replica_reads():
        assert router.db_for_read(None) == REPLICA
        with primary_reads():
            assert router.db_for_read(None) is None
        assert router.db_for_write(None) is None  # writes: always the primary
    assert router.db_for_read(None) is None
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    with replica_reads():
        assert router.db_for_read(None) is None
    assert router.allow_migrate(REPLICA, "dossiers") is False
    assert router.allow_migrate("default", "dossiers") is True


def test_statistics_pages_read_figures_from_the_replica_and_catch_up_on_the_primary(
    client, settings, paris, reads
):
    settings.WIF_STATS_REFRESH_SECONDS = 0  # the page catches up first
    filed(student_last_name="Stat")
    assert client.get(reverse("stats:public")).status_code == 200
    on_replica = {label for label, replica in reads if replica}
    on_primary = {label for label, replica in reads if not replica}
    assert "stats.MonthlyCell" in on_replica
    # The catch-up reads the dossiers and writes their facts: on the primary only.
    assert "dossiers.Dossier" in on_primary and "dossiers.Dossier" not in on_replica
    assert "stats.RefreshState" in on_primary


def test_csv_export_rows_come_from_the_replica_the_access_check_from_the_primary(client, agent, reads):
    dossier = filed(student_last_name="Export")
    client.force_login(agent)
    reads.clear()
    response = client.get(reverse("backoffice:export_csv"), {"tab": "all"})
    assert export_numbers(response) == [dossier.number]  # rows read while streamed
    assert ("dossiers.Dossier", True) in reads
    assert ("accounts.User", False) in reads  # the session's user: primary


def test_xlsx_export_rows_come_from_the_replica(client, agent, reads):
    dossier = filed(student_last_name="Classeur")
    client.force_login(agent)
    reads.clear()
    response = client.get(reverse("backoffice:export_xlsx"), {"tab": "all"})
    assert export_numbers(response) == [dossier.number]
    assert ("dossiers.Dossier", True) in reads


def test_database_replica_url_adds_the_replica_and_the_router():
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'aliases': sorted(settings.DATABASES), 'routers': settings.DATABASE_ROUTERS, "
        "'replica': settings.DATABASES.get('replica', {}).get('HOST')}))"
    )
    with_replica = load_settings(
        "config.settings.prod",
        {**PROD_ENV, "DATABASE_REPLICA_URL": "postgres://wif@replica.example/wif"},
        code=code,
    )
    assert with_replica.returncode == 0, with_replica.stderr
    assert '"aliases": ["default", "replica"]' in with_replica.stdout
    assert '"replica": "replica.example"' in with_replica.stdout
    assert "workinfrance.core.db_router.ReplicaRouter" in with_replica.stdout
    without = load_settings("config.settings.prod", PROD_ENV, code=code)
    assert '"aliases": ["default"]' in without.stdout


def test_s3_bucket_switches_the_file_storage():
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(json.dumps({'class': type(s).__name__, 'bucket': getattr(s, 'bucket_name', None), "
        "'endpoint': getattr(s, 'endpoint_url', None), 'acl': getattr(s, 'default_acl', None)}))"
    )
    s3_env = {**PROD_ENV, "WIF_S3_BUCKET": "wif-documents", "WIF_S3_ENDPOINT_URL": "https://s3.example"}
    with_s3 = load_settings("config.settings.prod", s3_env, code=code)
    assert with_s3.returncode == 0, with_s3.stderr
    assert '"class": "CommittedS3Storage"' in with_s3.stdout
    assert '"bucket": "wif-documents"' in with_s3.stdout and '"acl": "private"' in with_s3.stdout
    local = load_settings("config.settings.prod", PROD_ENV, code=code)
    assert '"class": "CommittedFileSystemStorage"' in local.stdout
