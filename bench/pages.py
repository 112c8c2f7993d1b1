"""Requests per second and latency percentiles of the directory, a search and an establishment
page, served by gunicorn (as `make demo` does) from a database holding N establishments and M
gifts; plus the number of SQL queries each page runs (it must not grow with the data)."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time

from .stats import summary


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
    counts = _queries(paths)
    port = _free_port()
    env = {**os.environ, "SOLIDAIRE_DEFAULT_TENANT": "bench", "SOLIDAIRE_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "solidaire.wsgi",
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
        for path in paths.values():
            _load(port, path, 10, 2)  # warm up both workers
        for concurrency in (1, 4):
            print(f"-- {concurrency} concurrent client(s), {args.requests} requests per page, gunicorn 2 workers")
            for name, path in paths.items():
                latencies, elapsed = _load(port, path, args.requests, concurrency)
                print(f"{name:<20} {counts[name]:3d} queries  {summary(latencies, elapsed)}")
    finally:
        server.terminate()
        server.wait(10)
