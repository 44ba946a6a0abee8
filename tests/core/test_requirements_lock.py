"""The dependency locks (requirements/*.txt, scripts/lock.sh) say what the .in files ask, with hashes.

An edit of a .in file without `bash scripts/lock.sh` fails here, offline; so does a package added to
the old requirements.txt, which is only a pointer now."""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")
VIA_IN_FILE = re.compile(r"#\s+(?:via\s+)?-r (requirements/\w+\.in)")


def asked(in_file: Path) -> set[str]:
    """The packages a .in file names (itself and the .in files it includes with -r)."""
    names: set[str] = set()
    for line in in_file.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-c"):
            continue
        if line.startswith("-r"):
            names |= asked(in_file.parent / line[2:].strip())
            continue
        names.add(canonicalize_name(Requirement(line).name))
    return names


def locked(txt_file: Path) -> dict[str, dict]:
    """Each package of a compiled file: its version, hashes and the .in files it is there for."""
    packages: dict[str, dict] = {}
    current = None
    for line in txt_file.read_text().splitlines():
        pin = PIN.match(line)
        if pin:
            current = packages[canonicalize_name(pin[1])] = {"version": pin[2], "hashes": 0, "for": set()}
        elif current is not None and "--hash=sha256:" in line:
            current["hashes"] += 1
        elif current is not None and (via := VIA_IN_FILE.search(line)):
            current["for"].add(via[1])
    return packages


@pytest.mark.parametrize("name", ["prod", "dev"])
def test_every_package_asked_is_locked_with_hashes(name):
    lock = locked(REQUIREMENTS / f"{name}.txt")
    missing = asked(REQUIREMENTS / f"{name}.in") - lock.keys()
    assert not missing, f"requirements/{name}.in names {sorted(missing)}: run `bash scripts/lock.sh`"
    unhashed = sorted(package for package, entry in lock.items() if not entry["hashes"])
    assert not unhashed, f"no hash for {unhashed} in requirements/{name}.txt"


@pytest.mark.parametrize("name", ["prod", "dev"])
def test_no_package_is_locked_for_a_line_the_in_file_dropped(name):
    in_files = {f"requirements/{name}.in", "requirements/prod.in"}
    wanted = set().union(*(asked(ROOT / path) for path in in_files))
    stale = sorted(
        package
        for package, entry in locked(REQUIREMENTS / f"{name}.txt").items()
        if entry["for"] & in_files and package not in wanted
    )
    assert not stale, f"{stale} no longer asked for: run `bash scripts/lock.sh`"


def test_development_installs_exactly_the_production_versions():
    prod, dev = locked(REQUIREMENTS / "prod.txt"), locked(REQUIREMENTS / "dev.txt")
    differing = {
        package: (entry["version"], dev.get(package, {}).get("version"))
        for package, entry in prod.items()
        if dev.get(package, {}).get("version") != entry["version"]
    }
    assert not differing, f"prod.txt and dev.txt disagree (prod, dev): {differing}"


def test_production_lock_holds_no_test_tool():
    tools = {"pytest", "playwright", "ruff", "mypy", "hypothesis", "schemathesis", "factory-boy", "faker"}
    assert not tools & locked(REQUIREMENTS / "prod.txt").keys()


def test_the_old_requirements_file_is_only_a_pointer():
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.strip()]
    assert all(line.startswith("#") for line in lines), "new dependencies go in requirements/*.in"


# Python 3.11 releases the lock must install on: Debian 12's own (the production interpreter on
# Debian, what `make install` picks there) and a later one. Dependencies may differ by release:
# redis needs async-timeout below 3.11.3 only, and --require-hashes refuses anything unlocked.
PYTHON_RELEASES = ("3.11.2", "3.11.7")


def _needs(package: str, release: str) -> set[str]:
    """What an installed package requires on that Python release (no extras asked)."""
    needed = set()
    for line in metadata.requires(package) or ():
        requirement = Requirement(line)
        environment = {"python_full_version": release, "python_version": "3.11", "extra": ""}
        if requirement.marker is None or requirement.marker.evaluate(environment):
            needed.add(canonicalize_name(requirement.name))
    return needed


@pytest.mark.parametrize("release", PYTHON_RELEASES)
@pytest.mark.parametrize("name", ["prod", "dev"])
def test_the_lock_holds_every_dependency_on_each_python_release(name, release):
    lock = locked(REQUIREMENTS / f"{name}.txt")
    missing = {
        f"{needed} (for {package})"
        for package in lock
        for needed in _needs(package, release)
        if needed not in lock
    }
    assert not missing, (
        f"Python {release} would need {sorted(missing)}: ask for them in requirements/{name}.in"
    )
