import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from solidaire.core.checks import unshared_cache


def wait_until_listening(host: str, port: int, children, timeout: float = 60.0, stopped=lambda: False) -> bool:
    """Whether something accepts connections on host:port before `timeout` seconds pass, while
    every child is still running and nobody asked to stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopped() and all(child.poll() is None for child in children):
        try:
            with socket.create_connection((host, int(port)), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def wait_until_exists(path: Path, children, timeout: float = 60.0, stopped=lambda: False) -> bool:
    """Whether `path` appears (the worker writes it once ready, solidaire.core.tasks) in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopped() and all(child.poll() is None for child in children):
        if path.exists():
            return True
        time.sleep(0.2)
    return False


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class Command(BaseCommand):
    help = (
        "Serve Solidaire on one machine: gunicorn for the web and a Celery worker (with its beat "
        "scheduler) for background work. Ctrl-C stops both."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("SOLIDAIRE_WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")
        parser.add_argument(
            "--log-level",
            default=os.environ.get("SOLIDAIRE_LOG_LEVEL", "WARNING"),
            help="what the web server and the worker print (default WARNING: warnings and errors only)",
        )
        parser.add_argument("--access-log", action="store_true", help="print one line per request")
        parser.add_argument(
            "--welcome",
            metavar="FILE",
            help="a text printed once the server is listening (the demo's addresses and logins)",
        )

    def commands(self, options) -> list[list[str]]:
        python = sys.executable
        level = options["log_level"].upper()
        web = [
            python,
            "-m",
            "gunicorn",
            "solidaire.wsgi",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["web_workers"]),
            "--log-level",
            level.lower(),
            "--graceful-timeout",
            "5",
        ]
        if options["access_log"]:
            web += ["--access-logfile", "-"]
        commands = [web]
        if not options["no_worker"]:
            # --quiet: no start-up banner; the log level keeps the task lines out.
            commands.append(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "solidaire",
                    "--quiet",
                    "worker",
                    "--beat",
                    "--pool",
                    "solo",
                    "--loglevel",
                    level,
                    "--without-gossip",
                    "--without-mingle",
                ]
            )
        return commands

    def welcome(self, options) -> None:
        """Printed last, once the server answers: where it is and, for the demo, who can sign in."""
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(self.style.SUCCESS(f"Solidaire is running on http://{bind}/ — Ctrl-C to stop."))
        if options["welcome"]:
            self.stdout.write(Path(options["welcome"]).read_text(encoding="utf-8").rstrip("\n"))
        self.stdout.flush()

    def handle(self, *args, **options):
        # Django's own logging in the children (settings.LOGGING) follows the same level.
        environment = {**os.environ, "SOLIDAIRE_LOG_LEVEL": options["log_level"].upper()}
        # Rate limits must be counted once for all web workers (solidaire.core.checks).
        problem = unshared_cache(options["web_workers"])
        if problem:
            raise CommandError(
                f"{problem} Set SOLIDAIRE_CACHE_URL to redis://… or leave it empty, or use --web-workers 1."
            )
        environment["SOLIDAIRE_WEB_WORKERS"] = str(options["web_workers"])
        if not options["no_worker"] and running_as_root():
            self.stderr.write(
                "The background worker runs as root: fine on a demo machine, not in production "
                "(run Solidaire as an unprivileged user there)."
            )
            environment["SOLIDAIRE_ROOT_NOTICE_SHOWN"] = "1"
        ready = Path(tempfile.mkdtemp(prefix="solidaire-serve-")) / "worker-ready"
        environment["SOLIDAIRE_WORKER_READY_FILE"] = str(ready)
        # The web workers and the background worker add up their metrics in one folder (/metrics,
        # core.metrics), unless the operator chose one; a new one each time, as it must start empty.
        if not environment.get("PROMETHEUS_MULTIPROC_DIR"):
            (ready.parent / "metrics").mkdir()
            environment["PROMETHEUS_MULTIPROC_DIR"] = str(ready.parent / "metrics")
        children = [
            subprocess.Popen(cmd, start_new_session=True, env=environment)  # noqa: S603
            for cmd in self.commands(options)
        ]
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            # The welcome comes last: once the web server answers and the worker has started (or
            # a minute has passed).
            if wait_until_listening(options["host"], options["port"], children, stopped=lambda: stopping):
                if not options["no_worker"]:
                    wait_until_exists(ready, children, stopped=lambda: stopping)
                if not stopping and all(child.poll() is None for child in children):
                    self.welcome(options)
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
        shutil.rmtree(ready.parent, ignore_errors=True)
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(1)
