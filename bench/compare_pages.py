"""The back-office pages of two versions of the code, side by side, on one database.

    python bench/compare_pages.py --base 2377ab1 --database wif_bench [--repeat 60] [--port 8280]

On a machine whose speed moves by a third from one hour to the next (see the reference loop that
every bench prints), two runs of `bench/http_pages.py` an hour apart compare the machine, not the
code. Here the base commit (a git worktree in a temporary folder, sharing this checkout's .venv and
node_modules) and the working tree each run under gunicorn (1 sync worker, DEBUG off, persistent
connections), and every page is requested from both, in random order, one after the other: both
versions see the same machine at the same moment. The database must be one both versions can read
(loaded by `bench/backoffice_inbox.py`, migrated by the newer one). Prints p50 / p95 per version.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backoffice_inbox import database_memory, load_average, setup_django  # noqa: E402
from bench.http_pages import get, page_paths, percentile, session_cookie, wait_for_server  # noqa: E402


def base_worktree(commit: str, folder: Path) -> Path:
    tree = folder / "base"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), commit], cwd=ROOT, check=True)
    for shared in (".venv", "node_modules"):
        if (ROOT / shared).exists():
            (tree / shared).symlink_to(ROOT / shared)
    python = str(ROOT / ".venv" / "bin" / "python")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    quiet = {"cwd": tree, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([python, "manage.py", "collectstatic", "--no-input", "-v", "0"], **quiet)
    subprocess.run(
        [python, "manage.py", "compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v", "0"],
        **quiet,
    )
    return tree


def start(tree: Path, port: int, env: dict) -> subprocess.Popen:
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    command = [
        gunicorn, "config.wsgi:application", "-w", "1", "-b", f"127.0.0.1:{port}",
        "--no-control-socket", "--log-level", "warning", "--timeout", "180",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=tree, env={**env, "PYTHONPATH": str(tree)})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="the commit to compare the working tree with")
    parser.add_argument("--database", default="wif_bench")
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8280")))
    parser.add_argument("--repeat", type=int, default=60, help="requests per page kind and version")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    setup_django(args.server, args.database)
    from bench.prepare import static_collected

    static_collected()
    cookie, unit_ids = session_cookie()
    pages = page_paths(unit_ids, args.repeat)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{args.server}/{args.database}",
        "DB_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }
    folder = Path(tempfile.mkdtemp(prefix="wif-compare-"))
    servers = {}
    try:
        trees = {f"base {args.base}": base_worktree(args.base, folder), "working tree": ROOT}
        for offset, (name, tree) in enumerate(trees.items()):
            servers[name] = (args.port + offset, start(tree, args.port + offset, env))
        for port, _server in servers.values():
            wait_for_server(port, time.monotonic() + 60)
        for paths in pages.values():  # warm up: imports, templates, connections
            for path in paths[:6]:
                for port, _server in servers.values():
                    get(port, path, cookie)
        print(f"gunicorn 1 sync worker each, {database_memory()}")
        rng = random.Random(21)
        for kind, paths in pages.items():
            samples = {name: [] for name in servers}
            for path in paths:
                order = list(servers.items())
                rng.shuffle(order)
                for name, (port, _server) in order:
                    samples[name].append(get(port, path, cookie) * 1000)
            print(
                f"  {kind:<15}"
                + "   ".join(
                    f"{name}: p50 {percentile(v, 0.5):6.1f} ms  p95 {percentile(v, 0.95):6.1f} ms"
                    for name, v in samples.items()
                )
            )
        print(f"  ({load_average()})")
    finally:
        for _port, server in servers.values():
            server.terminate()
            server.wait(timeout=20)
        subprocess.run(["git", "worktree", "remove", "--force", str(folder / "base")], cwd=ROOT, check=False)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
