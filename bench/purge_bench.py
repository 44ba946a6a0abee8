"""The retention purge at scale: load N decided dossiers (a share of them past their retention
period) with permits, documents (real files) and events into PostgreSQL (COPY), then run the purge
step by step and print its rate, with the machine's load (`uptime`) beside it.

    .venv/bin/python bench/purge_bench.py --dossiers 200000 --expired 0.5    # load + purge
    .venv/bin/python bench/purge_bench.py --skip-load                        # purge what is due
    .venv/bin/python bench/purge_bench.py --dossiers 200000 --verify         # + statistics unchanged

Uses its own database (BENCH_DATABASE_URL, default wif_purge_bench), recreated on load, and its
own media folder (BENCH_MEDIA_ROOT, default /tmp/wif_purge_bench_media)."""

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wif_purge_bench")
MEDIA = Path(os.environ.get("BENCH_MEDIA_ROOT", "/tmp/wif_purge_bench_media"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ["MEDIA_ROOT"] = str(MEDIA)
os.environ["DEBUG"] = "0"  # no query log in memory
os.environ.pop("REDIS_URL", None)  # local memory cache: the purge's cache invalidations stay local

import django
import psycopg

DOCUMENTS_PER_DOSSIER = 2
PDF = b"%PDF-1.4\n% bench document\n%%EOF\n"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def recreate_database():
    name = BENCH_URL.rsplit("/", 1)[1]
    admin = BENCH_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _row_writer(model, overrides_fixed=None):
    """Column list and a function turning a dict of attnames into one COPY line."""
    # Columns the database computes (the search vector) are not written.
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]
    fixed = {}
    for f in fields:
        if f.null:
            fixed[f.attname] = "\\N"
        elif f.get_internal_type() == "BooleanField":
            fixed[f.attname] = "f"
        else:
            fixed[f.attname] = ""
    fixed.update(overrides_fixed or {})

    def line(values: dict) -> str:
        row = dict(fixed)
        row.update(values)
        return "\t".join(str(row[f.attname]) for f in fields) + "\n"

    return [f.column for f in fields], line


def copy(cursor, table, columns, text):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        out.write(text)


def load(count: int, expired_share: float):
    from django.core.management import call_command

    recreate_database()
    shutil.rmtree(MEDIA, ignore_errors=True)
    django.setup()
    from django.db import connection

    from workinfrance.accounts.models import Role, User
    from workinfrance.core.models import Event
    from workinfrance.dossiers.lifecycle import State, target_of
    from workinfrance.dossiers.lifecycle import Transition as T
    from workinfrance.dossiers.models import Document, Dossier

    transition_log_backfill = import_module("workinfrance.dossiers.migrations.0005_transition_log").backfill
    from workinfrance.permits.models import Permit
    from workinfrance.procedures.models import Category
    from workinfrance.territories.models import Department, Unit

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    Department.objects.update(is_open=True)
    unit = Unit.objects.create(
        name="Unité bench", address="-", contact_email="u@bench.test", signatory_name="-"
    )
    unit.departments.set(Department.objects.all())
    agent = User.objects.create(email="agent@bench.test", role=Role.AGENT)
    applicants = User.objects.bulk_create(
        [User(email=f"applicant{i}@bench.test", role=Role.APPLICANT) for i in range(2000)]
    )
    applicant_ids = [a.pk for a in applicants]
    categories = list(Category.objects.values_list("pk", flat=True))
    departments = list(Department.objects.values_list("code", flat=True))
    rng = random.Random(19)
    now = datetime.now(UTC)
    today = now.date()

    dossier_columns, dossier_line = _row_writer(Dossier)
    permit_columns, permit_line = _row_writer(Permit)
    document_columns, document_line = _row_writer(Document)
    event_columns = ["actor_id", "verb", "target_type", "target_id", "created_at", "data"]
    batch, permit_pk, document_pk, files = 20_000, 0, 0, 0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        for first in range(1, count + 1, batch):
            dossiers, permits, documents, events = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
            for pk in range(first, min(first + batch, count + 1)):
                expired = rng.random() < expired_share
                # Past their period: decided/ended about three years ago; kept: within the last year.
                age_days = rng.uniform(900, 1400) if expired else rng.uniform(120, 360)
                decided_at = now - timedelta(days=age_days)
                filed_at = decided_at - timedelta(days=rng.uniform(2, 40))
                draw = rng.random()
                state = State.ACCEPTED if draw < 0.8 else State.REFUSED if draw < 0.95 else State.CLOSED
                dossier_uuid = uuid.UUID(int=rng.getrandbits(128))
                applicant = applicant_ids[pk % 2000]
                dossiers.write(
                    dossier_line(
                        {
                            "id": pk,
                            "uuid": dossier_uuid,
                            "number": f"WIF-BENCH-{pk:09d}",
                            "state": state,
                            "category_id": rng.choice(categories),
                            "applicant_id": applicant,
                            "filer_kind": "student",
                            "unit_id": unit.pk,
                            "assignee_id": agent.pk,
                            "department_id": rng.choice(departments),
                            "student_first_name": "Amina",
                            "student_last_name": f"Haddad{pk}",
                            "student_birth_date": date(2001, 1, 1) + timedelta(days=pk % 1500),
                            "student_birth_place": "Alger",
                            "student_nationality": "algérienne",
                            "student_email": f"student{pk}@bench.test",
                            "student_address": "12 rue des Écoles",
                            "student_postcode": "75005",
                            "student_city": "Paris",
                            "residence_permit_number": f"75{pk:08d}",
                            "employer_name": "Boulangerie du Panthéon SARL",
                            "employer_siret": "73282932000074",
                            "employer_representative": "Jean Dupont",
                            "job_title": "Apprentie développeuse",
                            "contract_type": "apprenticeship",
                            "weekly_hours": "20.0",
                            "refusal_reason": "hours" if state == State.REFUSED else "",
                            "decision_comment": "Motif détaillé" if state != State.ACCEPTED else "",
                            "regulated_profession": "f",
                            "created_at": filed_at.isoformat(),
                            "updated_at": decided_at.isoformat(),
                            "first_submitted_at": filed_at.isoformat(),
                            "submitted_at": filed_at.isoformat(),
                            "decided_at": decided_at.isoformat(),
                        }
                    )
                )
                if state == State.ACCEPTED:
                    permit_pk += 1
                    valid_from = decided_at.date()
                    valid_until = valid_from + timedelta(days=180)
                    if expired:  # its end, not its decision, starts the clock
                        valid_until = min(valid_until, today - timedelta(days=800))
                        valid_from = min(valid_from, valid_until)
                    permits.write(
                        permit_line(
                            {
                                "id": permit_pk,
                                "uuid": uuid.UUID(int=rng.getrandbits(128)),
                                "number": f"APT-BENCH-{pk:09d}",
                                "dossier_id": pk,
                                "holder_first_name": "Amina",
                                "holder_last_name": f"Haddad{pk}",
                                "holder_birth_date": date(2001, 1, 1),
                                "holder_nationality": "algérienne",
                                "employer_name": "Boulangerie du Panthéon SARL",
                                "employer_siret": "73282932000074",
                                "category_id": categories[0],
                                "job_title": "Apprentie développeuse",
                                "contract_type": "apprenticeship",
                                "weekly_hours": "20.0",
                                "valid_from": valid_from,
                                "valid_until": valid_until,
                                "unit_id": unit.pk,
                                "signatory_name": "Claire Martin",
                                "issued_at": decided_at.isoformat(),
                                "issued_by_id": agent.pk,
                                "status": "valid",
                                "seal": "X" * 400,
                                "seal_kid": "00",
                                "pdf": f"permits/{pk}.pdf" if expired else "",
                            }
                        )
                    )
                    if expired:
                        _write(MEDIA / f"permits/{pk}.pdf")
                        files += 1
                for _ in range(DOCUMENTS_PER_DOSSIER):
                    document_pk += 1
                    name = f"dossiers/{dossier_uuid}/{document_pk}.pdf"
                    documents.write(
                        document_line(
                            {
                                "id": document_pk,
                                "dossier_id": pk,
                                "file": name,
                                "original_name": "passeport.pdf",
                                "content_type": "application/pdf",
                                "size": len(PDF),
                                "sha256": "0" * 64,
                                "uploaded_by_id": applicant,
                                "uploaded_at": filed_at.isoformat(),
                            }
                        )
                    )
                    if expired:  # only the files the purge deletes are written (time)
                        _write(MEDIA / name)
                        files += 1
                outcome = {State.ACCEPTED: T.ACCEPT, State.REFUSED: T.REFUSE, State.CLOSED: T.CLOSE}[state]
                for when, verb in (
                    (filed_at, T.SUBMIT),
                    (filed_at + timedelta(hours=5), T.TAKE),
                    (decided_at, outcome),
                ):
                    frm = (
                        State.DRAFT
                        if verb == T.SUBMIT
                        else State.SUBMITTED
                        if verb == T.TAKE
                        else State.IN_REVIEW
                    )
                    data = json.dumps({"from": str(frm.value), "to": str(target_of(verb, frm).value)})
                    verb = verb.value
                    events.write(f"\\N\tdossier.{verb}\tdossiers.dossier\t{pk}\t{when.isoformat()}\t{data}\n")
                events.write(
                    f"{agent.pk}\tdossier.view\tdossiers.dossier\t{pk}\t{decided_at.isoformat()}\t{{}}\n"
                )
            copy(cursor, Dossier._meta.db_table, dossier_columns, dossiers.getvalue())
            copy(cursor, Permit._meta.db_table, permit_columns, permits.getvalue())
            copy(cursor, Document._meta.db_table, document_columns, documents.getvalue())
            copy(cursor, Event._meta.db_table, event_columns, events.getvalue())
            print(f"  loaded {min(first + batch - 1, count):>9,} dossiers, {files:,} files", flush=True)
        # The typed transition log the statistics read, from those events (as its migration does).
        transition_log_backfill(None, None)
        for model in (Dossier, Permit, Document):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    print(f"Load: {count:,} dossiers, {files:,} files in {time.perf_counter() - started:.0f} s")


def _write(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)


def purge(batch_size: int | None, verify: bool):
    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from workinfrance.dossiers.models import Document, Dossier
    from workinfrance.retention import services
    from workinfrance.retention.models import PurgeRun
    from workinfrance.retention.selectors import retention_plan
    from workinfrance.stats.models import DossierFact
    from workinfrance.stats.services import stats_rebuild

    today = timezone.localdate()
    size = batch_size or settings.WIF_RETENTION_BATCH
    print(f"Database: {Dossier.objects.count():,} dossiers, {Document.objects.count():,} documents")
    if verify:
        stats_rebuild()
        facts_before = list(DossierFact.objects.order_by("pk").values_list())
    started = time.perf_counter()
    plan = retention_plan(today)
    print(
        f"Dry run ({time.perf_counter() - started:.1f} s): " + ", ".join(f"{p.kind} {p.due:,}" for p in plan)
    )
    print(f"Before: {uptime()}")
    run = PurgeRun.objects.create()
    total_started = time.perf_counter()
    for kind, due, purge_batch in services.STEPS:
        started, counts = time.perf_counter(), {}
        for ids in services._batches(due(today), size):
            for name, value in purge_batch(run, ids, today).items():
                counts[name] = counts.get(name, 0) + value
        elapsed = time.perf_counter() - started
        line = f"  {kind:<15} {elapsed:7.1f} s  {counts}"
        if kind in ("dossiers", "documents") and counts and elapsed:
            unit = "dossiers" if kind == "dossiers" else "documents"
            line += f"  -> {counts[unit] / elapsed:,.0f} {unit}/s"
        print(line, flush=True)
    total = time.perf_counter() - total_started
    print(f"After: {uptime()}")
    purged = Dossier.objects.filter(purged_at__isnull=False).count()
    print(f"Whole purge: {total:.1f} s, batch {size}; {purged:,} dossiers purged in all")
    left = Document.objects.filter(dossier__purged_at__isnull=False).count()
    # Only the files of dossiers past their period were written: none may be left, nor their folders.
    files_left = sum(len(names) for _folder, _dirs, names in os.walk(MEDIA))
    folders_left = sum(len(dirs) for _folder, dirs, _names in os.walk(MEDIA / "dossiers"))
    print(
        f"Checks: documents left on purged dossiers {left}, files left {files_left}, folders {folders_left}"
    )
    if verify:
        stats_rebuild()
        same = list(DossierFact.objects.order_by("pk").values_list()) == facts_before
        print(f"Statistics facts identical after the purge and a rebuild from the events: {same}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--expired", type=float, default=0.5, help="share of dossiers past their period")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--verify", action="store_true", help="statistics facts compared before/after")
    args = parser.parse_args()
    if not args.skip_load:
        load(args.dossiers, args.expired)
    purge(args.batch_size, args.verify)


if __name__ == "__main__":
    main()
