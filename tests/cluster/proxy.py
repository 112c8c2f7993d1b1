"""The proxy of the cluster run: Debian's nginx running deploy/nginx.conf itself, with only what
belongs to a real installation swapped for this machine's (the web machines' addresses, TLS, the
paths). Each swap must find what it replaces, so that a change to the example that this file
does not follow fails the run instead of testing something else."""

import os
import re
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def _swap(text: str, pattern: str, replacement: str, *, count: int = 1, flags: int = 0) -> str:
    new, found = re.subn(pattern, replacement, text, flags=flags)
    if found != count:
        raise RuntimeError(f"deploy/nginx.conf changed: {pattern!r} found {found} times, expected {count}")
    return new


def site(port: int, upstreams: list[int], root: Path) -> str:
    """deploy/nginx.conf, listening on 127.0.0.1:`port` in plain HTTP, in front of the web
    processes on 127.0.0.1:`upstreams`."""
    text = EXAMPLE.read_text(encoding="utf-8")
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;\n" for p in upstreams)
    text = _swap(text, r"(?m)^    server 10\.0\.0\.\d+:8000 .*\n(?:    server 10\.0\.0\.\d+:8000 .*\n)+", servers)
    text = _swap(text, r"/var/cache/nginx/solidaire", str(root / "cache"))
    text = _swap(text, r"listen 443 ssl;", f"listen 127.0.0.1:{port};")
    text = _swap(text, r"(?m)^\s*http2 on;\n", "")
    text = _swap(text, r"(?m)^\s*ssl_certificate(_key)? .*\n", "", count=2)
    text = _swap(text, r"/srv/solidaire/media/", f"{root / 'media'}/")
    # The test's addresses carry a port, which $host drops: the application builds the sandbox's
    # notification address from Host, so the port must reach it.
    text = _swap(text, r"proxy_set_header Host \$host;", "proxy_set_header Host $http_host;")
    # The plain-HTTP redirect of the example has no use here (and port 80 may be taken).
    text = _swap(text, r"(?s)# Plain HTTP: redirected\.\nserver \{.*?\n\}\n", "")
    return text


def config(port: int, upstreams: list[int], root: Path) -> Path:
    """A whole nginx.conf around the site, everything under `root`; returns its path."""
    for folder in ("cache", "media", "temp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:  # nginx's workers then run as nobody, and write the cache
            shutil.chown(root / folder, "nobody", "nogroup")
    temp = root / "temp"
    main = f"""# Written by tests/cluster/proxy.py from deploy/nginx.conf for `make test-cluster`.
worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log {root / "access.log"};
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
{site(port, upstreams, root)}
}}
"""
    path = root / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


def command(path: Path) -> list[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return [nginx, "-e", str(path.parent / "error.log"), "-c", str(path), "-g", "daemon off;"]
