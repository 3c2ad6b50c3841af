"""The browser side of tests/browser: one Chromium (Debian's, by its executable path)
driven by Playwright in this process, which runs the journeys the test process sends.

The test process cannot drive Playwright itself: the root conftest monkey-patches
eventlet, under which Playwright's sync API stops receiving events. So the test sends
one JSON line per journey ``{"fn": name, "args": [...]}``; this process calls
``fn(page, pages, *args)`` of the test module with a fresh browser context and answers
one JSON line ``{"ok": true, "value": ...}`` or ``{"ok": false, "error": traceback}``.

    python tests/browser/driver.py <test module path> <chromium path>
"""
from __future__ import annotations

import importlib.util
import json
import sys
import traceback
from pathlib import Path


def load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(module_path: str, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    pages = load(Path(__file__).with_name("pages.py"), "browser_pages")
    journeys = load(Path(module_path), "browser_journeys")
    out = sys.stdout
    sys.stdout = sys.stderr  # only answers on the protocol stream
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--lang=es-MX"])
        for line in sys.stdin:
            job = json.loads(line)
            context = browser.new_context(locale="es-MX", viewport={"width": 1360, "height": 900},
                                          accept_downloads=True)
            context.set_default_timeout(15000)
            page = context.new_page()
            try:
                answer = {"ok": True, "value": getattr(journeys, job["fn"])(page, pages, *job["args"])}
            except Exception as exc:  # noqa: BLE001 (reported to the test)
                try:
                    pages.shot(page, f"fallo-{job['fn'].strip('_')}")
                except Exception:  # noqa: BLE001
                    pass
                answer = {"ok": False, "error": "".join(traceback.format_exception(exc))}
            finally:
                context.close()
            out.write(json.dumps(answer, default=str) + "\n")
            out.flush()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
