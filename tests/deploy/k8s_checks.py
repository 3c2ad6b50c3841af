"""Helpers for the deployment tests: render overlays, validate objects, find services
without manifests. Plain functions so that the checks themselves can be tested."""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
K8S_VERSION = "1.30"
CRD_SCHEMAS = K8S / "crd-schemas"


def kubectl() -> str | None:
    return shutil.which("kubectl")


@functools.lru_cache(maxsize=None)
def _render(overlay_dir: str) -> tuple[dict, ...]:
    out = subprocess.run([kubectl(), "kustomize", overlay_dir], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    return tuple(d for d in yaml.safe_load_all(out) if d)


def render(overlay: str, k8s_dir: Path = K8S) -> list[dict]:
    return list(_render(str(k8s_dir / "overlays" / overlay)))


def service_folders(root: Path = ROOT) -> list[str]:
    """Deployable units: folders under services/ with a pyproject.toml or src/, plus gateway."""
    names = sorted(p.name for p in (root / "services").iterdir()
                   if p.is_dir() and ((p / "pyproject.toml").exists() or (p / "src").is_dir()))
    if (root / "gateway").is_dir():
        names.append("gateway")
    return names


def source_dir(name: str, root: Path = ROOT) -> Path:
    return root / ("gateway" if name == "gateway" else f"services/{name}")


def service_target(name: str, root: Path = ROOT) -> str:
    """The ``module:Class`` that `nameko run` starts for a nameko service: the local
    runner's table, which the image and the manifests must repeat."""
    sys.path.insert(0, str(root / "deploy" / "local"))
    import runner
    return runner.SERVICE_TARGETS[name]


def has_sql_database(name: str, root: Path = ROOT) -> bool:
    """A unit with alembic migrations has its own CNPG cluster `<name>-db` and a
    `<name>-migrate` Job (the SQL services and, since it keeps staff users, the gateway)."""
    return (source_dir(name, root) / "alembic.ini").exists()


def overlay_resources(overlay_dir: Path) -> set[Path]:
    k = yaml.safe_load((overlay_dir / "kustomization.yaml").read_text())
    return {(overlay_dir / r).resolve() for r in k.get("resources", [])}


def missing_manifests(root: Path = ROOT) -> list[str]:
    """One line per problem: a service folder without deploy/k8s/base/<name>/, or a base
    that an overlay does not include. Empty when every service is deployable."""
    k8s = root / "deploy" / "k8s"
    problems = []
    for name in service_folders(root):
        base = k8s / "base" / name
        if not (base / "kustomization.yaml").is_file():
            problems.append(f"{name}: no deploy/k8s/base/{name}/kustomization.yaml")
            continue
        for overlay in OVERLAYS:
            if base.resolve() not in overlay_resources(k8s / "overlays" / overlay):
                problems.append(f"{name}: not in deploy/k8s/overlays/{overlay}/kustomization.yaml")
    return problems


def crd_schema_path(obj: dict) -> Path:
    group_version = obj["apiVersion"]
    group, _, version = group_version.rpartition("/")
    return CRD_SCHEMAS / f"{group}_{version}_{obj['kind'].lower()}.json"


@functools.lru_cache(maxsize=None)
def crd_validator(path: Path):
    import jsonschema

    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _cached_schema_contents():
    """kubernetes-validate re-reads its (large) definitions file for every object; cache
    the parsed JSON so that a whole overlay validates in about a second."""
    import kubernetes_validate.utils as kv

    if not getattr(kv.schema_contents, "_sac_cached", False):
        cached = functools.lru_cache(maxsize=None)(kv.schema_contents)
        cached._sac_cached = True
        kv.schema_contents = cached


def validate_object(obj: dict) -> str | None:
    """None when valid. Built-in kinds: kubernetes-validate --strict for K8S_VERSION;
    custom resources: our JSON Schema for the kind; anything else is an error."""
    import kubernetes_validate.utils as kv

    _cached_schema_contents()
    where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    try:
        kv.validate(obj, K8S_VERSION, strict=True)
        return None
    except kv.ValidationError as e:
        return f"{where}: {'.'.join(map(str, e.path))}: {e.message}"
    except kv.SchemaNotFoundError:
        pass
    path = crd_schema_path(obj)
    if not path.exists():
        return f"{where}: no schema (not a Kubernetes {K8S_VERSION} kind and no {path.name} in crd-schemas/)"
    errors = sorted(crd_validator(path).iter_errors(obj), key=lambda e: list(e.path))
    if errors:
        return "; ".join(f"{where}: {'.'.join(map(str, e.path))}: {e.message}" for e in errors)
    return None


def containers(obj: dict) -> list[dict]:
    spec = pod_spec(obj)
    return (spec.get("initContainers") or []) + spec.get("containers", []) if spec else []


def pod_spec(obj: dict) -> dict | None:
    if obj["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        return obj["spec"]["template"]["spec"]
    return None


def final_stage(dockerfile: str) -> tuple[int, str]:
    """(number of FROM lines, text of the last stage)."""
    lines = [ln for ln in dockerfile.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    froms = [i for i, ln in enumerate(lines) if ln.upper().startswith("FROM ")]
    if not froms:
        return 0, ""
    return len(froms), "\n".join(lines[froms[-1]:])


def dockerfile_stages(dockerfile: str) -> list[tuple[str, str, str]]:
    """(name, what it is FROM, its text from its FROM line) per stage, in order; an
    unnamed stage is named by its index."""
    lines = [ln for ln in dockerfile.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    froms = [i for i, ln in enumerate(lines) if ln.upper().startswith("FROM ")]
    out = []
    for n, start in enumerate(froms):
        end = froms[n + 1] if n + 1 < len(froms) else len(lines)
        words = lines[start].split()
        name = words[3] if len(words) >= 4 and words[2].upper() == "AS" else str(n)
        out.append((name, words[1], "\n".join(lines[start:end])))
    return out


def image_stage(dockerfile: str, target: str | None = None) -> tuple[int, str]:
    """(number of stages, text of the image built with ``--target``: the target stage,
    the last one by default, after the stages it is built FROM, down to a base image)."""
    stages = dockerfile_stages(dockerfile)
    if not stages:
        return 0, ""
    by_name = {name: (base, text) for name, base, text in stages}
    base, text = by_name[target] if target else stages[-1][1:]
    chain = [text]
    while base in by_name:
        base, parent = by_name[base]
        chain.insert(0, parent)
    return len(stages), "\n".join(chain)


# -- PromQL: which metric names an expression reads ----------------------------------------
_PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                    "and", "or", "unless", "offset", "inf", "nan"}
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME_REGEX = re.compile(r"""__name__\s*=~\s*"([^"]*)\"""")
_NAME_EQUAL = re.compile(r"""__name__\s*=\s*"([^"]*)\"""")
_IDENT = re.compile(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")


def promql_metric_names(expr: str) -> tuple[set[str], set[str]]:
    """(metric names, __name__ regexes) an expression selects. A small tokenizer, enough
    for alerting rules: label matchers, ranges, grouping clauses, function names,
    keywords and numbers are not metric names."""
    regexes = set(_NAME_REGEX.findall(expr))
    names = set(_NAME_EQUAL.findall(expr))
    text = re.sub(r"\{[^}]*\}", " ", expr)          # label matchers (and the strings in them)
    text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", text)  # other string literals
    text = re.sub(r"\[[^\]]*\]", " ", text)          # ranges and subqueries
    text = _GROUPING.sub(" ", text)
    for ident, call in _IDENT.findall(text):
        if not call and ident.lower() not in _PROMQL_KEYWORDS:
            names.add(ident)
    return names, regexes


def prometheus_rule_exprs(objs: list[dict]) -> list[tuple[str, dict]]:
    """(PrometheusRule/name:alert-or-record, rule) for every rule of every PrometheusRule."""
    out = []
    for o in objs:
        if o["kind"] == "PrometheusRule":
            for g in o["spec"]["groups"]:
                for r in g["rules"]:
                    out.append((f"{o['metadata']['name']}:{r.get('alert') or r.get('record')}", r))
    return out
