"""Batch accept rate: N dossiers in review accepted by one batch (`backoffice.services.batch_run`),
each through `dossiers.services.dossier_accept` in its own transaction, its permit issued and
sealed; prints dossiers per second with the machine's load (`uptime`) beside it.

    .venv/bin/python bench/batch_accept.py                      # 300 dossiers, PostgreSQL
    .venv/bin/python bench/batch_accept.py --dossiers 500 --sqlite
    .venv/bin/python bench/batch_accept.py --with-pdf 20        # + the permit PDFs rendered in-process

The permit PDFs are rendered by the workers after each acceptance (a queued task): by default the
bench queues them nowhere, so the figure is the batch itself (decision, permit row, seal, audit,
e-mail to the outbox). `--with-pdf N` times N more acceptances with their PDF rendered and signed
in-process, as without a broker.

Uses its own database (BENCH_DATABASE_URL, default wif_batch_bench on the local PostgreSQL),
recreated on each run, or a temporary SQLite file with --sqlite."""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wif_batch_bench")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def recreate_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    admin = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    import psycopg

    name = BENCH_URL.rsplit("/", 1)[1]
    admin = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup(args) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"  # temporary keys, fast hashing
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='wif-batch-bench-')}/db.sqlite3"
    else:
        recreate_database()
        os.environ["DATABASE_URL"] = BENCH_URL
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="wif-batch-bench-media-"))
    call_command("migrate", verbosity=0)


def in_review(count: int, agent):
    from workinfrance.dossiers import services
    from workinfrance.territories.models import Department

    from tests.factories import complete_draft

    department = Department.objects.get(code="75")
    dossiers = []
    for index in range(count):
        dossier = complete_draft(department=department, student_last_name=f"Lot{index}")
        services.dossier_submit(dossier=dossier, actor=dossier.applicant)
        services.dossier_take(dossier=dossier, actor=agent)
        dossiers.append(dossier)
    return dossiers


def accept_batch(agent, dossiers) -> tuple[float, object]:
    from workinfrance.backoffice import services as backoffice_services
    from workinfrance.backoffice.models import BatchAction
    from workinfrance.dossiers.services import permit_terms_proposed

    item_params = {}
    for dossier in dossiers:
        terms = permit_terms_proposed(dossier)
        item_params[str(dossier.uuid)] = {
            "validity_start": terms.validity_start.isoformat(),
            "validity_end": terms.validity_end.isoformat(),
            "weekly_hours": str(terms.weekly_hours),
        }
    batch = backoffice_services.batch_create(
        actor=agent,
        action=BatchAction.ACCEPT,
        references=list(item_params),
        item_params=item_params,
    )
    start = time.perf_counter()
    batch = backoffice_services.batch_run(batch_id=batch.pk)
    return time.perf_counter() - start, batch


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=300)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--with-pdf", type=int, default=0, metavar="N")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    setup(args)

    from workinfrance.backoffice import services as backoffice_services
    from workinfrance.permits import tasks as permit_tasks
    from workinfrance.permits.models import Permit

    from tests.factories import UnitFactory, agent_of

    unit = UnitFactory(name="Unité du banc", department_codes=["75"])
    agent = agent_of(unit)
    queued = []
    real_delay = permit_tasks.issue_permit_pdf.delay
    permit_tasks.issue_permit_pdf.delay = lambda **kwargs: queued.append(kwargs)  # the workers' share
    # The batch runs in the bench's own process here: no on_commit queueing of the batch itself.
    backoffice_services.batch_schedule = lambda **kwargs: None

    print(
        f"database: {'SQLite' if args.sqlite else 'PostgreSQL'}; preparing {args.dossiers} dossiers in review"
    )
    dossiers = in_review(args.dossiers, agent)
    print(f"load before: {uptime()}")
    elapsed, batch = accept_batch(agent, dossiers)
    permits = Permit.objects.filter(dossier__in=[d.pk for d in dossiers]).count()
    print(
        f"batch accept: {batch.done} done, {batch.declined} declined, {permits} permits issued in "
        f"{elapsed:.2f} s = {batch.done / elapsed:.1f} dossiers/s (PDFs queued: {len(queued)})"
    )
    print(f"load after: {uptime()}")

    if args.with_pdf:
        permit_tasks.issue_permit_pdf.delay = real_delay  # eager: rendered and signed in-process
        more = in_review(args.with_pdf, agent)
        elapsed, batch = accept_batch(agent, more)
        print(
            f"batch accept with PDFs rendered in-process: {batch.done} in {elapsed:.2f} s = "
            f"{batch.done / elapsed:.2f} dossiers/s"
        )
        print(f"load after: {uptime()}")
    if not args.sqlite and not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database()


if __name__ == "__main__":
    main()
