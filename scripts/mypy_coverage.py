"""How much of the code mypy checks: modules strict / gradual / excepted, and mypy's precision.

    .venv/bin/python scripts/mypy_coverage.py

Strict and excepted modules are read from the overrides in pyproject.toml; the precision (share of
expressions whose type is known, not Any) from `mypy --txt-report` (lxml, a dependency of ours).
"""

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules() -> list[str]:
    found = []
    for folder in ("workinfrance", "config"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found.append(".".join(parts))
    return found


def overrides(flag: str) -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {
        module
        for override in config["tool"]["mypy"]["overrides"]
        if override.get(flag)
        for module in override["module"]
    }


def main() -> None:
    everything = modules()
    strict = overrides("disallow_untyped_defs") & set(everything)
    excepted = overrides("ignore_errors") & set(everything)
    gradual = set(everything) - strict - excepted
    print(
        f"modules: {len(everything)}  strict: {len(strict)}  gradual: {len(gradual)}  excepted: {len(excepted)}"
    )
    with tempfile.TemporaryDirectory() as report:
        subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "mypy", "--txt-report", report],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        total = re.search(
            r"\| Total\s+\|\s+([\d.]+)% imprecise \|\s+(\d+) LOC", Path(report, "index.txt").read_text()
        )
    if total:
        print(f"precision: {100 - float(total[1]):.2f}% of {total[2]} lines' expressions typed (not Any)")


if __name__ == "__main__":
    main()
