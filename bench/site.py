"""A throw-away copy of the service with its demo data, for the benchmarks that need Django."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def site_environment() -> dict:
    """Migrate and seed (demo permits with their PDFs) a SQLite site in a temporary folder."""
    var = Path(tempfile.mkdtemp(prefix="wif-bench-"))
    atexit.register(shutil.rmtree, var, ignore_errors=True)  # 74 MB: the demo site and its static files
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "WIF_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "WIF_SIGNING_KEY_DIR": str(var / "keys"),
        "PYTHONPATH": str(ROOT),
    }
    for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(key, None)
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["seed_demo"],
        ["collectstatic", "--no-input", "-v", "0"],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    return env


def django_setup(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
