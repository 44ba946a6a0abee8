#!/usr/bin/env python3
"""Which app of `workinfrance` imports which: every import, at module or function level, read with `ast`.

    python scripts/import_graph.py              # the working tree
    python scripts/import_graph.py --rev main   # a commit, read from git (before/after comparisons)
    python scripts/import_graph.py --modules    # also the importing modules of each edge

Migrations are left out (frozen history); tests are not part of `workinfrance/`.
"""

import argparse
import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "workinfrance"


def sources(rev: str | None) -> dict[str, str]:
    """Python files of the package (path -> text), from the working tree or from a git revision."""
    if rev is None:
        return {
            path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
            for path in sorted((ROOT / PACKAGE).rglob("*.py"))
        }
    names = subprocess.run(  # noqa: S603, S607 (git, with the revision asked for)
        ["git", "ls-tree", "-r", "--name-only", rev, PACKAGE],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {
        name: subprocess.run(  # noqa: S603, S607
            ["git", "show", f"{rev}:{name}"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in names
        if name.endswith(".py")
    }


def module_of(path: str) -> str:
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: str, text: str) -> list[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    package = module_of(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(text, filename=path)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append(module)
            found += [f"{module}.{alias.name}" for alias in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") in {"__import__", "import_module"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(node.args[0].value)
    return found


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE else None


def graph(rev: str | None = None) -> dict[tuple[str, str], set[str]]:
    """(importing app, imported app) -> the importing modules, apps apart from themselves."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path, text in sources(rev).items():
        if "/migrations/" in path:
            continue
        source = app_of(module_of(path))
        for module in imported_modules(path, text):
            target = app_of(module)
            if source and target and target != source:
                edges[(source, target)].add(module_of(path))
    return dict(edges)


def imports_of(rev: str | None = None) -> dict[str, set[str]]:
    """Importing module -> every `workinfrance` module it imports (for finer rules)."""
    result: dict[str, set[str]] = defaultdict(set)
    for path, text in sources(rev).items():
        if "/migrations/" not in path:
            result[module_of(path)] |= {
                m for m in imported_modules(path, text) if m.startswith(PACKAGE + ".")
            }
    return dict(result)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rev", help="a git revision instead of the working tree")
    parser.add_argument("--modules", action="store_true", help="list the importing modules of each edge")
    args = parser.parse_args()
    edges = graph(args.rev)
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, target in sorted(edges):
        by_source[source].append(target)
    for source in sorted(by_source):
        print(f"{source} -> {', '.join(by_source[source])}")
        if args.modules:
            for target in by_source[source]:
                print(f"    {target}: {', '.join(sorted(edges[(source, target)]))}")
    cycles = sorted(f"{a} <-> {b}" for a, b in edges if a < b and (b, a) in edges)
    print(f"mutual imports: {', '.join(cycles) or 'none'}", file=sys.stdout)


if __name__ == "__main__":
    main()
