import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


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

    def handle(self, *args, **options):
        python = sys.executable
        bind = f"{options['host']}:{options['port']}"
        commands = [
            [
                python,
                "-m",
                "gunicorn",
                "solidaire.wsgi",
                "--bind",
                bind,
                "--workers",
                str(options["web_workers"]),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ]
        ]
        if not options["no_worker"]:
            commands.append(
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "solidaire",
                    "worker",
                    "--beat",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                ]
            )
        children = [subprocess.Popen(cmd, start_new_session=True) for cmd in commands]  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"Solidaire is running on http://{bind}/ — Ctrl-C to stop."))
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
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
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            raise SystemExit(1)
