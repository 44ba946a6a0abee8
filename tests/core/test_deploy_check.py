"""`manage.py check --deploy` with the production settings: every warning left is explained in the
README (issue 11, "Done means")."""

import os
import re
import secrets
import subprocess
import sys

from tests.core.test_settings import PROD_ENV, ROOT


def test_every_deploy_warning_is_explained_in_the_readme():
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(ROOT / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**env, **PROD_ENV, "SECRET_KEY": secrets.token_urlsafe(50)},  # a real one: 50 random characters
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"\((\w+\.W\d+)\)", result.stdout + result.stderr))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("check --deploy", 1)[1].split("\n#", 1)[0]
    assert {warning for warning in warnings if f"`{warning}`" not in section} == set()
