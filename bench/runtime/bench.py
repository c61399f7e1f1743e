"""Drives the runtime benchmark: deploy-to-serving, failed requests during upgrades under load,
and throughput relative to the plain Vert.x reference. Run by run.sh, which starts the processes."""
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

RUNTIME, MGMT, REFERENCE, BACKEND, HOME, TOKEN = sys.argv[1:7]
ADMIN = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def integration(name, version, source, config=None, secrets=None):
    return json.dumps({"name": name, "project": "bench", "version": version, "source": source,
                       "config": config or {}, "secrets": secrets or [], "replicas": 1})


def constant(route_id, path, body):
    return f"""- route:
    id: {route_id}
    from:
      uri: platform-http:{path}
      steps:
        - setBody:
            constant: "{body}"
"""


def deploy(name, version, source, **kw):
    status, data = request(MGMT, "PUT", f"/outpost/admin/integrations/{name}",
                           integration(name, version, source, **kw), ADMIN)
    if status != 200:
        raise SystemExit(f"deploy {name} failed: {status} {data[:300]}")


def until_200(path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _ = request(RUNTIME, "GET", path)
        if status == 200:
            return
    raise SystemExit(f"{path} never answered 200")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def deploy_to_serving():
    admin = []
    for i in range(40):
        t0 = time.perf_counter()
        deploy(f"dts-{i}", "1", constant(f"dts-{i}", f"/dts-{i}", "ok"))
        until_200(f"/dts-{i}")
        admin.append((time.perf_counter() - t0) * 1000)
    files = []
    directory = os.path.join(HOME, "state", "integrations")
    os.makedirs(directory, exist_ok=True)
    for i in range(15):
        name = f"dtf-{i}"
        t0 = time.perf_counter()
        tmp = os.path.join(directory, f".{name}.tmp")
        with open(tmp, "w") as f:
            f.write(integration(name, "1", constant(name, f"/{name}", "ok")))
        os.replace(tmp, os.path.join(directory, f"{name}.json"))
        until_200(f"/{name}")
        files.append((time.perf_counter() - t0) * 1000)
    print(f"deploy-to-serving, admin API (PUT until first 200), n={len(admin)}: first (cold) {admin[0]:.0f} ms, "
          f"p50 {pct(admin, 50):.1f} ms, p90 {pct(admin, 90):.1f} ms, max {max(admin):.1f} ms (target p50 <= 300 ms)")
    print(f"deploy-to-serving, state directory (rename until first 200), n={len(files)}: "
          f"p50 {pct(files, 50):.1f} ms, p90 {pct(files, 90):.1f} ms, max {max(files):.1f} ms")


def wrk(port, path, seconds, connections=32):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(g) for g in errors.groups()) if errors else 0)
    return rps, total, failed


def upgrade_under_load():
    deploy("steady", "1", constant("steady", "/steady", "v1"))
    until_200("/steady")
    upgrades = []  # (call ms, when it returned)

    def upgrade_loop():
        time.sleep(1)
        for n in range(2, 22):
            t0 = time.perf_counter()
            deploy("steady", str(n), constant("steady", "/steady", f"v{n}"))
            upgrades.append(((time.perf_counter() - t0) * 1000, time.perf_counter()))
            time.sleep(0.3)

    thread = threading.Thread(target=upgrade_loop)
    thread.start()
    rps, total, failed = wrk(RUNTIME, "/steady", 10, connections=16)
    load_ended = time.perf_counter()
    thread.join()
    # only an upgrade done while the load ran counts as one "during" it
    during = [ms for ms, done in upgrades if done <= load_ended]
    print(f"upgrade under load: {len(during)} of {len(upgrades)} upgrades done during {total} requests "
          f"({rps:.0f} req/s, 16 connections): {failed} failed requests (target 0); "
          f"upgrade call p50 {pct([ms for ms, _ in upgrades], 50):.0f} ms")
    if len(during) < len(upgrades):
        print("  (the rest ran after the load ended: they say nothing of failed requests)")


FACADE = """- route:
    id: customer-view
    from:
      uri: "platform-http:/customers"
      steps:
        - setHeader:
            name: CamelHttpMethod
            constant: GET
        - setHeader:
            name: Authorization
            simple: "Bearer {{secret.crm-credentials.api-token}}"
        - toD: "{{config.CRM_URL}}/contacts/${header.id}?bridgeEndpoint=true"
        - unmarshal:
            json: {}
        - setBody:
            simple: '{"id": "${body[contactId]}", "name": "${body[firstName]} ${body[lastName]}", "email": "${body[emails][0][address]}"}'
        - removeHeaders:
            pattern: "*"
            excludePattern: "X-Outpost-.*|traceparent"
        - setHeader:
            name: Content-Type
            constant: application/json
"""


def throughput():
    secret_dir = os.path.join(HOME, "secrets", "crm-credentials")
    os.makedirs(secret_dir, exist_ok=True)
    with open(os.path.join(secret_dir, "api-token"), "w") as f:
        f.write("bench-crm-token")
    deploy("minimal", "1", constant("minimal", "/minimal", "hello"))
    deploy("customer-view", "1", FACADE, config={"CRM_URL": f"http://127.0.0.1:{BACKEND}/crm"},
           secrets=[{"name": "crm-credentials", "key": "api-token"}])
    status, body = request(RUNTIME, "GET", "/customers?id=42")
    ref_status, ref_body = request(REFERENCE, "GET", "/facade?id=42")
    assert status == 200 and json.loads(body) == json.loads(ref_body), (status, body, ref_body)
    rows = []
    for label, port, path in [("minimal platform-http -> setBody", RUNTIME, "/minimal"),
                              ("plain Vert.x constant handler", REFERENCE, "/minimal"),
                              ("REST facade (examples/two-projects.yaml)", RUNTIME, "/customers?id=42"),
                              ("plain Vert.x facade handler", REFERENCE, "/facade?id=42")]:
        wrk(port, path, 3)  # warm-up
        rows.append((label, *wrk(port, path, 10)))
    for label, rps, total, failed in rows:
        print(f"throughput {label}: {rps:.0f} req/s ({total} requests, {failed} failed)")
    print(f"ratio minimal integration / plain Vert.x: {rows[0][1] / rows[1][1]:.2f}")
    print(f"ratio REST facade / plain Vert.x facade: {rows[2][1] / rows[3][1]:.2f}")


deploy_to_serving()
upgrade_under_load()
throughput()
