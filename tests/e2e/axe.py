"""Accessibility checks in the browser tests: axe-core, from the npm registry, run in the page.

`make install` puts axe-core under var/node (pinned in the Makefile). A page passes when axe
finds no violation of impact "serious" or "critical" against WCAG 2.1 A and AA.
"""

from pathlib import Path

from tests.conftest import skip_or_fail

AXE = Path(__file__).resolve().parents[2] / "var/node/node_modules/axe-core/axe.min.js"
BLOCKING = {"serious", "critical"}
RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    if not AXE.exists():
        skip_or_fail(f"axe-core is not installed at {AXE.relative_to(AXE.parents[4])}: run make")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's Content
        # Security Policy does not govern (a <script> tag with the code inline would be blocked).
        page.evaluate(AXE.read_text())
    return [v for v in page.evaluate(RUN) if v["impact"] in BLOCKING]


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in violations
    )
