"""Real faults for the resilience tests: closed ports, a Redis server of our own, a broker away.

Nothing here mocks a part: a test cuts the real thing (a socket nobody listens on, a redis-server
process it stops, a PostgreSQL backend it terminates)."""

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

from config.celery import app as celery_app


def closed_port() -> int:
    """A local TCP port nobody listens on (the OS's pick, outside every fixed range)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def celery_broker(url: str):
    """Make this process publish tasks to `url` (instead of running them in-process) for a while."""
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    saved_pools = celery_app._pool, celery_app.amqp._producer_pool
    celery_app._pool = celery_app.amqp._producer_pool = None
    conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool, celery_app.amqp._producer_pool = saved_pools
        conf.update(saved)


class RedisServer:
    """A redis-server process of the test's own, on a free port, that the test may stop and start."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = closed_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is required (Debian package redis-server)"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
        deadline = time.monotonic() + 5
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
