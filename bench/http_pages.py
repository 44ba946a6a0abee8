"""Back-office pages over HTTP at scale: inbox, dossier screen and search under gunicorn.

    python bench/http_pages.py --database wif_bench [--port 8210] [--repeat 60] [--clients 4]

Needs a database loaded by `bench/backoffice_inbox.py` (the agent of the biggest unit is measured).
gunicorn runs the service as in production: 2 sync workers, DEBUG off, persistent database
connections with health checks (`--conn-max-age 0` measures without), Redis cache if `--redis`.
Each figure is measured sequentially (one client) and with `--clients` concurrent clients.
Targets at 1M dossiers on 2 cores: p95 <= 50 ms sequential, <= 150 ms with 4 concurrent clients.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backoffice_inbox import database_memory, load_average, setup_django  # noqa: E402
from bench.search_queries import draw  # noqa: E402

HOST = "127.0.0.1"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def get(port: int, path: str, cookie: str) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=180)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status}")
    return time.perf_counter() - started


def client(port: int, paths: list[str], cookie: str, results) -> None:
    results.put([get(port, path, cookie) for path in paths])


def concurrent(port: int, paths: list[str], cookie: str, clients: int) -> list[float]:
    results = multiprocessing.Queue()
    processes = []
    for index in range(clients):
        mine = paths[index:] + paths[:index]  # every client walks the same pages, shifted
        processes.append(multiprocessing.Process(target=client, args=(port, mine, cookie, results)))
    for process in processes:
        process.start()
    samples = [sample for _ in processes for sample in results.get()]
    for process in processes:
        process.join()
    return samples


def wait_for_server(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def session_cookie() -> tuple[str, list[int]]:
    from django.conf import settings

    from bench.prepare import signed_in_client
    from workinfrance.accounts.models import User

    agent = User.objects.get(email="agent0-1@bench.test")  # agent of the biggest unit
    browser = signed_in_client(agent)  # a completed sign-in: the staff's second factor too
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}", list(
        agent.units.values_list("pk", flat=True)
    )


def page_paths(unit_ids: list[int], repeat: int) -> dict[str, list[str]]:
    from workinfrance.dossiers.models import Dossier

    rng = random.Random(21)
    tabs = ["to_take", "mine", "awaiting", "decided", "all"]
    inbox = [f"/instruction/?tab={tabs[i % len(tabs)]}" for i in range(repeat)]
    highest = Dossier.objects.order_by("-pk").values_list("pk", flat=True).first()
    uuids = []
    while len(uuids) < repeat:
        start = rng.randrange(highest)
        uuids += Dossier.objects.filter(unit_id__in=unit_ids, pk__gte=start).values_list("uuid", flat=True)[
            :1
        ]
    dossier = [f"/instruction/dossiers/{uuid}/" for uuid in uuids]
    queries = draw(unit_ids, per_kind=max(1, repeat // 11))
    rng.shuffle(queries)
    search = ["/instruction/?" + urlencode({"tab": "all", "q": q.text}) for q in queries[:repeat]]
    return {"inbox": inbox, "dossier screen": dossier, "search": search}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="wif_bench")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8210")))
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS_URL", ""), help="Redis URL for the cache"
    )
    parser.add_argument("--repeat", type=int, default=60, help="requests per page kind and client")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--conn-max-age", type=int, default=60, help="0: a new connection per request")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    setup_django(args.server, args.database)
    from bench.prepare import static_collected

    static_collected()  # pages name their static files through the manifest, as in production
    cookie, unit_ids = session_cookie()
    pages = page_paths(unit_ids, args.repeat)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DB_CONN_MAX_AGE": str(args.conn_max_age),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": args.redis,
        "CELERY_BROKER_URL": "",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "config.wsgi:application", "-w", str(args.workers), "-b", f"{HOST}:{args.port}",
        "--no-control-socket", "--log-level", "warning", "--timeout", "180",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    figures = {}
    try:
        wait_for_server(args.port, time.monotonic() + 60)
        for paths in pages.values():  # warm up both workers: imports, templates, connections
            for path in paths[:6]:
                get(args.port, path, cookie)
        print(
            f"gunicorn {args.workers} sync workers, DB_CONN_MAX_AGE={args.conn_max_age}, "
            f"{'Redis' if args.redis else 'local-memory'} cache, {os.cpu_count()} CPUs, {database_memory()}"
        )
        for name, paths in pages.items():
            sequential = [get(args.port, path, cookie) for path in paths]
            load_seq = os.getloadavg()[0]
            parallel = concurrent(args.port, paths, cookie, args.clients)
            load_par = os.getloadavg()[0]
            figures[name] = {
                "p50": percentile(sequential, 0.5) * 1000,
                "p95": percentile(sequential, 0.95) * 1000,
                "concurrent_p50": percentile(parallel, 0.5) * 1000,
                "concurrent_p95": percentile(parallel, 0.95) * 1000,
                "load": load_seq,
            }
            f = figures[name]
            print(
                f"  {name:<15} sequential p50 {f['p50']:6.1f} ms  p95 {f['p95']:6.1f} ms (load {load_seq:.1f})   "
                f"{args.clients} clients p50 {f['concurrent_p50']:6.1f} ms  p95 {f['concurrent_p95']:6.1f} ms "
                f"(load {load_par:.1f})   n={len(sequential)}"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)
    for name, f in figures.items():
        verdict = "met" if f["p95"] <= 50 and f["concurrent_p95"] <= 150 else "NOT met"
        print(f"  {name}: target p95 <= 50 ms sequential, <= 150 ms with {args.clients} clients: {verdict}")
    print(f"  ({load_average()})")
    if args.json:
        print("BENCH-RESULT " + json.dumps({"http": figures, "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
