"""`make install` builds the virtual environment on Debian's own Python 3.11 when the machine has it
(with venv): the production interpreter on Debian, built with profile-guided optimisation; pyenv's
default build served the back-office pages 25-30 % slower (bench/http_pages.py)."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = "/usr/bin/python3.11"


def _venv_command(tmp_path, *variables: str) -> str:
    """What `make` would run to create a virtual environment (dry run: nothing is created)."""
    venv = tmp_path / "venv"
    environment = {key: value for key, value in os.environ.items() if key != "PYTHON"}
    run = subprocess.run(
        [
            shutil.which("make") or "make",
            "-n",
            "-C",
            str(ROOT),
            f"VENV={venv}",
            *variables,
            f"{venv}/bin/python",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    [command] = [line for line in run.stdout.splitlines() if " -m venv " in line]
    return command.removesuffix(f" -m venv {venv}")


def _debian_python_usable() -> bool:
    if not Path(DEBIAN_PYTHON).exists():
        return False
    return subprocess.run([DEBIAN_PYTHON, "-c", "import ensurepip"], capture_output=True).returncode == 0


def test_the_virtual_environment_is_built_on_debians_python_when_the_machine_has_it(tmp_path):
    expected = DEBIAN_PYTHON if _debian_python_usable() else "python3.11"
    assert _venv_command(tmp_path) == expected


def test_the_interpreter_can_be_chosen(tmp_path):
    assert _venv_command(tmp_path, "PYTHON=/opt/python/bin/python3.11") == "/opt/python/bin/python3.11"
