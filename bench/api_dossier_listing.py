"""Dossier listing through the API at scale: p95 of GET /api/v1/unit/dossiers (first pages, filters,
deep cursor pages) for the biggest unit, on the database of bench/backoffice_inbox.py.

    python bench/backoffice_inbox.py --million --no-export     # load once (minutes)
    python bench/api_dossier_listing.py [--database wif_bench] [--repeat 30]

Target (issue 18): p95 <= 50 ms at 1,000,000 dossiers. Requests go through the whole Django stack
in-process (token check, throttle, audit event, JSON), not through a network server.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backoffice_inbox import load_average, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="wif_bench", help="as given to backoffice_inbox.py")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without database",
    )
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup_django(args.server, args.database)

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from workinfrance.accounts.models import User
    from workinfrance.api.tokens import token_create
    from workinfrance.dossiers.models import Dossier

    settings.WIF_API_TOKEN_RATE = 10**9
    supervisor = User.objects.get(email="agent0-0@bench.test")  # supervisor of the biggest unit
    unit = supervisor.units.get()
    token = token_create(
        actor=supervisor,
        name="bench",
        scopes=["dossiers:read"],
        expires_at=timezone.now() + datetime.timedelta(hours=1),
        unit=unit,
    ).plaintext
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(query: str) -> dict:
        response = client.get(f"/api/v1/unit/dossiers?{query}", **headers)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    # A cursor some 200 pages deep, to show that depth costs nothing.
    body = get("tab=all&limit=200")
    for _ in range(10):
        body = get(f"tab=all&limit=200&cursor={body['next_cursor']}")
    deep = body["next_cursor"]
    rng = random.Random(7)
    scenarios = {
        "all, first page (50)": lambda: get("tab=all&limit=50"),
        "to take (default inbox tab)": lambda: get("tab=to_take"),
        "decided, newest first": lambda: get("tab=decided&sort=-filed"),
        "state=in_review": lambda: get("tab=all&state=in_review"),
        "category=apprenticeship": lambda: get("tab=all&category=apprenticeship"),
        "deep cursor (page > 40)": lambda: get(f"tab=all&limit=50&cursor={deep}"),
        "search (name)": lambda: get(f"tab=all&q={rng.choice(['Martin', 'Haddad', 'Nguyen', 'Diallo'])}"),
    }
    total = Dossier.objects.count()
    in_unit = Dossier.objects.filter(unit=unit).count()
    print(f"{total:,} dossiers; the unit holds {in_unit:,}; {load_average()}")
    for name, function in scenarios.items():
        function()  # warm
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            function()
            samples.append(time.perf_counter() - started)
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"  {name:<30} p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"
            f"   (n={len(ordered)})"
        )


if __name__ == "__main__":
    main()
