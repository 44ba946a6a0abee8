"""The local OpenID Connect provider (scripts/oidc/provider.mjs, the npm `oidc-provider`) in a subprocess.

One Node process serves FranceConnect and ProConnect on two free ports. Used by tests/oidc and by the
browser tests; `make oidc-provider` starts the same script by hand."""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / "scripts" / "oidc" / "provider.mjs"
STARTUP_SECONDS = 60

# Client ids registered by the script; the secret is "<client id>-local-secret".
CLIENTS = {
    "franceconnect": {
        "ES256": "wif-franceconnect",
        "RS256": "wif-franceconnect-rs256",
        "json-userinfo": "wif-franceconnect-json",
    },
    "proconnect": {"RS256": "wif-proconnect", "ES256": "wif-proconnect-es256"},
}
DEFAULT_ALG = {"franceconnect": "ES256", "proconnect": "RS256"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalProvider:
    def __init__(self, rp_origins: list[str], *, log_path: Path | None = None):
        self.rp_origins = rp_origins
        self.ports = {"franceconnect": _free_port(), "proconnect": _free_port()}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def issuer(self, provider: str) -> str:
        return f"http://127.0.0.1:{self.ports[provider]}"

    def start(self) -> "LocalProvider":
        node = shutil.which("node")
        if node is None or not (REPO_ROOT / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("node and `npm ci` (oidc-provider) are needed: scripts/test.sh installs them")
        log = self.log_path.open("wb") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                node,
                str(SCRIPT),
                "--fc-port",
                str(self.ports["franceconnect"]),
                "--pc-port",
                str(self.ports["proconnect"]),
                "--rp-origin",
                ",".join(self.rp_origins),
                "--test-controls",
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "NODE_ENV": "test"},
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        line = b""
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith(b"READY") or self.process.poll() is not None:
                break
        if not line.startswith(b"READY"):
            self.stop()
            raise RuntimeError(f"the local OIDC provider did not start: {line!r}")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def settings_for(self, *, franceconnect_alg: str = "ES256", proconnect_alg: str = "RS256") -> dict:
        """WIF_OIDC_PROVIDERS pointing at this provider."""
        algs = {"franceconnect": franceconnect_alg, "proconnect": proconnect_alg}
        return {
            name: {
                "issuer": self.issuer(name),
                "client_id": CLIENTS[name][algs[name]],
                "client_secret": f"{CLIENTS[name][algs[name]]}-local-secret",
            }
            for name in CLIENTS
        }

    def environment(self) -> dict:
        """The service's environment variables for this provider (browser tests, README)."""
        env = {}
        for name, config in self.settings_for().items():
            prefix = f"WIF_{name.upper()}"
            env.update(
                {
                    f"{prefix}_ISSUER": config["issuer"],
                    f"{prefix}_CLIENT_ID": config["client_id"],
                    f"{prefix}_CLIENT_SECRET": config["client_secret"],
                }
            )
        return env

    def set_mode(self, mode: str, ms: int = 0) -> None:
        """Make the provider misbehave (scripts/oidc/provider.mjs, TAMPER_MODES) until set back to "off"."""
        response = requests.post(
            f"{self.issuer('franceconnect')}/__test__/mode", data={"mode": mode, "ms": ms}, timeout=10
        )
        response.raise_for_status()
