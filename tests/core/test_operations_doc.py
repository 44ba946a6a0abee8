"""docs/operations.md lists every environment variable the production settings and gunicorn's
configuration read, and no other: recorded by reading them for real, so the list cannot drift."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.core.test_settings import PROD_ENV

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "operations.md").read_text()

# Imports the production settings and config/gunicorn.conf.py with an environment that notes every
# name code under config/ asks for (the conditional branches switched on by the variables below).
RECORDER = """
import json, os, runpy, sys
sys.path.insert(0, os.getcwd())
CONFIG = os.path.join(os.getcwd(), "config")
seen = set()
class Recording(dict):
    def _note(self, key):
        frame = sys._getframe(2)
        if frame.f_code.co_filename.startswith(CONFIG):
            seen.add(key)
    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)
    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)
os.environ = Recording(os.environ)
from django.conf import settings
settings.DEBUG
runpy.run_path(os.path.join(CONFIG, "gunicorn.conf.py"))
print(json.dumps(sorted(seen)))
"""


SWITCHES = {
    "EMAIL_HOST": "smtp.example",
    "WIF_S3_BUCKET": "bucket",
    "DATABASE_REPLICA_URL": "postgres://wif@replica.example/wif",
}


def variables_read() -> set[str]:
    """With every switch off, then on: the variables of each branch are read once."""
    return _read({}) | _read(SWITCHES)


def _read(switches: dict) -> set[str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(ROOT / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        **PROD_ENV,
        **switches,
    }
    result = subprocess.run(
        [sys.executable, "-c", RECORDER], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout)) - {"DJANGO_SETTINGS_MODULE"}


def documented(section: str) -> set[str]:
    text = DOC.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", text, flags=re.MULTILINE))


def test_every_variable_the_production_settings_read_is_documented_and_only_those():
    read, listed = variables_read(), documented("Configuration")
    assert read - listed == set(), "read by the settings but missing from docs/operations.md"
    assert listed - read == set(), "in docs/operations.md but read by nothing"


def test_the_procfile_variables_are_documented():
    procfile = (ROOT / "Procfile").read_text()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", procfile))
    assert used <= documented("Configuration") | documented("Processes")


def test_the_readme_links_to_the_operations_guide():
    assert "docs/operations.md" in (ROOT / "README.md").read_text()
