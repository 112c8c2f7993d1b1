"""Load from wrk (Debian's package, installed by `make bench` when missing): a C load generator
that takes few cycles from the two cores the servers share, unlike a Python one."""

import re
import shutil
import subprocess

_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")
_LATENCY = re.compile(r"^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)")
_SCALE = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def available() -> bool:
    return shutil.which("wrk") is not None


def run(port: int, path: str, *, host: str, seconds: int, connections: int, threads: int = 2) -> dict:
    """Requests per second and latency percentiles (ms) of `path`, `connections` at once."""
    output = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Host: {host}",
            "-H",
            "Accept-Encoding: gzip",
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    latencies = {f"p{p}": float(v) * _SCALE[unit] for p, v, unit in _LATENCY.findall(output)}
    errors = [m.group(0) for m in _ERRORS.finditer(output)]
    return {"rps": float(_RATE.search(output).group(1)), **latencies, "errors": errors}
