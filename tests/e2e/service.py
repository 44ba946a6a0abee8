"""The real service in a subprocess, on a free local port, with a fresh database and its own folders."""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
# Variables of the developer's environment that would connect the service to shared infrastructure.
SHARED_INFRASTRUCTURE = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "DEBUG")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveService:
    """gunicorn (one process, threads) serving config.settings.e2e on a temporary SQLite database."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.var_dir = root / "var"
        self.media_root = root / "media"
        self.mail_dir = self.var_dir / "mail"
        self.log_path = root / "service.log"
        self.process: subprocess.Popen | None = None
        env = {key: value for key, value in os.environ.items() if key not in SHARED_INFRASTRUCTURE}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.e2e",
            DATABASE_URL=f"sqlite:///{root / 'db.sqlite3'}",
            WIF_VAR_DIR=str(self.var_dir),
            MEDIA_ROOT=str(self.media_root),
            WIF_SIGNING_KEY_DIR=str(root / "keys"),
            # The PDF signature's certificate: a self-made CA, as in development (docs/permits.md).
            WIF_PADES_AUTO_CREATE="true",
            WIF_PUBLIC_URL=f"HTTP://127.0.0.1:{self.port}",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECRET_KEY=secrets.token_urlsafe(40),
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 120) -> str:
        """Run a management command against the service's database; returns its standard output."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def python(self, code: str) -> str:
        """Run Python inside the service's Django setup (seeding, reading state the UI does not show)."""
        return self.manage("shell", "--no-imports", "-c", code)

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=1",
                "--threads=8",
                "--timeout=120",
                "--no-control-socket",  # gunicorns on one machine would share it
                "--access-logfile=-",
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The service exited at start-up:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError(f"The service did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Keep the service's log next to the screenshots: the first place to look when a step fails.
        if self.log_path.exists():
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copy(self.log_path, ARTIFACTS / "e2e-service.log")
