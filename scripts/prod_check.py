"""`make prod-check`: the production recipe, run for real on this machine, then taken down.

The Procfile's three processes (gunicorn, Celery worker, Celery beat) under honcho, with
`config.settings.prod` (DEBUG off), on a database of their own on the machine's PostgreSQL and the
machine's Redis (cache, broker and results: prod.py needs no other broker). Checked: /readyz answers
200 with every check ok; a task round-trips through the broker and a worker (`check_worker`); beat
is alive (its heartbeat task, run by the worker, shows in /metrics); /metrics is closed without its
token; the response and the JSON log lines carry the request id. Then everything is stopped, the
database dropped and the Redis database emptied; exit status 0 only if every check passed.

Options: --port (default: a free port), --postgres (server URL), --redis (a Redis database this
check may empty; default db 14), --keep-logs.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
# Variables of the caller's environment that would point the processes at other infrastructure.
INHERITED_OUT = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "EMAIL_HOST",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


STARTED = time.monotonic()


def step(message: str) -> None:
    print(f"== prod-check [{time.monotonic() - STARTED:5.1f} s] {message}", flush=True)


def fetch(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (local URL)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def psql(server: str, sql: str) -> None:
    subprocess.run(["psql", server + "/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True)  # noqa: S603, S607


class ProdCheck:
    def __init__(self, port: int, postgres: str, redis_url: str, keep_logs: bool):
        self.port = port
        self.postgres = postgres.rstrip("/")
        self.redis_url = redis_url
        self.keep_logs = keep_logs
        self.database = f"wif_prodcheck_{port}"
        self.root = Path(tempfile.mkdtemp(prefix="wif-prodcheck-"))
        self.log_path = self.root / "processes.log"
        self.url = f"http://127.0.0.1:{port}"
        self.metrics_token = secrets.token_urlsafe(24)
        self.honcho: subprocess.Popen | None = None
        env = {key: value for key, value in os.environ.items() if key not in INHERITED_OUT}
        (self.root / "metrics").mkdir()
        env.update(
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            DJANGO_SETTINGS_MODULE="config.settings.prod",
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=f"{self.postgres}/{self.database}",
            REDIS_URL=redis_url,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            WIF_PUBLIC_URL=f"https://127.0.0.1:{port}",
            WIF_VAR_DIR=str(self.root / "var"),
            MEDIA_ROOT=str(self.root / "media"),
            WIF_SIGNING_KEY_DIR=str(self.root / "keys"),
            WIF_TRUSTED_PROXIES="127.0.0.1",
            WIF_METRICS_TOKEN=self.metrics_token,
            PROMETHEUS_MULTIPROC_DIR=str(self.root / "metrics"),
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="2",
            GUNICORN_THREADS="4",
            CELERY_CONCURRENCY="1",
            WIF_BEAT_HEARTBEAT_SECONDS="2",
            PYTHONUNBUFFERED="1",
        )
        self.env = env

    # -- set-up ------------------------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 300) -> str:
        return self.manage_all([args], timeout)[0]

    def manage_all(self, commands: list[tuple[str, ...]], timeout: float = 300) -> list[str]:
        """Management commands run side by side (independent ones: the check's time is mostly these)."""
        processes = [
            subprocess.Popen(  # noqa: S603 (this repository's own commands)
                [str(BIN / "python"), "manage.py", *args],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for args in commands
        ]
        outputs = []
        for args, process in zip(commands, processes, strict=True):
            stdout, stderr = process.communicate(timeout=timeout)
            if process.returncode != 0:
                raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{stdout}\n{stderr}")
            outputs.append(stdout)
        return outputs

    def prepare(self) -> None:
        step(f"database {self.database}, Redis {self.redis_url}, port {self.port}, files in {self.root}")
        psql(self.postgres, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        psql(self.postgres, f'CREATE DATABASE "{self.database}"')
        self.redis_flush()
        step("migrate, collectstatic, signing key, check --deploy (production settings, side by side)")
        self.manage_all(
            [
                ("migrate", "--no-input", "-v", "0"),
                ("collectstatic", "--no-input", "-v", "0"),
                ("signing_keys", "create"),
                ("check", "--deploy", "--fail-level", "ERROR"),
            ]
        )

    def start(self) -> None:
        step("honcho start (Procfile: web, worker, beat)")
        log = self.log_path.open("wb")
        self.honcho = subprocess.Popen(  # noqa: S603 (this repository's own Procfile)
            [str(BIN / "honcho"), "--no-colour", "start", "--procfile", "Procfile"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole, nothing else
        )

    # -- checks ------------------------------------------------------------------------------
    def wait_ready(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            assert self.honcho.poll() is None, "honcho exited: a process failed to start"
            try:
                status, _, body = fetch(self.url + "/readyz", {"X-Forwarded-Proto": "https"}, timeout=5)
                last = (status, body[:500])
                answer = json.loads(body)
                if status == 200 and all(check["ok"] for check in answer["checks"].values()):
                    return answer
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"/readyz not 200 with every check ok within {timeout} s: {last}")

    def check_request_id_and_logs(self) -> None:
        request_id = "prodcheck-" + secrets.token_hex(6)
        status, headers, _ = fetch(
            self.url + "/healthz", {"X-Forwarded-Proto": "https", "X-Request-ID": request_id}
        )
        assert status == 200, status
        assert headers.get("X-Request-ID") == request_id, headers
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for line in self.log_path.read_text(errors="replace").splitlines():
                _, _, message = line.partition("| ")  # honcho prefixes "time name.1 | "
                if request_id not in message:
                    continue
                record = json.loads(message)
                # Other lines logged during the request carry its id too (a library's first import).
                if record.get("logger") == "workinfrance.request":
                    assert record["request_id"] == request_id and record["status"] == 200, record
                    return
            time.sleep(0.3)
        raise AssertionError("no JSON log line with the request id")

    def metrics(self) -> str:
        status, _, body = fetch(
            self.url + "/metrics",
            {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {self.metrics_token}"},
        )
        assert status == 200, f"/metrics answered {status} with its token"
        return body.decode()

    def check_counted(self) -> None:
        """Requests counted in the gunicorn workers and tasks in the Celery worker, added up from
        PROMETHEUS_MULTIPROC_DIR by a scrape of the web."""
        from prometheus_client.parser import text_string_to_metric_families

        samples = [
            sample for family in text_string_to_metric_families(self.metrics()) for sample in family.samples
        ]
        readyz = sum(
            s.value
            for s in samples
            if s.name == "wif_http_requests_total" and s.labels["view"] == "core:readyz"
        )
        echoes = sum(
            s.value
            for s in samples
            if s.name == "wif_celery_tasks_total"
            and s.labels["task"] == "workinfrance.core.tasks.worker_echo"
        )
        assert readyz >= 1 and echoes >= 1, f"requests counted {readyz}, worker_echo tasks counted {echoes}"

    def check_metrics_closed(self) -> None:
        status, _, _ = fetch(self.url + "/metrics", {"X-Forwarded-Proto": "https"})
        assert status == 404, f"/metrics answered {status} without a token"

    def wait_beat(self, since: float, timeout: float) -> float:
        from prometheus_client.parser import text_string_to_metric_families

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for family in text_string_to_metric_families(self.metrics()):
                if family.name == "wif_beat_heartbeat_timestamp_seconds" and family.samples:
                    beat_time = family.samples[0].value
                    if beat_time >= since:
                        return beat_time
            time.sleep(1)
        raise AssertionError(f"no beat heartbeat within {timeout} s")

    # -- tear-down ---------------------------------------------------------------------------
    def redis_flush(self) -> None:
        import redis

        client = redis.Redis.from_url(self.redis_url)
        client.flushdb()
        client.close()

    def stop(self) -> None:
        if self.honcho is not None and self.honcho.poll() is None:
            step("stopping the processes")
            os.killpg(self.honcho.pid, signal.SIGTERM)
            try:
                self.honcho.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.honcho.pid, signal.SIGKILL)
                self.honcho.wait()
        # Children left behind by a killed honcho are in its process group.
        if self.honcho is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.honcho.pid, signal.SIGKILL)

    def clean(self) -> None:
        step(f"dropping {self.database}, emptying Redis {self.redis_url}")
        try:
            psql(self.postgres, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            try:
                self.redis_flush()
            finally:
                if not self.keep_logs:
                    shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PROD_CHECK_PORT") or 0) or None)
    parser.add_argument(
        "--postgres", default=os.environ.get("PROD_CHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument(
        "--redis", default=os.environ.get("PROD_CHECK_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--timeout", type=float, default=90)
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args()
    check = ProdCheck(args.port or free_port(), args.postgres, args.redis, args.keep_logs)
    started = time.monotonic()
    ok = False
    try:
        check.prepare()
        since = time.time()
        check.start()
        answer = check.wait_ready(args.timeout)
        step(f"/readyz 200, every check ok: {', '.join(answer['checks'])}")
        check.check_request_id_and_logs()
        step("X-Request-ID returned and in a JSON log line of the web process")
        output = check.manage("check_worker", "--timeout", "30", timeout=60).strip()
        step(f"task round trip: {output}")
        beat_time = check.wait_beat(since, args.timeout)
        step(f"beat alive: heartbeat run by the worker at {beat_time:.0f}")
        check.check_counted()
        step("/metrics counts the web's requests and the worker's tasks")
        check.check_metrics_closed()
        step("/metrics closed without its token (404)")
        ok = True
    except Exception as error:
        print(
            f"== prod-check FAILED: {error}\n-- last lines of the processes' log:\n{check.log_tail()}",
            flush=True,
        )
    finally:
        check.stop()
        check.clean()
    step(f"{'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
