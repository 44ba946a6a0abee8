"""Slow clients against gunicorn: sync workers versus the project's configuration (gthread).

    python bench/slow_clients.py [slow clients, 2] [seconds they keep stalling, 20]

The worker timeout is raised to 120 s for both, so that a loaded machine's first request (which
imports every view) is not what gets measured. Reproduces issue 11's report: clients that send the head of an upload and then a byte a second.
For each worker model (2 workers both times) it prints how long an ordinary page takes to answer
while they stall, with the load average beside it. Behind nginx (deploy/nginx.conf) gunicorn
never sees a partial body at all; this measures gunicorn alone.
"""

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import ROOT

HOST, PORT = "127.0.0.1", 8112
MODELS = {
    "sync, 2 workers": ["--worker-class=sync", "--workers=2", "--timeout=120"],
    "config/gunicorn.conf.py (gthread), 2 workers": [
        "-c",
        "config/gunicorn.conf.py",
        "--workers=2",
        "--timeout=120",
    ],
}


def environment() -> dict:
    """A migrated throw-away SQLite site (the pages asked here need no demo data)."""
    var = Path(tempfile.mkdtemp(prefix="wif-bench-slow-"))
    atexit.register(shutil.rmtree, var, ignore_errors=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "WIF_VAR_DIR": str(var),
        "PYTHONPATH": str(ROOT),
    }
    for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(key, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return env


def serve(env: dict, args: list[str]) -> subprocess.Popen:
    log_path = Path(env["WIF_VAR_DIR"]) / "gunicorn.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *args,
                f"--bind={HOST}:{PORT}",
                "--no-control-socket",
                "config.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    # Both workers answer once before the test (the first request imports every view).
    deadline, warm = time.monotonic() + 300, 0
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/", timeout=120).close()  # noqa: S310
            warm += 1
            if warm == 4:
                return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: see {log_path}")


def stall(seconds: float, stop: threading.Event) -> None:
    sock = socket.create_connection((HOST, PORT), timeout=seconds + 10)
    sock.sendall(
        b"POST /comptes/connexion/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        # A CSRF cookie of the client's own making: the CSRF check then reads the form's token
        # from the body (without one it refuses at once, never reading it).
        b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    )
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and not stop.is_set():
            sock.sendall(b"x")  # one byte a second
            time.sleep(1)
    except OSError:
        pass
    finally:
        sock.close()


def ordinary_request_seconds(timeout: float) -> float | None:
    start = time.monotonic()
    try:
        urllib.request.urlopen(f"http://{HOST}:{PORT}/", timeout=timeout).close()  # noqa: S310
    except OSError:
        return None
    return time.monotonic() - start


def main() -> None:
    slow = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 20
    env = environment()
    for name, args in MODELS.items():
        process = serve(env, args)
        stop = threading.Event()
        threads = [threading.Thread(target=stall, args=(seconds, stop)) for _ in range(slow)]
        try:
            for thread in threads:
                thread.start()
            time.sleep(1)
            took = ordinary_request_seconds(timeout=seconds + 5)
            load = os.getloadavg()[0]
            answer = f"{took:.2f} s" if took is not None else "no answer"
            print(f"{name}: {slow} slow clients -> ordinary page in {answer}  (load average {load:.2f})")
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
