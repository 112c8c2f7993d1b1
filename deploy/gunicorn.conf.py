"""gunicorn's configuration for a Solidaire web machine: `gunicorn -c deploy/gunicorn.conf.py`.

Every value comes from an environment variable (the systemd unit's EnvironmentFile, the container's
environment), with a default that suits one web machine behind the reverse proxy of
deploy/nginx.conf. `make test-cluster` starts its two web processes with this file.

  SOLIDAIRE_BIND                  address:port listened on (default 127.0.0.1:8000; 0.0.0.0:8000 in
                                  a container, or the machine's private address behind a proxy)
  SOLIDAIRE_WEB_WORKERS           worker processes (default 2 × cores + 1, at most 8); the same
                                  variable tells `solidaire check` that several processes share the
                                  cache (SOLIDAIRE_CACHE_URL must then be Redis or the database)
  SOLIDAIRE_WEB_TIMEOUT           seconds a request may take before its worker is replaced (30)
  SOLIDAIRE_WEB_MAX_REQUESTS      requests a worker serves before it is replaced (1000, ±10 %)
  SOLIDAIRE_FORWARDED_ALLOW_IPS   proxies trusted for X-Forwarded-* (default 127.0.0.1; the proxy's
                                  address when it runs on another machine)
  SOLIDAIRE_ACCESS_LOG            where each request is logged: "-" (standard output, the
                                  journal under systemd; default), a file, or "" for none
  SOLIDAIRE_LOG_LEVEL             gunicorn's own messages (default info)
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "solidaire.wsgi:application"
proc_name = "solidaire-web"
bind = [address.strip() for address in os.environ.get("SOLIDAIRE_BIND", "127.0.0.1:8000").split(",")]

# Sync workers: each request holds one process, which is what the application is written for (no
# thread-local surprises, one database connection per process, kept SOLIDAIRE_DB_CONN_MAX_AGE).
worker_class = "sync"
workers = _int("SOLIDAIRE_WEB_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
# The application is imported by each worker, not by the master: a reload (SIGHUP) picks up new
# code, and no database connection is opened before the fork.
preload_app = False

# A request that takes longer than this is a bug or a stuck dependency: its worker is killed and
# replaced, and the proxy answers 502 for that request only.
timeout = _int("SOLIDAIRE_WEB_TIMEOUT", 30)
# On SIGTERM (systemctl stop, a new deployment) workers finish the requests they hold first.
graceful_timeout = _int("SOLIDAIRE_WEB_GRACEFUL_TIMEOUT", 20)
# The proxy keeps connections to the web machines open (nginx's `keepalive`).
keepalive = 5
# Workers are replaced now and then (any slow leak is bounded), not all at once.
max_requests = _int("SOLIDAIRE_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max(max_requests // 10, 0)
# The heartbeat file of each worker lives in memory, not on a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's advice

# X-Forwarded-Proto (HTTPS) and X-Forwarded-For are believed from these addresses only.
forwarded_allow_ips = os.environ.get("SOLIDAIRE_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Requests without a body larger than these limits are refused by gunicorn before Django.
limit_request_line = 8190
limit_request_fields = 100

loglevel = os.environ.get("SOLIDAIRE_LOG_LEVEL", "info").lower()
errorlog = "-"
accesslog = os.environ.get("SOLIDAIRE_ACCESS_LOG", "-") or None
# One line per request: client (as the proxy saw it), request, status, size, duration in ms, and the
# request id the proxy sets (nginx's $request_id in deploy/nginx.conf), "-" when there is none,
# so that a line of the proxy's log and one of the application's can be matched.
access_log_format = '%({x-real-ip}i)s "%(r)s" %(s)s %(B)s %(M)sms host=%({host}i)s rid=%({x-request-id}i)s ua="%(a)s"'


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR (docs/adr/0027), a worker that is gone (replaced after
    max_requests, killed after the timeout) no longer counts among the live processes' gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
