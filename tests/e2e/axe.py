"""Accessibility checks with axe-core (npm package pinned in package.json, installed in node_modules)."""

from .service import REPO_ROOT

AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")
# WCAG 2.1 A and AA (what the RGAA refers to) plus axe's best practices.
RUN_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        raise AssertionError(f"{AXE_SCRIPT} is missing: run `npm ci` at the repository root.")
    return AXE_SCRIPT.read_text()


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now.

    Evaluated through the DevTools protocol rather than a <script> tag: the page keeps its strict
    Content-Security-Policy during the test, exactly as users get it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", RUN_OPTIONS)


def blocking(violations: list[dict]) -> list[dict]:
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def report(violations: list[dict], *, where: str) -> str:
    lines = [f"Accessibility violations on {where}:"]
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)
