"""Requests per second and latency percentiles of the public pages (home, campaign, directory and
its searches, an establishment, the map's markers, the API's campaign) for anonymous visitors,
served by gunicorn (as `make demo` does) from a database holding N establishments and M gifts,
beside the smallest Django page served the same way in the same run (bench/bare.py); plus the
number of SQL queries each page runs (it must not grow with the data). Load from wrk."""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time

from . import load


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queries(paths) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="bench.localhost")
    counts = {}
    for name, path in paths.items():
        client.get(path)  # warm caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


def _load(port, path, total, concurrency):
    latencies, lock = [], threading.Lock()
    remaining = [total]

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            conn.request("GET", path, headers={"Host": f"bench.localhost:{port}", "Accept-Encoding": "gzip"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            conn.close()
            assert response.status == 200, (path, response.status)
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - started


def run(args) -> None:
    import django

    django.setup()
    from .fill import fill

    filled = fill(args.establishments, args.gifts)
    from solidaire.beneficiaries.models import Registration
    from solidaire.donations.models import Gift

    campaign = filled["campaign"]
    busiest = Registration.objects.approved().filter(campaign=campaign).order_by("-gifts_count").first()
    print(
        f"\n== Pages: {Registration.objects.filter(campaign=campaign).count()} establishments, "
        f"{Gift.objects.filter(campaign=campaign).count()} gifts (filled in {filled['seconds']:.0f} s) =="
    )
    paths = {
        "home": "/",
        "directory": "/campagnes/cafe-solidaire/etablissements/",
        "search (name)": "/campagnes/cafe-solidaire/etablissements/?q=cafe+gare",
        "search (postcode)": "/campagnes/cafe-solidaire/etablissements/?q=67000",
        "most supported": "/campagnes/cafe-solidaire/etablissements/?sort=supported",
        "nearest to Colmar": "/campagnes/cafe-solidaire/etablissements/?sort=nearest&near=Colmar",
        "establishment page": f"/campagnes/cafe-solidaire/etablissements/{busiest.establishment_id}/x/".replace(
            "/x/", "/"
        ),
        "map markers (JSON)": "/campagnes/cafe-solidaire/carte.json",
        "campaign page": "/campagnes/cafe-solidaire/",
        "API campaign": "/api/v1/campaigns/cafe-solidaire",
    }
    # The establishment page redirects to its canonical address; measure the canonical one.
    from django.test import Client

    location = Client(HTTP_HOST="bench.localhost").get(paths["establishment page"])["Location"]
    paths["establishment page"] = location.split("bench.localhost", 1)[-1]
    # The shared cache starts empty: nothing kept from a run on another database (the small and
    # the large one share the benchmark's Redis database, and their campaigns the same id).
    from django.core.cache import cache

    cache.clear()
    counts = _queries(paths)
    env = {**os.environ, "SOLIDAIRE_DEFAULT_TENANT": "bench", "SOLIDAIRE_LOG_LEVEL": "WARNING"}
    if not load.available():
        print("pages benchmark: wrk is missing (make bench installs it)", file=sys.stderr)
        return
    seconds, connections = args.seconds, args.connections
    print(
        f"-- wrk, {connections} connections, {seconds} s per page; gunicorn with 2 workers; anonymous visitors; "
        f"the bare Django page (bench/bare.py) served by the same command, before and after"
    )
    with _gunicorn("bench.bare:application", env) as port:
        bare = [load.run(port, "/", host="bench.localhost", seconds=seconds, connections=connections)]
    results = {}
    with _gunicorn("solidaire.wsgi", env) as port:
        for path in paths.values():
            _load(port, path, 10, 2)  # warm up both workers
        for name, path in paths.items():
            results[name] = load.run(port, path, host="bench.localhost", seconds=seconds, connections=connections)
    with _gunicorn("bench.bare:application", env) as port:
        bare.append(load.run(port, "/", host="bench.localhost", seconds=seconds, connections=connections))
    baseline = sum(b["rps"] for b in bare) / len(bare)
    runs = ", ".join(f"{b['rps']:.0f}" for b in bare)
    print(f"{'bare Django page':<20}       {baseline:8.0f} req/s  (runs: {runs})")
    for name, r in results.items():
        errors = f"  {'; '.join(r['errors'])}" if r["errors"] else ""
        print(
            f"{name:<20} {counts[name]:3d} q {r['rps']:8.0f} req/s  {r['rps'] / baseline:6.1%} of bare  "
            f"p50 {r.get('p50', 0):.1f} ms  p99 {r.get('p99', 0):.1f} ms{errors}"
        )


@contextlib.contextmanager
def _gunicorn(app: str, env: dict):
    """Serves `app` with the command `make demo` uses (2 sync workers), on a free port."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(10)
