"""Verification page throughput against a bare Django view, same gunicorn (2 sync workers), same run.

    python bench/permits_verify_page.py [seconds per round, 3] [client processes, 2] [--port 8765]

Target (issue 5): the page /V/<seal> serves at least 80 % of the requests per second of a bare view
behind the same middleware. The load generator is a multi-process Python client (one new connection
per request: gunicorn's sync workers close connections anyway); rounds alternate between the two URLs
so that a change in the machine's load hits both.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import ROOT, site_environment

HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))  # --port overrides
ROUNDS = 6


def client(path: str, seconds: float, results) -> None:
    done, errors, deadline = 0, 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                done += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            connection.close()
    results.put((done, errors))


def throughput(path: str, seconds: float, clients: int) -> tuple[float, int]:
    results = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=client, args=(path, seconds, results)) for _ in range(clients)
    ]
    start = time.monotonic()
    for process in processes:
        process.start()
    counts = [results.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.monotonic() - start
    return sum(done for done, _ in counts) / elapsed, sum(errors for _, errors in counts)


def wait_for_server(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, PORT), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def valid_seal(env: dict) -> str:
    code = (
        "from workinfrance.permits.models import Permit;"
        "print(Permit.objects.filter(status='valid').exclude(pdf='').first().seal)"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return output.stdout.strip().splitlines()[-1]


def main(seconds: float, clients: int) -> None:
    env = site_environment()
    seal_path = f"/V/{valid_seal(env)}"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "-w",
            "2",
            "-b",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_server(time.monotonic() + 30)
        for path in ("/bench/bare/", seal_path):  # warm up both workers and every cache
            throughput(path, 1.0, clients)
        rounds = {"bare view": [], "verification page": []}
        for _ in range(ROUNDS):
            for name, path in (("bare view", "/bench/bare/"), ("verification page", seal_path)):
                rate, errors = throughput(path, seconds, clients)
                if errors:
                    raise SystemExit(f"{errors} failed requests on {path}")
                rounds[name].append(rate)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"gunicorn 2 sync workers, {clients} client processes, {ROUNDS} alternating rounds of {seconds:.0f} s, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    for name, rates in rounds.items():
        print(
            f"  {name:<18} best {max(rates):7.0f} req/s  median {statistics.median(rates):7.0f} req/s"
            f"   rounds {', '.join(f'{r:.0f}' for r in rates)}"
        )
    for label, pick in (("best", max), ("median", statistics.median)):
        ratio = pick(rounds["verification page"]) / pick(rounds["bare view"])
        verdict = "met" if ratio >= 0.8 else "NOT met"
        print(f"  verification page / bare view ({label} rounds) = {ratio:.0%} (target >= 80 %: {verdict})")
    print("BENCH-RESULT " + json.dumps({"verify_page": {"ratio": ratio, "load": os.getloadavg()[0]}}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("seconds", nargs="?", type=float, default=3.0, help="seconds per round")
    parser.add_argument("clients", nargs="?", type=int, default=2, help="client processes")
    parser.add_argument(
        "--port", type=int, default=PORT, help="gunicorn's port (default $BENCH_PORT or 8765)"
    )
    arguments = parser.parse_args()
    PORT = arguments.port
    main(arguments.seconds, arguments.clients)
