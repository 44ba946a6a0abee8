"""Production web server behaviour (issue 11, point 10): a request body cap checked before the body
is read, and a worker model that clients sending slowly cannot starve — checked on a real gunicorn
started with the project's own configuration (config/gunicorn.conf.py)."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.urls import reverse

from tests.e2e.service import REPO_ROOT, LiveService

PORT = 8111  # this work's port range (8110-8119)
PAGE = "/healthz"  # reads no database, renders no template (no collected static files needed)


def answers(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


class UnreadableBody:
    """A request body that must never be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_body_over_the_cap_is_refused_from_its_declared_length(client, settings, db):
    settings.WIF_REQUEST_MAX_BYTES = 1024
    response = client.generic(
        "POST",
        reverse("accounts:login"),
        data=b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    small = client.post(reverse("accounts:login"), {"username": "a@example.test", "password": "x"})
    assert small.status_code == 200


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """The service under config/gunicorn.conf.py (2 workers, as in the issue's report)."""
    # No database needed (no migration to wait for): the pages asked here never query it.
    service = LiveService(tmp_path_factory.mktemp("gunicorn"))
    log = service.log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            f"--bind=127.0.0.1:{PORT}",
            "--workers=2",
            "--no-control-socket",
            "config.wsgi",
        ],
        cwd=REPO_ROOT,
        env={**service.env, "WIF_REQUEST_MAX_BYTES": str(1024 * 1024)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    service.process, service.url = process, f"http://127.0.0.1:{PORT}"
    try:
        deadline = time.monotonic() + 180
        while not answers(service.url + PAGE, timeout=60):
            assert process.poll() is None and time.monotonic() < deadline, service.log_tail()
            time.sleep(0.5)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def send_head(body_length: int, first_bytes: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=30)
    sock.sendall(
        b"POST /comptes/connexion/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        # A CSRF cookie of the client's own making: the CSRF check then reads the form's token from
        # the body, as a real upload does (without a cookie it refuses at once, never reading it).
        b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {body_length}\r\n\r\n".encode()
        + first_bytes
    )
    return sock


def test_clients_sending_slowly_do_not_starve_the_others(gunicorn):
    # Eight uploads stalled after their first bytes (a sync server of two workers stops at two).
    stalled = [send_head(10_000, b"username=") for _ in range(8)]
    try:
        time.sleep(0.5)  # let the workers pick them up
        assert answers(gunicorn.url + PAGE, timeout=10)
        assert all(sock.fileno() != -1 for sock in stalled)  # they are still there, still unfinished
    finally:
        for sock in stalled:
            sock.close()


def test_an_oversized_body_is_refused_before_it_is_sent(gunicorn):
    sock = send_head(200 * 1024 * 1024, b"x" * 100)
    try:
        status_line = sock.recv(200).split(b"\r\n", 1)[0]
    finally:
        sock.close()
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
