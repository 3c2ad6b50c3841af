"""Browser fixtures: the console of the shared ``platform`` fixture (started as `make up`
starts it), and one Chromium for the module, driven from its own process
(``driver.py``: Playwright's sync API does not work under the root conftest's eventlet)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

DRIVER = Path(__file__).resolve().with_name("driver.py")
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


class Browser:
    """``run(fn, *args)``: ``fn(page, pages, *args)`` in the driver's Chromium, with a new
    context (its own cookies); its JSON-able result, or the journey's failure."""

    def __init__(self, module_path: str):
        self.proc = subprocess.Popen([sys.executable, str(DRIVER), module_path, CHROMIUM],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, fn, *args):
        self.proc.stdin.write(json.dumps({"fn": fn.__name__, "args": list(args)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"the browser driver ended ({self.proc.poll()})"
        answer = json.loads(line)
        if not answer["ok"]:
            raise AssertionError(f"{fn.__name__} en el navegador:\n{answer['error']}")
        return answer["value"]

    def close(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def console(platform) -> str:
    """The console URL of the module's platform, once it answers."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(platform.console_url + "/healthz", timeout=5).status_code == 200:
                return platform.console_url
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "the console did not start; see " + str(platform.log_dir / "console.log")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def ui(request):
    b = Browser(request.module.__file__)
    yield b
    b.close()
