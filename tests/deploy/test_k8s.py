"""Kubernetes manifests: every overlay renders offline, every object validates (built-in
kinds with kubernetes-validate --strict for Kubernetes 1.30, operators' custom resources
with deploy/k8s/crd-schemas/), and policies hold for every Deployment and Job."""
from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import k8s_checks as kc  # noqa: E402

needs_kubectl = pytest.mark.skipif(kc.kubectl() is None, reason="kubectl (with built-in kustomize) is not installed")
OVERLAYS = pytest.mark.parametrize("overlay", kc.OVERLAYS)


def by_kind(objs, kind):
    return [o for o in objs if o["kind"] == kind]


def test_kubernetes_validate_is_installed():
    import kubernetes_validate.utils as kv  # must be there: it is in the lock file

    assert kc.K8S_VERSION in {kv.major_minor(v) for v in kv.all_versions()}


# -- rendering and schemas -------------------------------------------------------------
@needs_kubectl
@OVERLAYS
def test_overlay_renders(overlay):
    objs = kc.render(overlay)
    assert len(objs) > 50
    keys = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objs]
    assert len(keys) == len(set(keys)), "duplicate objects"
    for o in objs:
        if o["kind"] != "Namespace":
            assert o["metadata"].get("namespace") == "sac", o["metadata"]["name"]


@needs_kubectl
@OVERLAYS
def test_every_object_validates(overlay):
    errors = [e for e in map(kc.validate_object, kc.render(overlay)) if e]
    assert not errors, "\n".join(errors)


def test_crd_schemas_are_valid_json_schemas():
    paths = sorted(kc.CRD_SCHEMAS.glob("*.json"))
    assert len(paths) >= 10
    for p in paths:
        kc.crd_validator(p)


def test_validation_rejects_unknown_fields():
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                  "spec": {"selector": {"matchLabels": {"app": "x"}}, "replicas": 1, "bogus": 1,
                           "template": {"metadata": {"labels": {"app": "x"}},
                                        "spec": {"containers": [{"name": "x", "image": "x"}]}}}}
    assert "bogus" in kc.validate_object(deployment)
    vhost = {"apiVersion": "rabbitmq.com/v1beta1", "kind": "Vhost", "metadata": {"name": "sac"},
             "spec": {"name": "sac", "defaultQueueType": "quorum", "rabbitmqClusterReference": {"name": "r"}}}
    assert kc.validate_object(vhost) is None
    bad = copy.deepcopy(vhost)
    bad["spec"]["defaultQueuType"] = "quorum"
    assert "defaultQueuType" in kc.validate_object(bad)
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {}}
    assert "no schema" in kc.validate_object(unknown)


# -- every service has its manifests ---------------------------------------------------
def test_every_service_folder_has_manifests_in_both_overlays():
    assert kc.service_folders(), "no service folders found"
    assert kc.missing_manifests() == []


def test_missing_manifests_detects_a_new_service(tmp_path):
    shutil.copytree(kc.ROOT / "deploy" / "k8s", tmp_path / "deploy" / "k8s")
    (tmp_path / "services").mkdir()
    for name in kc.service_folders():
        src = kc.ROOT / ("gateway" if name == "gateway" else f"services/{name}")
        dest = tmp_path / ("gateway" if name == "gateway" else f"services/{name}")
        dest.mkdir(parents=True)
        shutil.copy(src / "pyproject.toml", dest / "pyproject.toml")
    assert kc.missing_manifests(tmp_path) == []

    (tmp_path / "services" / "telegram" / "src" / "telegram").mkdir(parents=True)
    assert kc.missing_manifests(tmp_path) == ["telegram: no deploy/k8s/base/telegram/kustomization.yaml"]

    shutil.copytree(tmp_path / "deploy/k8s/base/surveys", tmp_path / "deploy/k8s/base/telegram")
    problems = kc.missing_manifests(tmp_path)
    assert problems == ["telegram: not in deploy/k8s/overlays/dev/kustomization.yaml",
                        "telegram: not in deploy/k8s/overlays/prod/kustomization.yaml"]
    (tmp_path / "services" / "notes").mkdir()  # a folder that is not a service is ignored
    assert kc.missing_manifests(tmp_path) == problems


def test_bases_take_the_shared_deployment_shape_from_the_components():
    # one definition of probes, resources, hardening and telemetry env, not eight copies
    import yaml

    shape = {"livenessProbe", "readinessProbe", "startupProbe", "resources", "securityContext", "volumeMounts",
             "imagePullPolicy"}
    for name in kc.service_folders():
        base = kc.K8S / "base" / name
        components = yaml.safe_load((base / "kustomization.yaml").read_text()).get("components", [])
        assert "../../components/workload" in components, name
        assert ("../../components/nameko-service" in components) == (name != "gateway"), name
        deployment = yaml.safe_load((base / "deployment.yaml").read_text())
        pod = deployment["spec"]["template"]["spec"]
        assert not {"securityContext", "volumes", "automountServiceAccountToken"} & set(pod), name
        assert not shape & set(pod["containers"][0]), name


@needs_kubectl
@OVERLAYS
def test_every_service_is_deployed(overlay):
    objs = kc.render(overlay)
    deployments = {o["metadata"]["name"] for o in by_kind(objs, "Deployment")}
    assert set(kc.service_folders()) <= deployments
    for name in kc.service_folders():
        for kind in ("Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy", "ServiceMonitor"):
            assert name in {o["metadata"]["name"] for o in by_kind(objs, kind)}, (kind, name)
        assert any(o["metadata"]["name"].startswith(f"{name}-config-") for o in by_kind(objs, "ConfigMap"))
    jobs = {o["metadata"]["name"] for o in by_kind(objs, "Job")}
    for name in kc.service_folders():
        if kc.has_sql_database(name):
            assert f"{name}-migrate" in jobs
            assert f"{name}-db" in {o["metadata"]["name"] for o in by_kind(objs, "Cluster")}


# -- policies ---------------------------------------------------------------------------
@needs_kubectl
@OVERLAYS
def test_workloads_are_hardened_and_have_probes_and_resources(overlay):
    for obj in by_kind(kc.render(overlay), "Deployment") + by_kind(kc.render(overlay), "Job"):
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = kc.pod_spec(obj)
        psc = spec.get("securityContext", {})
        assert psc.get("runAsNonRoot") is True, name
        assert psc.get("runAsUser", 0) != 0, name
        assert psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        assert spec.get("serviceAccountName") and spec["serviceAccountName"] != "default", name
        assert spec.get("hostNetwork") is not True and spec.get("hostPID") is not True, name
        for c in kc.containers(obj):
            sc = c.get("securityContext", {})
            assert sc.get("readOnlyRootFilesystem") is True, name
            assert sc.get("allowPrivilegeEscalation") is False, name
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], name
            assert not sc.get("capabilities", {}).get("add"), name
            assert sc.get("privileged") is not True, name
            res = c.get("resources", {})
            assert {"cpu", "memory"} <= set(res.get("requests", {})), name
            assert "memory" in res.get("limits", {}), name
            image = c["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), (name, image)
            if obj["kind"] == "Deployment":
                for probe in ("livenessProbe", "readinessProbe"):
                    assert probe in c, (name, probe)
                assert c["readinessProbe"]["httpGet"]["path"] == "/readyz", name
                assert c["livenessProbe"]["httpGet"]["path"] == "/healthz", name
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert labels.get("app.kubernetes.io/part-of") == "sac", name  # RabbitMQ admits these


@needs_kubectl
@OVERLAYS
def test_environment(overlay):
    objs = kc.render(overlay)
    configs = {o["metadata"]["name"]: o["data"] for o in by_kind(objs, "ConfigMap")}
    for d in by_kind(objs, "Deployment"):
        name = d["metadata"]["name"]
        c = d["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e for e in c.get("env", [])}
        if name == "console":  # the staff console: no broker, no database, only the gateway's API
            cfg = configs[c["envFrom"][0]["configMapRef"]["name"]]
            assert cfg["OTEL_SERVICE_NAME"] == "console" and cfg["CONSOLE_GATEWAY_URL"] == "http://gateway:8000"
            assert cfg.get("SAC_ENV") == "production" and "AMQP_URI" not in env and "DATABASE_URL" not in env
            continue
        cfg = configs[c["envFrom"][0]["configMapRef"]["name"]]
        assert "AMQP_URI" in env and env["AMQP_URI"]["value"].endswith("/sac"), name
        assert cfg["OTEL_SERVICE_NAME"] == name
        assert {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_EXPORTER"} <= set(cfg), name
        assert cfg["SAC_TIMEZONE"] == "America/Mexico_City", name  # one setting, sacinfra.settings
        if name != "gateway":
            assert cfg["METRICS_PORT"] == "9100" and cfg["PSYCOPG_IMPL"] == "python", name
            assert c["ports"][0]["containerPort"] == 9100
            # module:Class, as the local runner and the image run it (test_service_targets.py)
            assert c["command"] == ["nameko", "run", "--config", "config.yaml", kc.service_target(name)]
        else:
            assert env["JWT_SECRET"]["valueFrom"]["secretKeyRef"] == {"name": "gateway-jwt", "key": "secret"}
            # development accepts a weak JWT_SECRET and the demo users: never in a cluster
            assert cfg.get("SAC_ENV", "production") != "development", overlay
            assert "SAC_ENV" not in env or env["SAC_ENV"].get("value") != "development"
            # behind the ingress: client IPs from X-Forwarded-For (login throttle per IP)
            argv = c.get("command", []) + c.get("args", [])
            assert argv[:2] == ["uvicorn", "gateway.app:app"], argv
            assert "--proxy-headers" in argv, argv
            allow = [a.split("=", 1)[1] for a in argv if a.startswith("--forwarded-allow-ips=")]
            assert len(allow) == 1, argv
            value = cfg[allow[0][2:-1]] if allow[0].startswith("$(") else allow[0]
            assert value and value != "127.0.0.1", value
        if kc.has_sql_database(name):
            assert env["DATABASE_URL"]["value"].startswith("postgresql+psycopg://"), name
        if name == "directory":
            assert "MONGO_URI" in env
    jobs = {j["metadata"]["name"]: j for j in by_kind(objs, "Job")}
    for name in kc.service_folders():
        if kc.has_sql_database(name):
            deployment_env = {e["name"]: e for e in
                              next(d for d in by_kind(objs, "Deployment") if d["metadata"]["name"] == name)
                              ["spec"]["template"]["spec"]["containers"][0]["env"]}
            url = f"postgresql+psycopg://$(DB_USER):$(DB_PASSWORD)@{name}-db-rw:5432/{name}"
            assert deployment_env["DATABASE_URL"]["value"] == url, name
            assert deployment_env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == f"{name}-db-app"
            c = jobs[f"{name}-migrate"]["spec"]["template"]["spec"]["containers"][0]
            assert c["command"] == ["alembic", "-c", "alembic.ini", "upgrade", "head"], name
            assert c.get("workingDir", "/app") == "/app", name
            assert {e["name"]: e for e in c["env"]}["DATABASE_URL"]["value"] == url, name


@needs_kubectl
@OVERLAYS
def test_no_secrets_in_the_repository(overlay):
    objs = kc.render(overlay)
    assert not by_kind(objs, "Secret")
    for obj in objs:
        for c in kc.containers(obj):
            for e in c.get("env", []):
                if any(w in e["name"] for w in ("PASSWORD", "SECRET", "TOKEN", "KEY")):
                    assert "valueFrom" in e, (obj["metadata"]["name"], e["name"])
                if "value" in e and "://" in e["value"] and "@" in e["value"]:
                    assert "$(" in e["value"].split("@")[0], (obj["metadata"]["name"], e["name"])
    for cm in by_kind(objs, "ConfigMap"):
        assert not any(w in k for k in cm["data"] for w in ("PASSWORD", "SECRET", "TOKEN")), cm["metadata"]["name"]
    documented = (kc.K8S / "SECRETS.md").read_text()
    referenced = set()
    for obj in objs:
        for c in kc.containers(obj):
            for e in c.get("env", []):
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
    for t in by_kind(objs, "TriggerAuthentication"):
        referenced |= {r["name"] for r in t["spec"]["secretTargetRef"]}
    for name in referenced:
        assert f"`{name}`" in documented, f"secret {name} is not listed in deploy/k8s/SECRETS.md"


@needs_kubectl
@OVERLAYS
def test_network_policies_confine_every_service(overlay):
    objs = kc.render(overlay)
    pols = {p["metadata"]["name"]: p for p in by_kind(objs, "NetworkPolicy")}
    for name in kc.service_folders():
        p = pols[name]
        assert p["spec"]["podSelector"]["matchLabels"] == {"app": name}
        assert set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        targets = [peer for rule in p["spec"]["egress"] for peer in rule["to"]]
        pod_targets = [t["podSelector"]["matchLabels"] for t in targets if "podSelector" in t and "namespaceSelector" not in t]
        assert {"app.kubernetes.io/name": "sac-rabbitmq"} in pod_targets
        others = [t for t in pod_targets if t != {"app.kubernetes.io/name": "sac-rabbitmq"}]
        if kc.has_sql_database(name):
            assert others == [{"cnpg.io/cluster": f"{name}-db"}], name
            assert f"{name}-db" in pols
        elif name == "directory":
            assert others == [{"app": "directory-mongo-svc"}]
        else:
            assert others == [], name
        ns_targets = {t["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for t in targets if "namespaceSelector" in t}
        assert ns_targets <= {"kube-system", "observability"}, name
        for rule in p["spec"]["egress"]:
            assert rule.get("to") and rule.get("ports"), name  # no open-ended rule


@needs_kubectl
@OVERLAYS
def test_infrastructure_is_operator_resources(overlay):
    objs = kc.render(overlay)
    one = lambda kind: {o["metadata"]["name"]: o for o in by_kind(objs, kind)}  # noqa: E731
    rmq = one("RabbitmqCluster")["sac-rabbitmq"]
    assert rmq["spec"]["replicas"] == (3 if overlay == "prod" else 1)
    assert one("Vhost")["sac"]["spec"] == {"name": "sac", "defaultQueueType": "quorum",
                                           "rabbitmqClusterReference": {"name": "sac-rabbitmq"}}
    policy = one("Policy")["sac-delivery-limit"]["spec"]
    assert policy["pattern"] == r"^(evt-|sac\.int\.)" and policy["applyTo"] == "queues"
    assert policy["definition"] == {"delivery-limit": 5, "dead-letter-exchange": "sac.dlx"}
    assert one("Exchange")["sac-dlx"]["spec"]["type"] == "fanout"
    assert one("Queue")["sac-dead-letter"]["spec"]["type"] == "quorum"
    binding = one("Binding")["sac-dlx-to-dead-letter"]["spec"]
    assert (binding["source"], binding["destination"]) == ("sac.dlx", "sac.dead-letter")
    assert one("MongoDBCommunity")["directory-mongo"]["spec"]["type"] == "ReplicaSet"
    scaled = one("ScaledObject")["intake"]["spec"]
    rabbit = [t for t in scaled["triggers"] if t["type"] == "rabbitmq"][0]["metadata"]
    assert (rabbit["queueName"], rabbit["vhostName"], rabbit["mode"]) == ("rpc-intake", "sac", "QueueLength")
    assert one("HorizontalPodAutoscaler")["gateway"]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    rules = {r.get("alert") for g in one("PrometheusRule")["sac"]["spec"]["groups"] for r in g["rules"]}
    assert {"SacDeadLetterGrowing", "SacOutboxLag", "SacOverdueReportsRising", "SacGatewayErrorRate"} <= rules
    if overlay == "prod":
        assert len(by_kind(objs, "ScheduledBackup")) == len(by_kind(objs, "Cluster"))
        assert all("barmanObjectStore" in c["spec"]["backup"] for c in by_kind(objs, "Cluster"))
        assert any(t["type"] == "cron" for t in scaled["triggers"])


# -- alerts read metrics that exist --------------------------------------------------------
#: what the code exports today (sacinfra for every nameko service, gateway/app.py);
#: "<service>" stands for each service folder. Histograms add _bucket/_count/_sum.
APP_COUNTERS_GAUGES = ("<service>_outbox_pending", "<service>_outbox_published_total",
                       "<service>_outbox_publish_failures_total", "<service>_worker_errors_total",
                       "gateway_http_requests_total", "routing_reports_overdue",
                       "deadletters_waiting", "deadletters_received_total",
                       "deadletters_replayed_total")
APP_HISTOGRAMS = ("<service>_worker_seconds", "intake_batch_size", "gateway_http_request_seconds")
#: exported by the platform, not by SAC: RabbitMQ's prometheus plugin, CloudNativePG,
#: kube-state-metrics, KEDA, and Prometheus's own `up`
PLATFORM_PREFIXES = ("rabbitmq_", "cnpg_", "kube_", "keda_")
PLATFORM_NAMES = {"up"}
#: referenced by a rule before the code exports it: name -> why, and who adds it. Every
#: rule that reads one must say so in an annotation `pending`.
FUTURE_METRICS: dict[str, str] = {}


def known_app_metrics() -> set[str]:
    services = [s for s in kc.service_folders() if s != "gateway"]
    out = set()
    for template, suffixes in [(m, ("",)) for m in APP_COUNTERS_GAUGES] + \
                              [(m, ("_bucket", "_count", "_sum")) for m in APP_HISTOGRAMS]:
        for svc in (services if "<service>" in template else [None]):
            base = template.replace("<service>", svc) if svc else template
            out |= {base + s for s in suffixes}
    return out


def metric_problem(name: str, known: set[str]) -> str | None:
    if name in known or name in PLATFORM_NAMES or name.startswith(PLATFORM_PREFIXES) or name in FUTURE_METRICS:
        return None
    return f"{name} is not exported by SAC (known: tests/deploy/test_k8s.py APP_*) nor a platform metric"


def regex_problem(pattern: str, known: set[str]) -> str | None:
    import re

    matched = {m for m in known if re.fullmatch(pattern, m)}
    if not matched:
        return f'__name__=~"{pattern}" matches no metric SAC exports'
    return None


def test_known_app_metrics_cover_every_service():
    known = known_app_metrics()
    assert {"intake_outbox_pending", "routing_worker_seconds_count", "intake_batch_size_bucket",
            "gateway_http_request_seconds_bucket", "gateway_http_requests_total"} <= known
    assert "gateway_outbox_pending" not in known and "catalog_batch_size_bucket" not in known


def test_metric_checks_reject_unknown_names():
    known = known_app_metrics()
    assert metric_problem("routing_reports_overdue", known) is None   # routing's gauge
    assert metric_problem("rabbitmq_detailed_queue_messages", known) is None
    assert metric_problem("intake_dead_letter_total", known)
    assert regex_problem("[a-z]+_outbox_pending", known) is None
    assert regex_problem("[a-z]+_dead_letter_total", known)
    names, regexes = kc.promql_metric_names(
        'sum by (job) (rate({__name__=~"[a-z]+_worker_errors_total"}[5m])) / clamp_min(sum by (job) '
        '(rate(foo_seconds_count{status=~"5.."}[5m] offset 1h)), 1e-9) > 0.05 and on(job) up')
    assert names == {"foo_seconds_count", "up"} and regexes == {"[a-z]+_worker_errors_total"}


@needs_kubectl
@OVERLAYS
def test_prometheus_rules_use_metrics_that_exist(overlay):
    known = known_app_metrics()
    rules = kc.prometheus_rule_exprs(kc.render(overlay))
    assert rules
    problems = []
    used_future = set()
    for where, rule in rules:
        names, regexes = kc.promql_metric_names(str(rule["expr"]))
        assert names or regexes, where
        problems += [f"{where}: {p}" for p in (metric_problem(n, known) for n in names) if p]
        problems += [f"{where}: {p}" for p in (regex_problem(r, known) for r in regexes) if p]
        for future in names & set(FUTURE_METRICS):
            used_future.add(future)
            pending = rule.get("annotations", {}).get("pending", "")
            if future not in pending:
                problems.append(f"{where}: reads {future}, which does not exist yet; say so in annotation `pending`")
    assert not problems, "\n".join(problems)
    # a "future" entry that no rule reads any more is stale: drop it
    assert used_future == set(FUTURE_METRICS)


@needs_kubectl
@OVERLAYS
def test_dead_letter_alerts_read_the_deadletters_table_and_the_queue(overlay):
    # the deadletters service moves sac.dead-letter into its table: growth is read from
    # its gauge, and a queue that keeps messages means it is not consuming
    rules = dict(kc.prometheus_rule_exprs(kc.render(overlay)))
    names, regexes = kc.promql_metric_names(rules["sac:SacDeadLetterGrowing"]["expr"])
    assert names == {"deadletters_waiting"} and not regexes
    expr = rules["sac:SacDeadLetterNotMoved"]["expr"]
    names, regexes = kc.promql_metric_names(expr)
    assert names and all(n.startswith("rabbitmq_") for n in names) and not regexes
    assert 'queue="sac.dead-letter"' in expr
    error_rate = rules["sac:SacWorkerErrorRate"]["expr"]
    assert "_worker_errors_total" in error_rate and "_worker_seconds_count" in error_rate
    assert 'gateway_http_requests_total{status=~"5.."}' in rules["sac:SacGatewayErrorRate"]["expr"]
