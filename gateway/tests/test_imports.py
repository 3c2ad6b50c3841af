"""The gateway is an asyncio process: it must not pull in nameko or eventlet (whose
import monkey-patches nothing but still drags a green-thread runtime and its warnings)."""
import subprocess
import sys


def test_gateway_app_imports_neither_nameko_nor_eventlet():
    code = ("import sys, gateway.app, gateway.cli; "
            "print(sorted(m for m in ('nameko', 'eventlet') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
