"""The lifecycle is the one home of the states: nothing else spells them, nothing else moves them."""

import ast
import re
from pathlib import Path

import pytest

from workinfrance.dossiers import lifecycle
from workinfrance.dossiers.lifecycle import (
    ASSIGNABLE_STATES,
    AWAITING_UNIT_STATES,
    DECIDED_STATES,
    EDITABLE_STATES,
    OPEN_STATES,
    TRANSITIONS,
    State,
    Transition,
    states_after,
)

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("workinfrance", "bench", "scripts")
LIFECYCLE = Path("workinfrance/dossiers/lifecycle.py")
# Files that may spell a state value, each for a reason that is not the dossier lifecycle.
STATE_STRING_ALLOWED = {
    # The public API's schema is a contract written out; test_api_state_names keeps it equal.
    (Path("workinfrance/api/schemas.py"), State.SUBMITTED),
    (Path("workinfrance/api/schemas.py"), State.IN_REVIEW),
    (Path("workinfrance/api/schemas.py"), State.AWAITING_COMPLEMENTS),
    (Path("workinfrance/api/schemas.py"), State.ACCEPTED),
    (Path("workinfrance/api/schemas.py"), State.REFUSED),
    (Path("workinfrance/api/schemas.py"), State.CLOSED),
    # "refused": the offline scanner's revocation-list status, not a dossier.
    (Path("workinfrance/permits/static/permits/scanner.js"), State.REFUSED),
    (Path("workinfrance/permits/scanner_assets.py"), State.REFUSED),
    # Public statistics: figure names (CSV columns, placeholders of a translated sentence).
    (Path("workinfrance/stats/views.py"), State.ACCEPTED),
    (Path("workinfrance/stats/views.py"), State.REFUSED),
    (Path("workinfrance/stats/views.py"), State.CLOSED),
}


def code_files(*suffixes):
    for directory in CODE_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            relative = path.relative_to(ROOT)
            if (
                path.suffix in suffixes
                and "migrations" not in relative.parts
                and "node_modules" not in relative.parts
            ):
                yield relative, path


def test_no_state_string_outside_the_lifecycle():
    words = "|".join(State.values)
    pattern = re.compile(rf"""["']({words})["']""")
    found = set()
    for relative, path in code_files(".py", ".html", ".js", ".txt", ".sql"):
        if relative == LIFECYCLE:
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if (relative, match.group(1)) not in STATE_STRING_ALLOWED:
                found.add(f"{relative}: {match.group(0)}")
    assert not found, "Use the lifecycle's states and named sets:\n" + "\n".join(sorted(found))


def _state_writes(tree: ast.AST):
    """Lines that set a `state` attribute or pass `state=` to a write (create/update/constructor)."""
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if (
                    isinstance(part, ast.Attribute)
                    and part.attr == "state"
                    and isinstance(part.ctx, ast.Store)
                ):
                    yield node.lineno, "assigns .state"
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "setattr" and len(node.args) > 1 and getattr(node.args[1], "value", None) == "state":
                yield node.lineno, "setattr state"
            writes = name in {
                "create",
                "update",
                "get_or_create",
                "update_or_create",
                "bulk_create",
            } or name in {
                "Dossier",
                "DossierFactory",
            }
            if writes and any(keyword.arg == "state" for keyword in node.keywords):
                yield node.lineno, f"{name}(state=...)"


def test_only_apply_assigns_the_state():
    """Nothing but `services._apply` assigns `Dossier.state` (code, demo, benches and tests)."""
    found = []
    for relative, path in code_files(".py"):
        if relative.parts[0] == "tests" and relative.name == Path(__file__).name:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed_lines = set()
        if relative == Path("workinfrance/dossiers/services.py"):
            apply = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_apply")
            allowed_lines = set(range(apply.lineno, apply.end_lineno + 1))
        found += [
            f"{relative}:{line} {what}" for line, what in _state_writes(tree) if line not in allowed_lines
        ]
    assert not found, "State changes go through dossiers.services._apply:\n" + "\n".join(found)


def test_the_scan_sees_the_tests_too():
    assert "tests" not in CODE_DIRS  # scanned separately below, with the same rule
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == Path(__file__).name:
            continue
        found += [
            f"{path.relative_to(ROOT)}:{line} {what}"
            for line, what in _state_writes(ast.parse(path.read_text()))
        ]
    assert not found, "\n".join(found)


def test_the_scan_catches_each_kind_of_write():
    code = "d.state = 'x'\nDossier.objects.filter().update(state='x')\nsetattr(d, 'state', 1)\nDossier(state='x')\n"
    assert [what for _, what in _state_writes(ast.parse(code))] == [
        "assigns .state",
        "update(state=...)",
        "setattr state",
        "Dossier(state=...)",
    ]


def test_named_sets():
    assert {State.ACCEPTED, State.REFUSED, State.CLOSED} == DECIDED_STATES
    assert {State.DRAFT, State.AWAITING_COMPLEMENTS} == EDITABLE_STATES
    assert {State.SUBMITTED, State.IN_REVIEW} == AWAITING_UNIT_STATES
    assert {State.SUBMITTED, State.IN_REVIEW, State.AWAITING_COMPLEMENTS} == OPEN_STATES
    assert ASSIGNABLE_STATES == OPEN_STATES
    assert not OPEN_STATES & DECIDED_STATES


def test_assignment_is_a_rule_of_the_table():
    rule = TRANSITIONS[Transition.ASSIGN]
    assert rule.target_from(State.SUBMITTED) == State.IN_REVIEW
    assert rule.target_from(State.IN_REVIEW) == State.IN_REVIEW
    assert rule.target_from(State.AWAITING_COMPLEMENTS) == State.AWAITING_COMPLEMENTS
    assert rule.actors == {lifecycle.Actor.UNIT_SUPERVISOR}


def test_histories_are_played_through_the_table():
    assert states_after(["submit", "take", "accept", "reopen", "refuse"]) == [
        State.SUBMITTED,
        State.IN_REVIEW,
        State.ACCEPTED,
        State.IN_REVIEW,
        State.REFUSED,
    ]
    with pytest.raises(ValueError):
        states_after(["submit", "accept"])


def test_api_state_names():
    from typing import get_args

    from workinfrance.api.schemas import StateName

    assert set(get_args(StateName)) == set(State.values) - {State.DRAFT}
