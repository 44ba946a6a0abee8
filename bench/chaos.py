"""Chaos run (issue 14): Celery workers killed, Redis (broker and cache) stopped, while agents decide,
applicants upload and visitors read public pages. Bounded in time; prints what was lost.

    .venv/bin/python bench/chaos.py [--dossiers 40] [--redis-port 8141] [--web-port 8140]

Uses its own PostgreSQL database (wif_i14_chaos by default, dropped at the end), its own redis-server,
gunicorn, Celery worker and beat, all on the given ports; e-mails are written to files, so "sent"
means a message file carrying the outbox Message-ID exists. Every figure must be 0.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=40)
    parser.add_argument("--redis-port", type=int, default=8141)
    parser.add_argument("--web-port", type=int, default=8140)
    parser.add_argument("--database", default="wif_i14_chaos")
    parser.add_argument("--redis-down-seconds", type=float, default=15)
    parser.add_argument("--settle-seconds", type=float, default=150)
    return parser.parse_args()


ARGS = parse()
WORK = Path(tempfile.mkdtemp(prefix="wif-chaos-"))
DB_URL = f"postgres://postgres@127.0.0.1:5432/{ARGS.database}"
REDIS_URL = f"redis://127.0.0.1:{ARGS.redis_port}/0"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    "DATABASE_URL": DB_URL,
    "REDIS_URL": REDIS_URL,
    "WIF_VAR_DIR": str(WORK),
    "MEDIA_ROOT": str(WORK / "media"),
    "WIF_SIGNING_KEY_DIR": str(WORK / "keys"),
    "WIF_SIGNING_KEY_AUTO_CREATE": "true",
    "WIF_PADES_AUTO_CREATE": "true",
    "WIF_OUTBOX_SWEEP_SECONDS": "5",
    "WIF_OUTBOX_DISPATCH_GRACE_SECONDS": "10",
    "WIF_OUTBOX_RETRY_BASE_SECONDS": "2",
    "WIF_OUTBOX_RETRY_MAX_SECONDS": "10",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
processes: dict[str, subprocess.Popen] = {}


def start(name, args, log):
    processes[name] = subprocess.Popen(
        args,
        cwd=ROOT,
        env=ENV,
        stdout=open(WORK / log, "ab"),  # noqa: SIM115 (the child process keeps it)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return processes[name]


def stop(name, sig=signal.SIGTERM):
    process = processes.pop(name, None)
    if process and process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def redis_start():
    start(
        "redis",
        [
            "redis-server",
            "--port",
            str(ARGS.redis_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(WORK),
        ],
        "redis.log",
    )
    time.sleep(0.5)


def worker_start():
    start(
        "worker",
        [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-c",
            "2",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"chaos-{os.getpid()}@%h",
        ],
        "worker.log",
    )


def worker_children() -> list[int]:
    worker = processes.get("worker")
    if not worker:
        return []
    out = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def psql(sql):
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True, stdout=subprocess.DEVNULL
    )


psql(f"DROP DATABASE IF EXISTS {ARGS.database}")
psql(f"CREATE DATABASE {ARGS.database}")
subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=ENV, check=True)

import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402

from workinfrance.core.models import Event  # noqa: E402
from workinfrance.core.storage_audit import storage_check  # noqa: E402
from workinfrance.dossiers import services  # noqa: E402
from workinfrance.dossiers.lifecycle import State  # noqa: E402
from workinfrance.dossiers.models import Dossier  # noqa: E402
from workinfrance.outbox.handlers import email_message_id  # noqa: E402
from workinfrance.outbox.models import OutboxMessage, OutboxStatus  # noqa: E402
from workinfrance.permits.models import Permit  # noqa: E402

from tests.dossiers.helpers import upload  # noqa: E402
from tests.factories import PDF_BYTES, DossierFactory, UnitFactory, agent_of, complete_draft  # noqa: E402

figures = {"http_5xx_public": 0, "http_errors_public": 0, "http_requests_public": 0, "decision_errors": 0}
started = time.monotonic()
try:
    redis_start()
    start(
        "web",
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{ARGS.web_port}",
            "--no-control-socket",
            "--timeout",
            "30",
        ],
        "web.log",
    )
    worker_start()
    start(
        "beat",
        [PY, "-m", "celery", "-A", "config", "beat", "-l", "warning", "-s", str(WORK / "beat-schedule")],
        "beat.log",
    )

    unit = UnitFactory(department_codes=["75"])
    agent = agent_of(unit)
    dossiers = []
    for _ in range(ARGS.dossiers):
        dossier = complete_draft()
        services.dossier_submit(dossier=dossier, actor=dossier.applicant)
        services.dossier_take(dossier=dossier, actor=agent)
        dossiers.append(dossier)
    drafts = [DossierFactory() for _ in range(10)]
    time.sleep(3)  # gunicorn up

    stop_reading = threading.Event()
    seal_urls: list[str] = []

    def read_public_pages():
        base = f"http://127.0.0.1:{ARGS.web_port}"
        while not stop_reading.is_set():
            for path in ["/", "/statistiques/", "/verifier/", *seal_urls[-2:]]:
                figures["http_requests_public"] += 1
                try:
                    urllib.request.urlopen(base + path, timeout=10).read()
                except urllib.error.HTTPError as error:
                    if error.code >= 500:
                        figures["http_5xx_public"] += 1
                        print(f"  {error.code} on {path}", flush=True)
                except Exception:
                    figures["http_errors_public"] += 1
            time.sleep(0.2)

    reader = threading.Thread(target=read_public_pages, daemon=True)
    reader.start()
    accepted_ok: list[int] = []

    def accept(dossier):
        try:
            services.dossier_accept(
                dossier=dossier, actor=agent, terms=services.permit_terms_proposed(dossier)
            )
            accepted_ok.append(dossier.pk)
            permit = dossier.permits.first()
            seal_urls.append("/V/" + permit.seal)
        except Exception as error:  # reported: a decision refused is not a decision lost
            figures["decision_errors"] += 1
            print(f"  accept refused: {type(error).__name__}: {error}", flush=True)
        finally:
            connection.close_if_unusable_or_obsolete()

    half = len(dossiers) // 2
    print(f"phase 1: {half} decisions while Celery worker processes are killed", flush=True)
    for index, dossier in enumerate(dossiers[:half]):
        accept(dossier)
        if index % 4 == 1:
            for child in worker_children()[:1]:
                os.kill(child, signal.SIGKILL)
        if index == half // 2:
            stop("worker", signal.SIGKILL)  # the whole worker: its tasks come back via the sweeps
            time.sleep(2)
            worker_start()

    print(f"phase 2: Redis stopped {ARGS.redis_down_seconds:.0f} s; decisions and uploads go on", flush=True)
    stop("redis", signal.SIGKILL)
    redis_stopped = time.monotonic()
    for dossier in dossiers[half:]:
        accept(dossier)
    for draft in drafts:
        passport = draft.category.document_types.get(code="passport")
        try:
            services.document_upload(
                dossier=draft,
                actor=draft.applicant,
                document_type=passport,
                uploaded_file=upload(PDF_BYTES, "passeport.pdf"),
            )
        except Exception as error:
            print(f"  upload refused: {type(error).__name__}: {error}", flush=True)
    time.sleep(max(0.0, ARGS.redis_down_seconds - (time.monotonic() - redis_stopped)))
    stop("worker", signal.SIGKILL)  # killed while the broker is away, too
    redis_start()
    worker_start()  # at start: PDF and outbox sweeps

    print(f"settling (at most {ARGS.settle_seconds:.0f} s)", flush=True)
    deadline = time.monotonic() + ARGS.settle_seconds
    while time.monotonic() < deadline:
        pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
        without_pdf = Permit.objects.filter(pdf="").count()
        if not pending and not without_pdf:
            break
        time.sleep(2)
    stop_reading.set()
    reader.join(timeout=15)

    # Figures.
    mails = (
        [path.read_text(errors="replace") for path in (WORK / "mail").glob("*")]
        if (WORK / "mail").exists()
        else []
    )
    mail_text = "\n".join(mails)
    decisions_lost = states_mismatched = permits_missing = emails_missing = emails_twice = 0
    for pk in accepted_ok:
        dossier = Dossier.objects.get(pk=pk)
        if (
            dossier.state != State.ACCEPTED
            or not Event.objects.filter(verb="dossier.accept", target_id=str(pk)).exists()
        ):
            decisions_lost += 1
        if not dossier.permits.exclude(pdf="").exists():
            permits_missing += 1
    for dossier in Dossier.objects.all():
        last = (
            Event.objects.filter(
                target_type="dossiers.dossier", target_id=str(dossier.pk), data__has_key="to"
            )
            .order_by("created_at", "id")
            .last()
        )
        if last and last.data["to"] != dossier.state:
            states_mismatched += 1
    for event in Event.objects.filter(verb="dossier.accept"):
        message = OutboxMessage.objects.filter(
            idempotency_key__startswith=f"email:dossier-event:{event.pk}:"
        ).first()
        copies = mail_text.count(email_message_id(message.idempotency_key)) if message else 0
        if not message or message.status != OutboxStatus.SENT or copies == 0:
            emails_missing += 1
        elif copies > 1:
            emails_twice += 1
    report = storage_check()
    elapsed = time.monotonic() - started
    load = os.getloadavg()
    print()
    print(
        f"dossiers decided: {len(accepted_ok)} of {len(dossiers)} (refused with a message: {figures['decision_errors']})"
    )
    print(f"decisions lost: {decisions_lost}")
    print(f"states not matching their last event: {states_mismatched}")
    print(f"permits missing (no permit or no PDF): {permits_missing}")
    print(f"e-mails missing after the sweep: {emails_missing}   sent twice: {emails_twice}")
    print(
        f"orphan files: {len(report.orphans)}   rows without file: {len(report.missing)}   "
        f"pending moves: {len(report.pending_moves)}   temporary files: {len(report.temporary)}"
    )
    print(
        f"public pages: {figures['http_requests_public']} requests, {figures['http_5xx_public']} answered 5xx, "
        f"{figures['http_errors_public']} connection errors"
    )
    print(
        f"outbox: {OutboxMessage.objects.filter(status=OutboxStatus.SENT).count()} sent, "
        f"{OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()} pending, "
        f"{OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()} given up, "
        f"{sum(OutboxMessage.objects.values_list('attempts', flat=True))} attempts"
    )
    print(
        f"elapsed {elapsed:.0f} s; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)"
    )
    subprocess.run([PY, "manage.py", "storage_check"], cwd=ROOT, env=ENV)
finally:
    for name in list(processes):
        stop(name, signal.SIGKILL if name == "redis" else signal.SIGTERM)
    connection.close()
    psql(f"DROP DATABASE IF EXISTS {ARGS.database}")
    print(f"logs kept in {WORK}")
