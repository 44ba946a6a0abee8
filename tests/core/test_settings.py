"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROD_ENV = {
    "SECRET_KEY": "a-real-production-secret-0123456789",
    "DATABASE_URL": "postgres://wif@db.example:5432/wif",
    "REDIS_URL": "redis://cache.example:6379/0",
    "ALLOWED_HOSTS": "workinfrance.example.gouv.fr",
    "WIF_PUBLIC_URL": "HTTPS://WORKINFRANCE.EXAMPLE.GOUV.FR",
    "WIF_SIGNING_KEY_DIR": "/srv/keys",
}


def load_settings(module: str, env: dict[str, str], *, code: str = "") -> subprocess.CompletedProcess:
    """Import a settings module in a clean interpreter with exactly `env` (plus PATH)."""
    code = code or (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], 'debug': settings.DEBUG, "
        "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
        "'hosts': settings.ALLOWED_HOSTS, 'email': settings.EMAIL_BACKEND, 'secure': settings.SESSION_COOKIE_SECURE}))"
    )
    full_env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": module,
        "HOME": str(ROOT / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True
    )


def test_development_defaults_need_nothing_installed():
    result = load_settings("config.settings.dev", {})
    assert result.returncode == 0, result.stderr
    assert '"db": "django.db.backends.sqlite3"' in result.stdout
    assert '"eager": true' in result.stdout
    assert '"debug": true' in result.stdout
    assert "filebased" in result.stdout


def test_environment_overrides_database_broker_and_email():
    result = load_settings(
        "config.settings.dev",
        {
            "DATABASE_URL": "postgres://u@h:5432/d",
            "REDIS_URL": "redis://h:6379/1",
            "EMAIL_HOST": "smtp.example",
        },
    )
    assert result.returncode == 0, result.stderr
    assert '"db": "django.db.backends.postgresql"' in result.stdout
    assert '"eager": false' in result.stdout
    assert '"broker": "redis://h:6379/1"' in result.stdout
    assert "smtp.EmailBackend" in result.stdout


def test_invalid_boolean_is_a_clear_error():
    result = load_settings("config.settings.dev", {"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_production_starts_with_its_secrets():
    result = load_settings("config.settings.prod", PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert '"secure": true' in result.stdout
    assert '"eager": false' in result.stdout


@pytest.mark.parametrize("missing", sorted(PROD_ENV))
def test_production_refuses_to_start_without_each_secret(missing):
    env = {key: value for key, value in PROD_ENV.items() if key != missing}
    result = load_settings("config.settings.prod", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_the_development_secret_key():
    result = load_settings(
        "config.settings.prod", {**PROD_ENV, "SECRET_KEY": "dev-only-insecure-key-change-me"}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _served_public_url(port: str, **env) -> set[str]:
    """What WIF_PUBLIC_URL the demo seeding and the server of `make run PORT=...` would see."""
    printed = subprocess.run(
        ["make", "-n", "run", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={key: value for key, value in os.environ.items() if key != "WIF_PUBLIC_URL"} | env,
    ).stdout.splitlines()
    seen = set()
    for line in printed:
        if "seed_demo" in line or "runserver" in line:
            prefix = line.split(".venv/bin/python")[0]
            shell = subprocess.run(
                ["sh", "-c", f"{prefix} printenv WIF_PUBLIC_URL"],
                capture_output=True,
                text=True,
                env={key: value for key, value in os.environ.items() if key != "WIF_PUBLIC_URL"} | env,
            )
            seen.add(shell.stdout.strip())
    return seen


def test_make_run_links_point_at_the_port_it_serves():
    # Issue 15: with PORT=8102, e-mail links and the demo permits' QR codes pointed at port 8000.
    assert _served_public_url("8102") == {"HTTP://127.0.0.1:8102"}
    assert _served_public_url("8102", WIF_PUBLIC_URL="HTTPS://APT.EXAMPLE.FR") == {"HTTPS://APT.EXAMPLE.FR"}
