"""Batch verification API against the seal module's own verification loop, in the same run.

    python bench/api_verify_batch.py [--database wif_i18_bench_verify] [--rounds 5]

Target (issue 18): POST /api/v1/verify with 1,000 distinct seals per call reaches at least 70 % of
the rate of `seal.verify_qr_text` looping over the same 1,000 seals. Both are measured cold: the
process's memo of checked signatures and the shared cache of permit states are emptied before each
API call, so every call checks 1,000 signatures and reads 1,000 statuses from PostgreSQL. Rounds
alternate between the two so that a change in the machine's load hits both; best round of each.
Uses its own PostgreSQL database (dropped and recreated, dropped again at the end).
"""

import argparse
import atexit
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backoffice_inbox import load_average, recreate_database  # noqa: E402

SEALS = 1000
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def setup(database: str) -> None:
    recreate_database(SERVER, database)
    os.environ["DATABASE_URL"] = f"{SERVER}/{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["WIF_SIGNING_KEY_DIR"] = tempfile.mkdtemp(prefix="wif-bench-keys-")
    atexit.register(shutil.rmtree, os.environ["WIF_SIGNING_KEY_DIR"], ignore_errors=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.WIF_SIGNING_KEY_DIR = Path(os.environ["WIF_SIGNING_KEY_DIR"])
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", "--no-input", verbosity=0)


def permits(n: int) -> list[str]:
    """n accepted dossiers with their sealed permits (no PDF: not needed to verify); their QR texts."""
    from django.utils import timezone

    from workinfrance.accounts.models import Role, User
    from workinfrance.dossiers.models import Dossier
    from workinfrance.permits.models import Permit
    from workinfrance.permits.services import permit_qr_text, permit_seal
    from workinfrance.procedures.models import Category
    from workinfrance.territories.models import Department, Unit

    department = Department.objects.get(code="75")
    unit = Unit.objects.create(
        name="Paris", address="Paris", contact_email="u@bench.test", signatory_name="X"
    )
    unit.departments.add(department)
    supervisor = User.objects.create_user("sup@bench.test", "x" * 12, role=Role.SUPERVISOR)
    supervisor.units.add(unit)
    applicant = User.objects.create_user("app@bench.test", "x" * 12)
    category = Category.objects.get(code="apprenticeship")
    now, today = timezone.now(), timezone.localdate()
    from workinfrance.dossiers.lifecycle import Transition
    from workinfrance.dossiers.services import dossier_transition_seed

    dossiers = Dossier.objects.bulk_create(
        Dossier(
            category=category,
            applicant=applicant,
            filer_kind="student",
            unit=unit,
            department=department,
        )
        for i in range(n)
    )

    def filed(dossier, i):
        dossier.number, dossier.submitted_at = f"WIF-2026-75-{i:06d}", now
        return {}

    def decided(dossier):
        dossier.decided_at = now
        return {}

    # Accepted through the lifecycle (no permit from the service: the bench makes its own below).
    for i, dossier in enumerate(dossiers):
        dossier_transition_seed(
            dossier=dossier, actor=applicant, transition=Transition.SUBMIT, change=lambda d, i=i: filed(d, i)
        )
        dossier_transition_seed(
            dossier=dossier, actor=supervisor, transition=Transition.TAKE, change=lambda d: {}
        )
        dossier_transition_seed(
            dossier=dossier, actor=supervisor, transition=Transition.ACCEPT, change=decided
        )
    made = []
    for i, dossier in enumerate(dossiers):
        permit = Permit(
            number=f"APT-2026-75-B{i:07d}",
            dossier=dossier,
            holder_first_name="Amina",
            holder_last_name=f"Haddad{i}",
            holder_birth_date=datetime.date(2002, 3, 14),
            employer_name="Boulangerie du Panthéon SARL",
            employer_siret="73282932000074",
            category=category,
            job_title="Apprentie",
            contract_type="apprenticeship",
            weekly_hours=Decimal("35.0"),
            valid_from=today,
            valid_until=today + datetime.timedelta(days=300),
            unit=unit,
            signatory_name="X",
            issued_by=supervisor,
        )
        permit_seal(permit)
        made.append(permit)
    Permit.objects.bulk_create(made)
    return [permit_qr_text(p) for p in made], supervisor, unit


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="wif_i18_bench_verify")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    setup(args.database)
    try:
        run(args.rounds)
    finally:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def run(rounds: int) -> None:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from workinfrance.api.tokens import token_create
    from workinfrance.permits import seal
    from workinfrance.permits.keys import keyring_load
    from workinfrance.permits.selectors import _genuine_seal

    texts, supervisor, unit = permits(SEALS)
    keys = keyring_load().verification_keys
    token = token_create(
        actor=supervisor,
        name="bench",
        scopes=["dossiers:read"],
        expires_at=timezone.now() + datetime.timedelta(days=1),
        unit=unit,
    ).plaintext
    client = Client()
    body = json.dumps({"seals": texts})

    def loop() -> float:
        started = time.perf_counter()
        for text in texts:
            seal.verify_qr_text(text, keys)
        return SEALS / (time.perf_counter() - started)

    def api_call(cold: bool = True) -> float:
        if cold:
            _genuine_seal.cache_clear()
            cache.clear()
        started = time.perf_counter()
        response = client.post(
            "/api/v1/verify", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        elapsed = time.perf_counter() - started
        results = response.json()["results"]
        assert response.status_code == 200 and len(results) == SEALS
        assert all(r["verdict"] == "valid" for r in results)
        return SEALS / elapsed

    api_call()  # warm up: imports, connection, keyring
    loop_rates, api_rates = [], []
    for _ in range(rounds):
        loop_rates.append(loop())
        api_rates.append(api_call())
    warm = max(api_call(cold=False) for _ in range(3))
    best_loop, best_api = max(loop_rates), max(api_rates)
    print(
        f"Batch verification, {SEALS} distinct seals per call, best of {rounds} alternating rounds; {load_average()}"
    )
    print(f"  seal.verify_qr_text loop         {best_loop:8.0f} seals/s  ({1e6 / best_loop:6.1f} us/seal)")
    print(f"  POST /api/v1/verify (cold)       {best_api:8.0f} seals/s  ({1e6 / best_api:6.1f} us/seal)")
    print(
        f"  POST /api/v1/verify (memo warm)  {warm:8.0f} seals/s  (signatures already checked by this process)"
    )
    print(f"  API / loop = {best_api / best_loop:.0%}  (target >= 70 %)")


if __name__ == "__main__":
    main()
