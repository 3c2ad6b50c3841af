"""`nameko run` starts one service per process. Given a module alone, nameko starts every
class with entrypoints found at its top level, and each service module imports its base
class (sacinfra's SqlService or MongoService carries the ``health`` RPC): the base ran as a
second service, "base", beside the real one, with its own outbox relay and RPC queue. So
every launch names ``module:Class``: the local runner, the image and the manifests."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import k8s_checks as kc  # noqa: E402

NAMEKO_SERVICES = [name for name in kc.service_folders() if name != "gateway"]

#: what nameko's own `run` would start for a target, in a process of its own (importing a
#: service module patches nameko for the whole process)
RESOLVE = """
import json, sys
from nameko.cli.run import import_service
print(json.dumps({t: [[c.name, c.__module__, c.__qualname__] for c in import_service(t)] for t in sys.argv[1:]}))
"""


@pytest.fixture(scope="module")
def started() -> dict[str, list[list[str]]]:
    """For each target (and routing's module alone): [name, module, class] of what it starts."""
    targets = [kc.service_target(name) for name in NAMEKO_SERVICES] + ["routing.service"]
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", RESOLVE, *targets], capture_output=True,
                         text=True, timeout=120, cwd=kc.ROOT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", NAMEKO_SERVICES)
def test_the_target_starts_exactly_its_own_service(started, name):
    target = kc.service_target(name)
    module, cls = target.split(":")
    assert started[target] == [[name, module, cls]]


def test_a_module_alone_would_also_start_the_imported_base(started):
    # why the class is named: routing's module imports SqlService, which nameko also finds
    assert sorted(name for name, _, _ in started["routing.service"]) == ["base", "routing"]


@pytest.mark.parametrize("name", NAMEKO_SERVICES)
def test_the_local_runner_runs_the_same_target(name):
    sys.path.insert(0, str(kc.ROOT / "deploy" / "local"))
    import runner

    cmd, cwd = runner.Platform(prefix="targets").command(name)
    assert cmd[1:] == ["-m", "nameko", "run", "--config", "config.yaml", kc.service_target(name)]
    assert (cwd / "config.yaml").is_file()


@pytest.mark.parametrize("name", NAMEKO_SERVICES)
def test_the_manifest_runs_the_same_target(name):
    import yaml

    deployment = yaml.safe_load((kc.ROOT / "deploy" / "k8s" / "base" / name / "deployment.yaml").read_text())
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["nameko", "run", "--config", "config.yaml", kc.service_target(name)]
