"""`make test-cluster`: Solidaire as on several machines, on this one (docs/adr/0026).

Two web processes (gunicorn with deploy/gunicorn.conf.py, two workers each) behind nginx running
deploy/nginx.conf, two Celery workers and one beat on Redis, all on PostgreSQL. Donors make a few
hundred gifts over HTTP through the proxy (tests/cluster/driver.py) while one web process is
killed (SIGKILL to the whole process group: the machine is gone) and, later, one Celery worker;
both come back a few seconds later. Then, once the sandbox's notifications are delivered (or a
time limit passes), tests/cluster/checks.py compares the sandbox's records with Solidaire's books,
`solidaire ledger-check` must pass and /healthz must answer through the proxy.

    python -m tests.cluster.run [--gifts 300] [--threads 8] [--check-only]

The database (CLUSTER_DATABASE_URL; by default solidaire_cluster on the PostgreSQL server of
DATABASE_URL, else on 127.0.0.1:5432) is dropped and created again; Redis databases 12 (broker)
and 13 (cache) of CLUSTER_REDIS_URL (redis://127.0.0.1:6379) are emptied at the start and the
end. Logs: var/cluster/. The database is kept after the run, for a look or `--check-only`."""

import argparse
import concurrent.futures
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import driver, proxy

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "cluster"
PYTHON = sys.executable
BROKER_DB, CACHE_DB = 12, 13
ESTABLISHMENTS = 24
SHORT_VISIBILITY = 20  # seconds before Redis hands a dead worker's task to another


def database_url() -> str:
    if os.environ.get("CLUSTER_DATABASE_URL"):
        return os.environ["CLUSTER_DATABASE_URL"]
    configured = urlsplit(os.environ.get("DATABASE_URL", ""))
    if configured.scheme.startswith("postgres"):  # the same server, a database of our own
        return urlunsplit(configured._replace(path="/solidaire_cluster"))
    return "postgres://postgres@127.0.0.1:5432/solidaire_cluster"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


class Failed(Exception):
    pass


class Processes:
    """The cluster's children, each in a process group of its own (so that a kill takes a web
    process's or a worker's children with it, and the end of the run leaves nothing behind)."""

    def __init__(self, env: dict):
        self.env = env
        self.commands: dict[str, list[str]] = {}
        self.extra_env: dict[str, dict] = {}
        self.running: dict[str, subprocess.Popen] = {}
        self.expected_dead: set[str] = set()

    def log(self, name: str) -> Path:
        return VAR / f"{name}.log"

    def start(self, name: str, command: list[str], **env) -> None:
        self.commands[name], self.extra_env[name] = command, env
        with self.log(name).open("ab") as log:
            log.write(f"\n=== {time.strftime('%H:%M:%S', time.gmtime())} UTC start: {' '.join(command)}\n".encode())
            log.flush()
            self.running[name] = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                env={**self.env, **env, "SOLIDAIRE_WORKER_READY_FILE": str(VAR / f"{name}.ready")},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.expected_dead.discard(name)

    def restart(self, name: str) -> None:
        self.start(name, self.commands[name], **self.extra_env[name])

    def kill(self, name: str) -> None:
        """SIGKILL to the whole group: no graceful anything, as when a machine dies."""
        child = self.running[name]
        self.expected_dead.add(name)
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.wait(10)

    def dead(self) -> list[str]:
        return [n for n, c in self.running.items() if c.poll() is not None and n not in self.expected_dead]

    def stop_all(self) -> None:
        for child in self.running.values():
            if child.poll() is None:
                try:
                    os.killpg(child.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for child in self.running.values():
            try:
                child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pass
            try:  # the group too: a worker's pool children, gunicorn's workers
                os.killpg(child.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def tails(self, lines: int = 25) -> None:
        logs = [self.log(name) for name in sorted(self.commands)] + [VAR / "nginx" / "error.log"]
        for path in logs:
            if path.exists():
                text = path.read_text(errors="replace").splitlines()[-lines:]
                print(f"\n--- last lines of {path.relative_to(ROOT)} ---", flush=True)
                print("\n".join(text), flush=True)


def web_command() -> list[str]:
    return [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]


def worker_command(name: str) -> list[str]:
    # As deploy/systemd/solidaire-worker@.service runs it.
    return [
        PYTHON, "-m", "celery", "-A", "solidaire", "worker", "--hostname", f"{name}@%h",
        "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip


def beat_command() -> list[str]:
    # As deploy/systemd/solidaire-beat.service runs it.
    return [
        PYTHON, "-m", "celery", "-A", "solidaire", "beat", "--loglevel", "INFO",
        "--schedule", str(VAR / "celerybeat-schedule"),
    ]  # fmt: skip


def http_get(port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - our own servers
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_ready(processes: Processes, ports: dict[str, int], workers: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    waiting = {**dict.fromkeys(ports, "port"), **dict.fromkeys(workers, "ready")}
    while waiting:
        if processes.dead():
            raise Failed(f"{', '.join(processes.dead())} stopped while starting")
        if time.monotonic() > deadline:
            raise Failed(f"not ready after {timeout:.0f} s: {', '.join(waiting)}")
        for name in list(waiting):
            if name in ports:
                try:
                    status, _body = http_get(ports[name], "/healthz", timeout=2)
                except OSError:
                    continue
                if status == 200:
                    del waiting[name]
            elif (VAR / f"{name}.ready").exists():
                del waiting[name]
        time.sleep(0.3)


def prepare(url: str, env: dict) -> None:
    import psycopg
    import redis

    for db in (BROKER_DB, CACHE_DB):
        redis.Redis.from_url(env["SOLIDAIRE_BROKER_URL"].rsplit("/", 1)[0] + f"/{db}").flushdb()
    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    with (VAR / "setup.log").open("ab") as log:
        for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run([PYTHON, "-m", "solidaire", *command], cwd=ROOT, env=env, stdout=log, stderr=log, check=True)  # noqa: S603


def flush_redis(env: dict) -> None:
    import redis

    for db in (BROKER_DB, CACHE_DB):
        try:
            redis.Redis.from_url(env["SOLIDAIRE_BROKER_URL"].rsplit("/", 1)[0] + f"/{db}").flushdb()
        except redis.RedisError as exc:
            print(f"could not empty Redis database {db}: {exc}", file=sys.stderr)


def unacked(env: dict) -> int:
    """Tasks taken by workers and not acknowledged yet (kombu's Redis transport keeps them)."""
    import redis

    return redis.Redis.from_url(env["SOLIDAIRE_BROKER_URL"]).hlen("unacked")


def chaos(processes: Processes, progress: driver.Progress, stop: threading.Event, env: dict, events: list) -> None:
    """Kills web-a at a quarter of the gifts, worker-1 at half of them; each is back a little later."""
    plan = [(progress.total // 4, "web-a", 8), (progress.total // 2, "worker-1", 10)]
    for at, name, back_after in plan:
        if not progress.wait_for(at, stop):
            return
        taken = unacked(env) if name.startswith("worker") else None
        processes.kill(name)
        events.append({"killed": name, "after gifts": progress.done, "unacked tasks": taken})
        say(
            f"killed {name} (SIGKILL to its process group) after {progress.done} donors"
            + (f"; {taken} tasks taken by workers, not acknowledged" if taken is not None else "")
        )
        if stop.wait(back_after):
            return
        processes.restart(name)
        events.append({"restarted": name, "after gifts": progress.done})
        say(f"restarted {name} after {progress.done} donors")


def drive(args, processes, env, proxy_port, establishments) -> tuple[list[driver.Donor], list[dict]]:
    donors = [
        driver.Donor(
            number=i,
            establishment=establishments[i % len(establishments)],
            outcome="decline" if i % 10 == 9 else "success",
            amount="1000" if i % 3 == 0 else "500",
        )
        for i in range(args.gifts)
    ]
    progress = driver.Progress(len(donors))
    stop = threading.Event()
    events: list[dict] = []
    troublemaker = threading.Thread(target=chaos, args=(processes, progress, stop, env, events), daemon=True)
    troublemaker.start()
    base = f"http://127.0.0.1:{proxy_port}/"
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(args.threads)
    try:
        futures = [pool.submit(driver.give, donor, base, "cafe-solidaire") for donor in donors]
        for future in concurrent.futures.as_completed(futures):
            future.result()
            progress.tick()
            if progress.done % 50 == 0:
                say(f"{progress.done}/{len(donors)} donors done ({time.monotonic() - started:.0f} s)")
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        troublemaker.join(30)
    say(f"donors done in {time.monotonic() - started:.0f} s")
    return donors, events


def settle(tenant: str, processes: Processes, timeout: float) -> dict:
    """Waits until nothing is on its way any more (or `timeout`); returns what still is."""
    from django.db import connection

    from .checks import pending_work

    deadline, last = time.monotonic() + timeout, 0.0
    while True:
        left = pending_work(tenant)
        connection.close()
        if not any(left.values()) or time.monotonic() > deadline:
            return left
        if processes.dead():
            raise Failed(f"{', '.join(processes.dead())} stopped")
        if time.monotonic() - last > 10:
            say("waiting: " + ", ".join(f"{k} {v}" for k, v in left.items()))
            last = time.monotonic()
        time.sleep(1)


def verify(tenant: str, record: dict, env: dict, proxy_port: int | None) -> list[str]:
    from .checks import check

    problems, figures = check(tenant, set(record["paid"]), set(record["declined"]))
    ledger = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "solidaire", "ledger-check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    figures["ledger-check"] = (ledger.stdout + ledger.stderr).strip()
    if ledger.returncode != 0:
        problems.append(f"solidaire ledger-check failed: {figures['ledger-check']}")
    if proxy_port is not None:
        status, body = http_get(proxy_port, "/healthz", timeout=10)
        figures["/healthz through the proxy"] = f"{status} {body.decode(errors='replace')}"
        if status != 200:
            problems.append(f"/healthz answered {status} through the proxy")
    print("\n== Cluster run: figures ==")
    for key, value in {**record.get("figures", {}), **figures}.items():
        print(f"  {key}: {value}")
    return problems


def proxy_502s() -> int:
    log = VAR / "nginx" / "access.log"
    if not log.exists():
        return 0
    lines = log.read_text(errors="replace").splitlines()
    return sum(1 for line in lines if '" 502 ' in line and "/healthz" not in line)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.cluster.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--gifts", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8, help="donors at once")
    parser.add_argument("--settle", type=float, default=180, help="seconds to wait for the notifications")
    parser.add_argument("--check-only", action="store_true", help="check what the last run left, start nothing")
    args = parser.parse_args()

    VAR.mkdir(parents=True, exist_ok=True)
    url = database_url()
    redis_base = os.environ.get("CLUSTER_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SOLIDAIRE_BROKER_URL": f"{redis_base}/{BROKER_DB}",
        "SOLIDAIRE_CACHE_URL": f"{redis_base}/{CACHE_DB}",
        "SOLIDAIRE_BROKER_VISIBILITY_TIMEOUT": str(SHORT_VISIBILITY),
        # As on several machines: one secret key for all, shared state only in PostgreSQL and Redis.
        "SOLIDAIRE_SECRET_KEY": os.environ.get("CLUSTER_SECRET_KEY") or secrets.token_urlsafe(50),
        "SOLIDAIRE_VAR_DIR": str(VAR / "var"),
        "SOLIDAIRE_STATIC_ROOT": str(VAR / "static"),
        "SOLIDAIRE_DEFAULT_TENANT": "cluster",
        "SOLIDAIRE_CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "SOLIDAIRE_EMAIL_BACKEND": "locmem",
        "SOLIDAIRE_LOG_LEVEL": "INFO",
        "SOLIDAIRE_WEB_WORKERS": "2",
        "SOLIDAIRE_TASKS_EAGER": "false",
        "SOLIDAIRE_SANDBOX_TRANSPORT": "http",
        "DJANGO_SETTINGS_MODULE": "solidaire.settings",
    }
    env.pop("SOLIDAIRE_WORKER_READY_FILE", None)
    os.environ.update(env)
    from .seed import TENANT

    record_path = VAR / "donors.json"
    if args.check_only:
        import django

        django.setup()
        problems = verify(TENANT, json.loads(record_path.read_text()), env, None)
        return report(problems, None)

    started = time.monotonic()
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        print("nginx is missing: `make test-cluster` installs Debian's nginx-light", file=sys.stderr)
        return 2
    for old in VAR.glob("*.ready"):
        old.unlink()
    for old in [*VAR.glob("*.log"), *VAR.glob("nginx/*.log")]:
        old.unlink()
    processes = Processes(env)

    def terminate(_signum, _frame):
        raise KeyboardInterrupt

    # Ctrl-C and SIGTERM stop the run cleanly (children stopped, Redis emptied), even when started
    # in the background with SIGINT ignored.
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    problems: list[str] = []
    try:
        say(f"database {url}, Redis {redis_base} databases {BROKER_DB} and {CACHE_DB}; logs in var/cluster/")
        prepare(url, env)
        import django

        django.setup()
        from django.db import connection

        from .seed import seed

        establishments = seed(ESTABLISHMENTS)
        connection.close()
        say(f"migrated and seeded: {len(establishments)} cafés ({time.monotonic() - started:.0f} s)")

        ports = {"web-a": free_port(), "web-b": free_port()}
        proxy_port = free_port()
        for name, port in ports.items():
            processes.start(
                name,
                web_command(),
                SOLIDAIRE_BIND=f"127.0.0.1:{port}",
                SOLIDAIRE_ACCESS_LOG=str(VAR / f"{name}.access.log"),
            )
        for name in ("worker-1", "worker-2"):
            processes.start(name, worker_command(name))
        processes.start("beat", beat_command())
        wait_ready(processes, ports, ["worker-1", "worker-2"])
        # The proxy last: started earlier, its probes would mark the web processes down a while.
        nginx_conf = proxy.config(proxy_port, list(ports.values()), VAR / "nginx")
        processes.start("proxy", proxy.command(nginx_conf))
        wait_ready(processes, {"proxy": proxy_port}, [])
        say(
            f"ready: web-a :{ports['web-a']}, web-b :{ports['web-b']}, nginx :{proxy_port}, "
            f"worker-1, worker-2, beat ({time.monotonic() - started:.0f} s)"
        )

        donors, events = drive(args, processes, env, proxy_port, establishments)
        states: dict[str, int] = {}
        for donor in donors:
            states[donor.state] = states.get(donor.state, 0) + 1
        record = {
            "paid": [d.checkout_id for d in donors if d.state == "paid"],
            "declined": [d.checkout_id for d in donors if d.state == "declined"],
            "figures": {
                "donors": len(donors),
                "donors by outcome": states,
                "requests tried again by donors": sum(d.retries for d in donors),
                "answered 502 by the proxy": proxy_502s(),
                "chaos": events,
            },
        }
        errors = [f"donor {d.number}: {d.error}" for d in donors if d.state == "error"]
        record_path.write_text(json.dumps(record, indent=1))
        kills = [e for e in events if "killed" in e]
        if len(kills) != 2 or any(not 0 < e["after gifts"] < len(donors) for e in kills):
            problems.append(f"the kills did not happen while donors were giving: {events}")
        # A few donors may fail for good (all their attempts cut by the kill); most must pay.
        if states.get("paid", 0) < 0.8 * sum(1 for d in donors if d.outcome == "success"):
            problems.append(f"too few donors paid: {states}; first errors: {errors[:5]}")

        say(f"donors: {states}; waiting for the notifications (up to {args.settle:.0f} s)")
        settle_started = time.monotonic()
        left = settle(TENANT, processes, args.settle)
        record["figures"]["seconds to settle after the last donor"] = round(time.monotonic() - settle_started)
        if any(left.values()):
            problems.append(f"still on its way after {args.settle:.0f} s: {left}")
        if processes.dead():
            problems.append(f"stopped during the run: {', '.join(processes.dead())}")
        problems += verify(TENANT, record, env, proxy_port)
    except Failed as exc:
        problems.append(str(exc))
    except KeyboardInterrupt:
        problems.append("interrupted")
    except Exception as exc:  # noqa: BLE001 - reported with the children's logs
        import traceback

        traceback.print_exc()
        problems.append(f"{exc.__class__.__name__}: {exc}")
    finally:
        processes.stop_all()
        flush_redis(env)
    if problems:
        processes.tails()
    return report(problems, time.monotonic() - started)


def report(problems: list[str], seconds: float | None) -> int:
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    if problems:
        print(f"\n== Cluster run FAILED{took} ==", flush=True)
        for problem in problems:
            print(f"  - {problem}", flush=True)
        return 1
    print(f"\n== Cluster run passed{took}: every paid gift confirmed once, ledger-check green ==", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
