"""Item 21 of issue 10: after `make demo`, every `solidaire` command acts on the demo's database,
the terminal shows warnings, errors and readable e-mails, and the logins come last."""

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def _demo_recipe() -> list[str]:
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("demo:"))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line)
    return recipe


def test_the_demo_and_the_solidaire_command_use_one_default_database():
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SOLIDAIRE_VAR_DIR")}
    environment["DJANGO_SETTINGS_MODULE"] = "solidaire.settings"
    name = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from django.conf import settings; print(settings.DATABASES['default']['NAME'])"],
        env=environment,
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(name) == ROOT / "var" / "solidaire.sqlite3"
    recipe = "\n".join(_demo_recipe())
    assert "seed-demo" in recipe and "serve" in recipe
    # The demo keeps the settings' defaults: nothing points it at another database or folder.
    assert "DATABASE_URL" not in recipe and "SOLIDAIRE_VAR_DIR" not in recipe


@override_settings(EMAIL_BACKEND="solidaire.core.console_mail.EmailBackend")
def test_e_mails_print_in_the_terminal_as_readable_text_with_whole_links():
    link = "https://grand-est.localhost:8000/comptes/confirmer-email/" + "Mg:1tQxYz:" * 12 + "/"
    message = EmailMultiAlternatives(
        subject="Votre don à « Café de la Petite France » — reçu",
        body=f"Bonjour Zoé,\n\nConfirmez votre adresse : {link}\n\nÀ bientôt, la Région Grand Est.",
        from_email="Région Grand Est <no-reply@solidaire.localhost>",
        to=["zoé@example.org"],
        reply_to=["contact@grandest.example"],
    )
    message.attach_alternative(f'<p>Bonjour Zoé, <a href="{link}">confirmez</a></p>', "text/html")
    stream = io.StringIO()
    with mail.get_connection(stream=stream) as connection:
        connection.send_messages([message])
    printed = stream.getvalue()
    assert "Subject: Votre don à « Café de la Petite France » — reçu" in printed
    assert "From: Région Grand Est <no-reply@solidaire.localhost>" in printed
    assert "Reply-To: contact@grandest.example" in printed
    assert "Bonjour Zoé," in printed and "À bientôt, la Région Grand Est." in printed
    assert f"Confirmez votre adresse : {link}\n" in printed
    assert "=?utf-8?" not in printed and "Content-Transfer-Encoding" not in printed and "<p>" not in printed


def test_the_embedded_mode_prints_e_mails_with_the_readable_backend(monkeypatch):
    environment = {k: v for k, v in os.environ.items() if k != "SOLIDAIRE_EMAIL_BACKEND"}
    environment["DJANGO_SETTINGS_MODULE"] = "solidaire.settings"
    backend = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert backend == "solidaire.core.console_mail.EmailBackend"


def _console_output(client, path) -> str:
    """What the console handler of settings.LOGGING prints while `path` is requested."""
    stream = io.StringIO()
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    former = handler.setStream(stream)
    try:
        response = client.get(path)
    finally:
        handler.setStream(former)
    return response, stream.getvalue()


def test_a_403_is_logged_on_one_line_without_a_traceback(personas, client_for):
    response, printed = _console_output(client_for(personas.a, personas.a.donor), "/gestion/")
    assert response.status_code == 403
    assert "Forbidden" in printed
    assert "Traceback" not in printed and "PermissionDenied" not in printed


def test_a_server_error_keeps_its_traceback():
    from solidaire.core.log_filters import ClientErrorsWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: /", (), sys.exc_info()
        )
    record.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(record) and record.exc_info is not None
    assert "client_errors" in settings.LOGGING["handlers"]["console"]["filters"]


def test_the_log_filter_drops_the_traceback_of_client_errors():
    from solidaire.core.log_filters import ClientErrorsWithoutTraceback

    try:
        raise PermissionError("no")
    except PermissionError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Forbidden (Permission denied): /gestion/",
            (),
            sys.exc_info(),
        )
    record.status_code = 403
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)


def test_serve_keeps_the_worker_and_the_web_server_quiet():
    from solidaire.core.management.commands.serve import Command

    command = Command()
    options = vars(command.create_parser("solidaire", "serve").parse_args(["--port", "8123"]))
    web, worker = command.commands(options)
    assert "--access-logfile" not in web and web[web.index("--log-level") + 1] == "warning"
    assert "--quiet" in worker and worker[worker.index("--loglevel") + 1] == "WARNING"
    options = vars(command.create_parser("solidaire", "serve").parse_args(["--access-log", "--log-level", "info"]))
    web, worker = command.commands(options)
    assert "--access-logfile" in web and worker[worker.index("--loglevel") + 1] == "INFO"


def test_the_welcome_text_is_printed_last_once_the_server_listens_and_the_worker_started(tmp_path, monkeypatch):
    """serve starts its children, waits until the port answers and the worker is ready, then
    prints the welcome text (the demo's logins): nothing the children say at start-up follows it."""
    import signal
    import socket
    import time

    from django.core.management import call_command

    from solidaire.core.management.commands import serve

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    listened_at, ready_at = tmp_path / "listened-at", tmp_path / "ready-at"
    # Stand-ins: gunicorn listens after a second; the worker is ready after two (it touches the
    # file that solidaire.core.tasks touches on Celery's worker_ready). Both exit soon after.
    web = (
        "import socket, time; time.sleep(1); s = socket.socket(); "
        f"s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', {port})); s.listen(); "
        f"open({str(listened_at)!r}, 'w').write(repr(time.time())); time.sleep(3)"
    )
    worker = (
        "import os, time, pathlib; time.sleep(2); "
        f"open({str(ready_at)!r}, 'w').write(repr(time.time())); "
        "pathlib.Path(os.environ['SOLIDAIRE_WORKER_READY_FILE']).touch(); time.sleep(2)"
    )
    monkeypatch.setattr(
        serve.Command, "commands", lambda self, options: [[sys.executable, "-c", web], [sys.executable, "-c", worker]]
    )
    welcome = tmp_path / "welcome.txt"
    welcome.write_text("Logins (password for all: x):\n  a  b  c\n", encoding="utf-8")
    written = []

    class Stream(io.StringIO):
        def write(self, text):
            written.append((time.time(), text))
            return super().write(text)

    stdout = Stream()
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("serve", "--port", str(port), "--web-workers", "1", "--welcome", str(welcome), stdout=stdout)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
    printed = stdout.getvalue()
    assert re.search(rf"running on http://127\.0\.0\.1:{port}/", printed)
    assert printed.rstrip().endswith("a  b  c")
    assert printed.index("running on") < printed.index("Logins")
    first_line_at = min(at for at, text in written if text.strip())
    assert first_line_at >= float(listened_at.read_text()) and first_line_at >= float(ready_at.read_text())


def test_the_worker_tells_serve_it_is_ready(tmp_path, monkeypatch):
    from solidaire.core.tasks import tell_serve_the_worker_is_ready

    monkeypatch.setenv("SOLIDAIRE_WORKER_READY_FILE", str(tmp_path / "ready"))
    tell_serve_the_worker_is_ready(sender=None)
    assert (tmp_path / "ready").exists()


def _root_warning_printed(environment: dict) -> bool:
    """Whether Celery's "running as root" warning reaches the terminal of a process that loaded
    the Celery app with `environment`."""
    import subprocess
    import sys

    script = (
        "import solidaire.celery, warnings\n"
        "from celery.exceptions import SecurityWarning\n"
        "from celery.platforms import ROOT_DISCOURAGED\n"
        "warnings.warn(SecurityWarning(ROOT_DISCOURAGED.format(uid=0, euid=0, gid=0, egid=0)))\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    return "superuser privileges" in result.stderr


def test_serve_says_once_that_the_worker_runs_as_root_instead_of_celery_s_dozen_lines(monkeypatch):
    import os

    environment = {key: value for key, value in os.environ.items() if key != "SOLIDAIRE_ROOT_NOTICE_SHOWN"}
    assert _root_warning_printed(environment)
    assert not _root_warning_printed({**environment, "SOLIDAIRE_ROOT_NOTICE_SHOWN": "1"})
