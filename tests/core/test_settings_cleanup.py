"""Each process loading the test settings removes their media and key folders when it ends (they
were left in /tmp, some ten per run of the suite)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import os
import sys
import django
from django.conf import settings
django.setup()
print(settings.MEDIA_ROOT)
print(settings.WIF_SIGNING_KEY_DIR)
assert settings.MEDIA_ROOT.is_dir() and settings.WIF_SIGNING_KEY_DIR.is_dir()
(settings.WIF_SIGNING_KEY_DIR / "key.pem").write_text("x")
child = os.fork()
if child == 0:
    sys.exit(0)  # a forked child runs the exit handlers too: it must not remove its parent's folders
os.waitpid(child, 0)
assert settings.MEDIA_ROOT.is_dir() and (settings.WIF_SIGNING_KEY_DIR / "key.pem").exists()
"""


def test_the_test_settings_remove_their_temporary_folders_at_exit(tmp_path):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "TMPDIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    media, keys = (Path(line) for line in run.stdout.split())
    assert media.parent == keys.parent == tmp_path
    assert not media.exists() and not keys.exists()
    assert list(tmp_path.iterdir()) == []
