"""Helpers the journeys use inside the browser process (no eventlet there)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SHOTS = ROOT / ".run" / "screenshots"


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(f"demo-{username}-2026")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(lambda url: "/login" not in url)


def fill(page, fields: dict[str, str]) -> None:
    """Types each value in the field whose label is exactly the key."""
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)


def axe(page, screen: str) -> None:
    """axe-core on the page as it is: no serious or critical violation. The script goes in
    through the DevTools protocol (``evaluate``), so the page keeps its strict CSP (an
    ``add_script_tag`` would need the CSP bypassed for the whole context)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => ({id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    assert result == [], f"axe en {screen}: {result}"


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def watch(page) -> dict:
    """Collects CSP violations, page errors and the scripts the page loads."""
    seen = {"errors": [], "js": {}}

    def on_console(msg):
        if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text):
            seen["errors"].append(msg.text)

    def on_finished(request):
        if request.resource_type == "script":
            seen["js"][request.url] = True

    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("requestfinished", on_finished)
    return seen
