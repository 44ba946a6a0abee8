"""The import graph between apps (scripts/import_graph.py): the forbidden edges stay absent."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import import_graph  # noqa: E402

# Apps a lower layer must never import (even inside a function).
FORBIDDEN = {
    "accounts": {"dossiers", "permits", "backoffice", "applicant", "api", "stats"},
    "dossiers": {"permits", "backoffice", "applicant", "api", "stats"},
    "permits": {"backoffice", "applicant", "api", "stats"},
}
PERMIT_OFFICE = "workinfrance.dossiers.permit_office"
# Demo data for `make run` files dossiers as an applicant would, through the dossier services.
PERMITS_MAY_USE_MORE = {"workinfrance.permits.demo"}


def test_forbidden_edges_are_absent():
    edges = import_graph.graph()
    found = [
        f"{source} -> {target}: {sorted(edges[(source, target)])}"
        for source, targets in FORBIDDEN.items()
        for target in targets
        if (source, target) in edges
    ]
    assert not found


def test_permits_reach_dossiers_through_the_permit_office_only():
    found = []
    for module, imported in import_graph.imports_of().items():
        if not module.startswith("workinfrance.permits") or module in PERMITS_MAY_USE_MORE:
            continue
        outside = {
            name
            for name in imported
            if name.startswith("workinfrance.dossiers") and not name.startswith(PERMIT_OFFICE)
        }
        found += [f"{module}: {name}" for name in sorted(outside)]
    assert not found


def test_the_graph_sees_function_level_and_relative_imports():
    text = "def f():\n    from workinfrance.permits.services import x\nfrom .models import Y\n"
    assert sorted(import_graph.imported_modules("workinfrance/dossiers/a.py", text)) == [
        "workinfrance.dossiers.models",
        "workinfrance.dossiers.models.Y",
        "workinfrance.permits.services",
        "workinfrance.permits.services.x",
    ]


def test_the_script_prints_the_graph():
    output = subprocess.run(
        [sys.executable, "scripts/import_graph.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    dossiers_line = next(line for line in output.splitlines() if line.startswith("dossiers -> "))
    assert "permits" not in dossiers_line
    assert "dossiers <-> permits" not in output
