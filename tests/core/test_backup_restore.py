"""Backups (issue 19): scripts/backup.sh then scripts/restore.sh into an empty database and media
folder, after which `stats_check` and `storage_check` pass on the restored copy (run by restore.sh,
and again here)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from workinfrance.dossiers.models import Document, Dossier
from workinfrance.permits.models import Permit

from tests.factories import complete_draft
from tests.permits.helpers import accept

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def server_url() -> str:
    params = connection.settings_dict
    return (
        f"postgres://{params['USER'] or 'postgres'}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    )


def psql(sql: str) -> str:
    return subprocess.run(
        ["psql", f"{server_url()}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def empty_database():
    name = f"test_wif_restore_{uuid.uuid4().hex[:8]}"
    psql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server_url()}/{name}"
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def service_env(tmp_path: Path, database_url: str, media_root: Path, keys: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        WIF_VAR_DIR=str(tmp_path / "var"),
        WIF_SIGNING_KEY_DIR=str(keys),
        PYTHON=sys.executable,
    )
    return env


def test_a_backup_restores_into_an_empty_database_where_the_checks_pass(
    tmp_path, settings, applicant, agent, empty_database, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"
    settings.WIF_PADES_DIR = ""
    permit = accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
    assert permit.pdf and Document.objects.filter(dossier=permit.dossier).exists()
    counts = (Dossier.objects.count(), Document.objects.count(), Permit.objects.count())
    source = f"{server_url()}/{connection.settings_dict['NAME']}"

    backup_env = service_env(tmp_path, source, settings.MEDIA_ROOT, settings.WIF_SIGNING_KEY_DIR)
    backup = run(["bash", "scripts/backup.sh", str(tmp_path / "backups")], backup_env)
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert {path.name for path in folder.iterdir()} == {"database.dump", "media.tar", "SHA256SUMS"}

    restored_media = tmp_path / "restored-media"
    restore_env = service_env(tmp_path, empty_database, restored_media, settings.WIF_SIGNING_KEY_DIR)
    restore = run(["bash", "scripts/restore.sh", str(folder)], restore_env)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert "figures identical" in restore.stdout
    assert "rows without file: 0" in restore.stdout

    for command in (["stats_check"], ["storage_check"]):
        check = run([sys.executable, "manage.py", *command], restore_env)
        assert check.returncode == 0, check.stdout + check.stderr
    counted = run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from workinfrance.dossiers.models import Document, Dossier; "
            "from workinfrance.permits.models import Permit; "
            "print(Dossier.objects.count(), Document.objects.count(), Permit.objects.count())",
        ],
        restore_env,
    )
    assert counted.stdout.strip().splitlines()[-1].split() == [str(count) for count in counts]
    assert (restored_media / permit.pdf.name).read_bytes() == permit.pdf.read()

    # A second restore onto the now full database is refused, not merged.
    again = run(["bash", "scripts/restore.sh", str(folder)], restore_env)
    assert again.returncode != 0 and "not empty" in again.stderr
