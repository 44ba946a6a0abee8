"""The service with its demo data, served the two ways a page reaches a browser, for the front-end benches.

- ``prod``: gunicorn with ``config.settings.prod`` (collectstatic, WhiteNoise, DEBUG off) on PostgreSQL and
  Redis, behind a pretend TLS proxy (the bench sends ``X-Forwarded-Proto: https``);
- ``make-run``: the literal ``make run`` a newcomer types, in a throw-away folder.

Staff and applicants are logged in by a session created server-side (Django's test client ``force_login``
inside the service's own settings), so the benches need no password and keep working whatever second
factor staff sign-in asks for: ``SESSIONS_CODE`` records the second factor as passed, as its step does.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Variables of the developer's environment that would connect the service to shared infrastructure.
SHARED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "DEBUG", "DJANGO_SETTINGS_MODULE")

# Run inside the service's settings: prints the cookie of a logged-in session per demo account.
SESSIONS_CODE = """
import json
from django.conf import settings
from django.test import Client
try:
    from workinfrance.accounts.second_factor import SESSION_KEY as SECOND_FACTOR
except ImportError:  # a checkout from before the second factor (issue 12)
    SECOND_FACTOR = None
cookies = {}
for email in %(emails)r:
    client = Client()
    client.force_login(__import__("workinfrance.accounts.models", fromlist=["User"]).User.objects.get(email=email))
    session = client.session
    if SECOND_FACTOR:  # staff pass their second factor (TOTP) before any back-office page
        session[SECOND_FACTOR] = "totp"
        session.save()
    cookies[email] = client.cookies[settings.SESSION_COOKIE_NAME].value
print("JSON" + json.dumps(cookies))
"""

# Run inside the service's settings: prints the demo objects whose pages the benches open.
OBJECTS_CODE = """
import json
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier
from workinfrance.permits.models import Permit
def first(**filters):
    return str(Dossier.objects.filter(**filters).order_by("pk").values_list("uuid", flat=True).first())
print("JSON" + json.dumps({
    "editing": first(applicant__email="etudiante@workinfrance.test", state=State.DRAFT),
    "tracking": first(applicant__email="etudiante@workinfrance.test", state=State.AWAITING_COMPLEMENTS),
    "staff_dossier": first(unit__members__email="agent.paris@workinfrance.test", state=State.IN_REVIEW),
    "seal": Permit.objects.filter(status="valid").exclude(pdf="").order_by("pk").first().seal,
}))
"""

APPLICANT = "etudiante@workinfrance.test"
AGENT = "agent.paris@workinfrance.test"
SUPERVISOR = "responsable.paris@workinfrance.test"
STEPS = ("filer", "student", "residence", "employer", "job", "documents", "review")


@dataclass
class Page:
    name: str
    path: str
    account: str | None = None  # demo e-mail of the logged-in user, None for anonymous


def pages(objects: dict) -> list[Page]:
    """Every page of the issue: public, each applicant step, review and tracking, agent, supervisor."""
    draft, tracking, staff = objects["editing"], objects["tracking"], objects["staff_dossier"]
    return [
        Page("home", "/"),
        Page("guide", "/demarche/guide/"),
        Page("login", "/comptes/connexion/"),
        Page("signup", "/comptes/inscription/"),
        Page("password-reset", "/comptes/mot-de-passe/"),
        Page("verify-form", "/verifier/"),
        Page("verify-result", f"/V/{objects['seal']}"),
        Page("public-stats", "/statistiques/"),
        Page("accessibility", "/pages/accessibilite/"),
        Page("legal", "/pages/mentions-legales/"),
        Page("privacy", "/pages/donnees-personnelles/"),
        Page("applicant-dashboard", "/demarche/", APPLICANT),
        *(Page(f"step-{step}", f"/demarche/dossiers/{draft}/etapes/{step}/", APPLICANT) for step in STEPS),
        Page("applicant-tracking", f"/demarche/dossiers/{tracking}/", APPLICANT),
        Page("agent-inbox", "/instruction/", AGENT),
        Page("agent-dossier", f"/instruction/dossiers/{staff}/", AGENT),
        Page("supervisor-inbox", "/instruction/", SUPERVISOR),
        Page("supervisor-workload", "/instruction/pilotage/", SUPERVISOR),
        Page("supervisor-stats", "/statistiques/unite/", SUPERVISOR),
    ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Site:
    """One running service; ``headers`` are what every request of the bench browser must carry."""

    mode: str
    port: int
    source: Path = ROOT  # a checkout of the code to serve (another commit for "before" figures)
    database: str = "wif_i20"
    redis_db: int = 7
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wif-front-")))
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def headers(self) -> dict:
        # gunicorn sits behind a TLS proxy in production: without this header every page redirects.
        return {"X-Forwarded-Proto": "https"} if self.mode == "prod" else {}

    def env(self, settings: str | None = None) -> dict:
        env = {key: value for key, value in os.environ.items() if key not in SHARED}
        env.update(
            WIF_VAR_DIR=str(self.root / "var"),
            MEDIA_ROOT=str(self.root / "media"),
            WIF_SIGNING_KEY_DIR=str(self.root / "keys"),
            WIF_PUBLIC_URL=f"HTTP://127.0.0.1:{self.port}",
            PYTHONPATH=str(self.source),
            PYTHONUNBUFFERED="1",
        )
        if self.mode == "prod":
            env.update(
                DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{self.database}",
                SECRET_KEY=getattr(self, "_secret", None) or self._new_secret(),
                ALLOWED_HOSTS="127.0.0.1,localhost",
                # The pretend proxy terminates TLS; requests Lighthouse makes on its own (robots.txt) carry
                # no X-Forwarded-Proto and would be redirected to an https:// that nothing serves.
                SECURE_SSL_REDIRECT="false",
                WIF_PADES_AUTO_CREATE="true",
                WIF_SIGNING_KEY_AUTO_CREATE="true",
            )
            if settings != "config.settings.dev":
                env["REDIS_URL"] = f"redis://127.0.0.1:6379/{self.redis_db}"
        if settings:
            env["DJANGO_SETTINGS_MODULE"] = settings
        return env

    def _new_secret(self) -> str:
        self._secret = secrets.token_urlsafe(40)
        return self._secret

    def manage(self, *args: str, settings: str | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=self.source,
            env=self.env(settings),
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell_json(self, code: str) -> dict:
        settings = "config.settings.prod" if self.mode == "prod" else None
        output = self.manage("shell", "--no-imports", "-c", code, settings=settings)
        return json.loads(output.split("JSON", 1)[1])

    def start(self) -> None:
        if not _port_free(self.port):
            raise SystemExit(f"port {self.port} is busy")
        log = (self.root / "service.log").open("wb")
        if self.mode == "prod":
            self._prepare_prod()
            command = [
                PYTHON, "-m", "gunicorn", "config.wsgi", f"--bind=127.0.0.1:{self.port}",
                "--workers=2", "--threads=4", "--no-control-socket", "--timeout=120",
            ]  # fmt: skip
            env = self.env("config.settings.prod")
        else:
            venv = Path(PYTHON).parent.parent  # the bench's own virtualenv, also for another checkout
            command = ["make", "run", "HOST=127.0.0.1", f"PORT={self.port}", f"VENV={venv}"]
            env = self.env()
        self.process = subprocess.Popen(
            command, cwd=self.source, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_ready()

    def _prepare_prod(self) -> None:
        """Fresh PostgreSQL database and Redis index, demo data (tasks in-process), collected static files."""
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", self.database], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", self.database], check=True)
        import redis

        redis.Redis.from_url(f"redis://127.0.0.1:6379/{self.redis_db}").flushdb()
        self.manage("migrate", "--no-input", "-v", "0", settings="config.settings.dev")
        self.manage("seed_demo", settings="config.settings.dev")
        self.manage("compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0", settings="config.settings.prod")

    def _wait_ready(self, timeout: float = 900) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(self.url + "/", headers=self.headers)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        raise RuntimeError(f"the service did not answer within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        path = self.root / "service.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            # make run's runserver (and its autoreloader child) share the session started for them.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.mode == "prod":
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", self.database])

    def objects(self) -> dict:
        return self.shell_json(OBJECTS_CODE)

    def session_cookies(self) -> dict:
        return self.shell_json(SESSIONS_CODE % {"emails": [APPLICANT, AGENT, SUPERVISOR]})
