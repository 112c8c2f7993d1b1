"""Creates the benchmark database and fills it."""

import subprocess
import sys
from urllib.parse import urlsplit


def prepare_database(url: str, keep: bool) -> None:
    """(Re)creates the database named in `url` and migrates it (PostgreSQL or SQLite file)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres") and not keep:
        import psycopg

        name = parts.path.lstrip("/")
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    elif parts.scheme == "sqlite" and not keep:
        from pathlib import Path

        path = Path(url.split("sqlite:///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "solidaire", "migrate", "--noinput", "-v", "0"], check=True)
