"""The seal keyring: private keys in files outside the repository and the database.

Layout of settings.WIF_SIGNING_KEY_DIR (mode 0700):
- `keyring.json`: the active kid and every public key ever used (active and retired), so permits
  sealed under a retired key still verify;
- `<kid hex>.key.pem`: the private key of the active key only (mode 0600). Rotation creates a new
  key and deletes the retired one's private half: it must never sign again.

In development (WIF_SIGNING_KEY_AUTO_CREATE) the first issuance creates a key if there is none.
"""

import datetime
import fcntl
import hashlib
import json
import os
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils.translation import gettext as _

from .seal import SigningKey, VerificationKey, kid_for, signing_key_generate

KEYRING_FILE = "keyring.json"
LOCK_FILE = ".lock"


class SigningKeyMissing(RuntimeError):
    """No active signing key and automatic creation is off (production): create one first."""


@dataclass(frozen=True)
class KeyRecord:
    kid: bytes
    public_pem: str
    created_at: str
    retired_at: str | None

    @property
    def verification_key(self) -> VerificationKey:
        public_key = serialization.load_pem_public_key(self.public_pem.encode("ascii"))
        return VerificationKey(kid=self.kid, public_key=public_key)


@dataclass(frozen=True)
class Keyring:
    active_kid: bytes | None
    records: tuple[KeyRecord, ...]
    verification_keys: dict[bytes, VerificationKey]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a public key is added or removed: cached verdicts depend on it."""
        return hashlib.sha256(b"".join(sorted(self.verification_keys))).hexdigest()[:16]


_cache: dict[tuple, Keyring] = {}
_signing_cache: dict[tuple, SigningKey] = {}


def key_dir() -> Path:
    return Path(settings.WIF_SIGNING_KEY_DIR)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _stat_key(path) -> tuple | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)


def keyring_load() -> Keyring:
    """The keyring, re-read only when its file changes (one stat per call: every verification
    page asks, so no Path objects here)."""
    path = os.path.join(settings.WIF_SIGNING_KEY_DIR, KEYRING_FILE)
    stamp = _stat_key(path)
    if stamp is None:
        return Keyring(active_kid=None, records=(), verification_keys={})
    cached = _cache.get(stamp)
    if cached is None:
        with open(path) as handle:
            document = json.load(handle)
        records = tuple(
            KeyRecord(
                kid=bytes.fromhex(entry["kid"]),
                public_pem=entry["public_key"],
                created_at=entry["created_at"],
                retired_at=entry.get("retired_at"),
            )
            for entry in document["keys"]
        )
        active = document.get("active")
        cached = Keyring(
            active_kid=bytes.fromhex(active) if active else None,
            records=records,
            verification_keys={record.kid: record.verification_key for record in records},
        )
        _cache.clear()
        _cache[stamp] = cached
    return cached


def verification_keys() -> dict[bytes, VerificationKey]:
    return keyring_load().verification_keys


@contextmanager
def _locked_dir():
    directory = key_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield directory


def _write_private(path: Path, key: SigningKey) -> None:
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _write_keyring(directory: Path, active: bytes, records: list[dict]) -> None:
    temporary = directory / f"{KEYRING_FILE}.tmp"
    temporary.write_text(json.dumps({"active": active.hex(), "keys": records}, indent=2))
    os.replace(temporary, directory / KEYRING_FILE)


def signing_key_create(*, rotate: bool) -> KeyRecord:
    """A new active key. Without `rotate`, refuse if a key is already active."""
    with _locked_dir() as directory:
        path = directory / KEYRING_FILE
        document = json.loads(path.read_text()) if path.exists() else {"active": None, "keys": []}
        previous = document.get("active")
        if previous and not rotate:
            raise FileExistsError(_("Une clé de signature est déjà active : utilisez la rotation."))
        key = signing_key_generate()
        _write_private(directory / f"{key.kid.hex()}.key.pem", key)
        now = _now()
        for entry in document["keys"]:
            if entry["kid"] == previous:
                entry["retired_at"] = now
        public_pem = (
            key.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )
        record = {"kid": key.kid.hex(), "created_at": now, "retired_at": None, "public_key": public_pem}
        _write_keyring(directory, key.kid, [*document["keys"], record])
        if previous:
            (directory / f"{previous}.key.pem").unlink(missing_ok=True)
    return KeyRecord(kid=key.kid, public_pem=public_pem, created_at=now, retired_at=None)


def _signing_key_read(kid: bytes) -> SigningKey:
    path = key_dir() / f"{kid.hex()}.key.pem"
    stamp = _stat_key(path)
    if stamp is None:
        raise SigningKeyMissing(f"private key file {path} is missing")
    cached = _signing_cache.get(stamp)
    if cached is None:
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if kid_for(private_key.public_key()) != kid:
            raise SigningKeyMissing(f"{path} does not hold key {kid.hex()}")
        cached = SigningKey(kid=kid, private_key=private_key)
        _signing_cache.clear()
        _signing_cache[stamp] = cached
    return cached


def signing_key_active() -> SigningKey:
    """The key that seals new permits, created on first use in development only."""
    active = keyring_load().active_kid
    if active is None:
        if not settings.WIF_SIGNING_KEY_AUTO_CREATE:
            raise SigningKeyMissing("no signing key: run `manage.py signing_keys create`")
        with suppress(FileExistsError):  # another process created it meanwhile
            signing_key_create(rotate=False)
        active = keyring_load().active_kid
    return _signing_key_read(active)
