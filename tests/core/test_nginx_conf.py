"""deploy/nginx.conf (issue 19): accepted by Debian's nginx (`nginx -t`), and in line with the
service's settings (body cap, the headers the service relies on)."""

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CONF = (ROOT / "deploy" / "nginx.conf").read_text()
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "workinfrance.example.gouv.fr")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.mark.skipif(
    not Path(NGINX).exists(), reason="Debian's nginx is not installed (scripts/test.sh installs it)"
)
def test_the_example_is_accepted_by_nginx(tmp_path):
    cert, key = self_signed(tmp_path)
    site = (
        CONF.replace("/etc/ssl/workinfrance/fullchain.pem", str(cert))
        .replace("/etc/ssl/workinfrance/privkey.pem", str(key))
        .replace("/var/log/nginx/workinfrance.access.log", str(tmp_path / "access.log"))
    )
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  client_body_temp_path {tmp_path}/body;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(main)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_body_cap_is_the_services():
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", CONF).group(1))
    assert megabytes * 1024 * 1024 == settings.WIF_REQUEST_MAX_BYTES


def test_the_proxy_replaces_forwarded_for_buffers_bodies_and_passes_a_request_id():
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in CONF  # replaced, not appended to
    assert "$proxy_add_x_forwarded_for" not in CONF
    assert "proxy_request_buffering on;" in CONF
    assert "proxy_set_header X-Request-ID $request_id;" in CONF
    assert re.search(r"location = /metrics \{\s*return 404;", CONF)
